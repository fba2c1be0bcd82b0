"""The shipped model (models/unspin-minilm) on the real spun paragraph of the model issue.

What it does today, measured (see the model card): its default threshold keeps false
highlights on clean news rare and flags little here; at a sensitive threshold it finds some
of the real substitutions and restores "final" -> "last". Its word scores rank the real
substitutions above the paragraph's untouched words.
"""

from __future__ import annotations

import pytest

from unspin.app import create_app
from unspin.config import SHIPPED_MODEL
from unspin.scripts.evaluation.evaluate import REAL_PARAGRAPH as SPUN  # real spinner output; originals in REAL_PAIRS

# Its substituted words (the "in" and "with" of "in accordance with" also occur untouched).
SUBSTITUTED = {"requested", "army", "gear", "help", "warfare", "final", "month", "accordance", "officers"}


@pytest.fixture(scope="module")
def shipped_app():
    """The app serving the shipped model (loaded once for this module)."""
    return create_app({"MODEL_PATH": SHIPPED_MODEL})


def test_default_answer_follows_the_contract(shipped_app, check_contract):
    response = shipped_app.test_client().post("/api/v1/analyze", json={"paragraphs": [SPUN]})
    assert response.status_code == 200
    check_contract("POST", "/api/v1/analyze", 200, response.json)
    assert response.json["model"]["name"] == "unspin-minilm"


def test_sensitive_threshold_finds_and_restores_real_substitutions(shipped_app):
    response = shipped_app.test_client().post("/api/v1/analyze", json={"paragraphs": [SPUN], "threshold": 0.2})
    spans = {s["text"].lower(): [x["text"].lower() for x in s["suggestions"]]
             for s in response.json["paragraphs"][0]["spans"]}
    assert {"gear", "final", "accordance"} <= set(spans), spans
    assert spans["final"][0] == "last", spans


def test_word_scores_rank_substitutions_above_untouched_words(shipped_app):
    engine = shipped_app.extensions["unspin.engine"]
    [enc] = engine.encode([SPUN])
    paragraph_words, _, spun, _ = engine.score_words(SPUN, enc)
    substituted = [s for w, s in zip(paragraph_words, spun) if w.text.lower() in SUBSTITUTED]
    untouched = [s for w, s in zip(paragraph_words, spun) if w.text.lower() not in SUBSTITUTED]
    assert sum(substituted) / len(substituted) > 2 * sum(untouched) / len(untouched)
