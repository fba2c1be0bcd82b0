"""The shipped model (models/unspin-minilm) on the real spun paragraph of the model issue."""

from __future__ import annotations

import pytest

from unspin.app import create_app
from unspin.config import SHIPPED_MODEL

# Real spinner output: the original said "asked", "military equipment", "support", "war",
# "last month", "according to" and "officials".
SPUN = ("WASHINGTON — Russia requested China to provide it army gear and help for the warfare in "
        "Ukraine after President Vladimir V. Putin started a full-scale invasion final month, "
        "in accordance with U.S. officers.")


@pytest.fixture(scope="module")
def shipped_client():
    """A client of the app serving the shipped model (loaded once for this module)."""
    return create_app({"MODEL_PATH": SHIPPED_MODEL}).test_client()


def test_shipped_model_finds_spun_wording_and_restores_it(shipped_client, check_contract):
    response = shipped_client.post("/api/v1/analyze", json={"paragraphs": [SPUN]})
    assert response.status_code == 200
    data = response.json
    check_contract("POST", "/api/v1/analyze", 200, data)
    spans = {s["text"].lower(): [x["text"].lower() for x in s["suggestions"]] for s in data["paragraphs"][0]["spans"]}

    def span_with(phrase: str) -> list[str]:
        found = [suggestions for text, suggestions in spans.items() if phrase in text]
        assert found, f"{phrase!r} not detected; spans: {sorted(spans)}"
        return found[0]

    assert any("last month" in s for s in span_with("final month")), spans
    assert any("war" == s or s.endswith(" war") for s in span_with("warfare")), spans
    assert data["summary"]["verdict"] != "no sign of spinning"
