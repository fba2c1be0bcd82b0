"""The v1 contract: real responses of the real engine checked against openapi.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import unspin
from unspin.scripts.evaluation.evaluate import REAL_PARAGRAPH as SPUN
from unspin.text import split_paragraphs

CLEAN = "The council met on Tuesday and agreed to repair the bridge before the winter."


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def assert_spans_well_formed(paragraph: str, spans: list[dict], unit: str, max_suggestions: int = 3):
    """Spans are sorted, non-overlapping, inside the paragraph, and their text is the substring."""
    length = len(paragraph.encode("utf-16-le")) // 2 if unit == "utf16" else len(paragraph)
    previous_end = 0
    for span in spans:
        assert previous_end <= span["start"] < span["end"] <= length
        cut = utf16_slice(paragraph, span["start"], span["end"]) if unit == "utf16" else paragraph[span["start"]:span["end"]]
        assert span["text"] == cut
        # none for a word whose open candidates are all unrelated to it (score.RELATED_COSINE)
        assert len(span["suggestions"]) <= max_suggestions
        scores = [s["score"] for s in span["suggestions"]]
        assert scores == sorted(scores, reverse=True)  # best first
        previous_end = span["end"]


def test_health(client, check_contract, engine):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    check_contract("GET", "/api/v1/health", 200, response.json)
    assert response.json["status"] == "ok"
    assert response.json["version"] == unspin.__version__
    assert response.json["model"] == engine.info


def test_analyze_paragraphs(client, check_contract):
    body = {"paragraphs": [SPUN, CLEAN], "threshold": 0.0}
    response = client.post("/api/v1/analyze", json=body)
    assert response.status_code == 200, response.json
    data = response.json
    check_contract("POST", "/api/v1/analyze", 200, data)
    assert data["offset_unit"] == "utf16"
    assert [p["index"] for p in data["paragraphs"]] == [0, 1]
    assert data["summary"]["paragraphs"] == 2
    assert data["summary"]["spans"] == sum(len(p["spans"]) for p in data["paragraphs"])
    assert data["summary"]["words"] == sum(p["words"] for p in data["paragraphs"])
    assert data["paragraphs"][0]["spans"], "threshold 0 marks words even with a random model"
    for paragraph, result in zip(body["paragraphs"], data["paragraphs"]):
        assert "start" not in result  # positions in a text only for `text` requests
        assert_spans_well_formed(paragraph, result["spans"], "utf16")


def test_analyze_text_is_split_on_blank_lines(client, check_contract):
    text = f"  {SPUN}\n\n \n{CLEAN}\n"
    data = client.post("/api/v1/analyze", json={"text": text, "offset_unit": "codepoint"}).json
    check_contract("POST", "/api/v1/analyze", 200, data)
    paragraphs = split_paragraphs(text)
    assert len(data["paragraphs"]) == len(paragraphs) == 2
    for paragraph, result in zip(paragraphs, data["paragraphs"]):
        assert text[result["start"]:result["end"]] == paragraph
        assert_spans_well_formed(paragraph, result["spans"], "codepoint")


def test_same_paragraphs_same_analysis_via_text_or_list(client):
    by_list = client.post("/api/v1/analyze", json={"paragraphs": [SPUN, CLEAN]}).json
    by_text = client.post("/api/v1/analyze", json={"text": f"{SPUN}\n\n{CLEAN}"}).json
    for result in by_text["paragraphs"]:
        del result["start"], result["end"]
    assert by_list == by_text


@pytest.mark.parametrize("max_suggestions", [1, 2, 10])
def test_max_suggestions(client, max_suggestions):
    data = client.post("/api/v1/analyze", json={"paragraphs": [SPUN], "threshold": 0.0,
                                                 "max_suggestions": max_suggestions}).json
    spans = data["paragraphs"][0]["spans"]
    assert spans
    assert max(len(s["suggestions"]) for s in spans) <= max_suggestions
    assert_spans_well_formed(SPUN, spans, "utf16", max_suggestions)


def test_threshold_one_marks_less_than_zero(client):
    low = client.post("/api/v1/analyze", json={"paragraphs": [SPUN], "threshold": 0.0}).json
    high = client.post("/api/v1/analyze", json={"paragraphs": [SPUN], "threshold": 1.0}).json
    assert high["summary"]["spun_words"] < low["summary"]["spun_words"]
    assert all(s["score"] >= 1.0 for s in high["paragraphs"][0]["spans"])


def test_default_threshold_comes_from_the_model(client, engine):
    default = client.post("/api/v1/analyze", json={"paragraphs": [SPUN]}).json
    explicit = client.post("/api/v1/analyze", json={"paragraphs": [SPUN], "threshold": engine.info["threshold"]}).json
    assert default == explicit


@pytest.mark.parametrize("body", [{"paragraphs": []}, {"text": ""}, {"text": "\n\n  \n"}, {"paragraphs": [""]}])
def test_nothing_to_analyse(client, check_contract, body):
    data = client.post("/api/v1/analyze", json=body).json
    check_contract("POST", "/api/v1/analyze", 200, data)
    assert data["summary"]["words"] == data["summary"]["spans"] == 0
    assert data["summary"]["verdict"] == "no sign of spinning"


def test_openapi_served_is_the_shipped_document(client, check_contract):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    check_contract("GET", "/api/v1/openapi.json", 200, response.json)
    shipped = Path(unspin.__file__).with_name("openapi.json")
    assert response.json == json.loads(shipped.read_text(encoding="utf-8"))
    assert response.json["openapi"].startswith("3.1")


def test_every_route_is_documented_and_every_documented_path_exists(app, openapi):
    routed = {(rule.rule, method.lower()) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static" for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in openapi["paths"].items() for method in item}
    assert routed == documented


def test_openapi_request_examples_are_valid_and_accepted(client, openapi, check_contract):
    import jsonschema

    content = openapi["paths"]["/api/v1/analyze"]["post"]["requestBody"]["content"]["application/json"]
    validator = jsonschema.Draft202012Validator({**openapi, **content["schema"]})
    for example in content["examples"].values():
        validator.validate(example["value"])
        response = client.post("/api/v1/analyze", json=example["value"])
        assert response.status_code == 200
        check_contract("POST", "/api/v1/analyze", 200, response.json)


def test_every_error_code_is_documented(openapi):
    from unspin.contract.errors import CODES

    assert set(CODES.values()) == set(openapi["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"])
    documented = {status for path in openapi["paths"].values() for operation in path.values()
                  for status in operation["responses"]} | {"404", "405"}
    assert {str(status) for status in CODES} | {"200", "201"} == documented
