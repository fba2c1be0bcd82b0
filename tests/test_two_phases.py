"""Marks first, suggestions on demand, the reader's screenful first (the engine and the API, on
the tiny model): the same marks and suggestions as one full analysis, whatever is read first."""

from __future__ import annotations

import json

import jsonschema
import pytest

from unspin.engine.engine import Engine

from test_engine import ARTICLE, split

# Long enough for several batched passes (score.BATCH_WINDOWS windows each).
PARAGRAPHS = [f"{ARTICLE} {ARTICLE}"] + split(ARTICLE, 3) * 8 + [ARTICLE]
LAST = len(PARAGRAPHS) - 1  # in the last batched pass when read in order


def spans(answer: dict) -> list[tuple]:
    return [(r["index"], s["start"], s["end"], s["score"]) for r in answer["paragraphs"] for s in r["spans"]]


def suggestions(answer: dict) -> dict:
    return {(r["index"], s["start"], s["end"]): s["suggestions"] for r in answer["paragraphs"] for s in r["spans"]}


@pytest.fixture
def fresh(tiny_model):
    """An engine of its own (its caches empty)."""
    return Engine.load(tiny_model, threads=1)


def test_marks_first_then_suggestions_give_the_full_answer(fresh, engine):
    full = engine.answer(PARAGRAPHS, threshold=0.0, caller="full")
    assert len(spans(full)) > 10, "too few marks for the comparison to say anything"
    marks = fresh.answer(PARAGRAPHS, threshold=0.0, suggest=False)
    assert any(s["suggestions"] is None for r in marks["paragraphs"] for s in r["spans"])
    assert marks["summary"]["verdict"] == full["summary"]["verdict"]
    # The same marks (a run of adjacent words is one mark or a mark per word in both) and figures.
    first = spans(marks)
    assert first == spans(full)
    assert marks["summary"] == full["summary"]
    assert any(r["suggestions"] for r in marks["paragraphs"] for r in r["spans"]), \
        "no run of adjacent marks: the test says nothing about them"
    # Suggestions asked afterwards, a few marks at a time, are the full answer's (those of a
    # run of adjacent marks came with the marks).
    got = {key: value for key, value in suggestions(marks).items() if value is not None}
    for k in range(0, len(first), 7):
        for p, span in fresh.suggest(PARAGRAPHS, [(p, a, b) for p, a, b, _ in first[k : k + 7]], threshold=0.0):
            got[(p, span["start"], span["end"])] = span["suggestions"]
    assert got == suggestions(full)


def test_the_screenful_first_changes_the_order_of_work_never_the_answer(fresh, engine):
    whole = engine.answer(PARAGRAPHS, threshold=0.2, caller="whole")
    events = []
    screenful = fresh.answer(PARAGRAPHS, threshold=0.2, first=(LAST,), progress=events.append)
    assert spans(screenful) == spans(whole)
    assert suggestions(screenful) == suggestions(whole)
    assert len(events) > 1, "one batched pass: nothing was read first"
    # The first pass read the screenful: its provisional marks are there, and every provisional
    # mark that the article keeps has its final P(spun).
    assert LAST in {p for p, _ in events[0]} and 0 not in {p for p, _ in events[0]}
    final = {(p, a, b): score for p, a, b, score in spans(whole)}
    for p, span in (x for event in events for x in event):
        key = (p, span["start"], span["end"])
        assert span["suggestions"] is None
        if key in final:
            assert span["score"] == final[key]


def test_a_stream_is_provisional_marks_then_the_answer(client, openapi):
    body = {"paragraphs": PARAGRAPHS, "threshold": 0.2, "stream": True, "suggestions": False, "first": [LAST]}
    response = client.post("/api/v1/analyze", json=body)
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    events = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    validator = jsonschema.Draft202012Validator({**openapi, "$ref": "#/components/schemas/StreamEvent"})
    for event in events:
        validator.validate(event)
    assert [e["event"] for e in events[:-1]] == ["marks"] * (len(events) - 1) and len(events) > 2
    assert events[-1]["event"] == "answer"
    plain = client.post("/api/v1/analyze", json={**body, "stream": False}).json
    assert events[-1]["answer"] == plain


def test_suggestions_on_demand_over_http(client, check_contract):
    paragraphs = [ARTICLE, "😀 " + ARTICLE]
    marks = client.post("/api/v1/analyze", json={"paragraphs": paragraphs, "threshold": 0.0, "suggestions": False}).json
    check_contract("POST", "/api/v1/analyze", 200, marks)
    asked = [{"paragraph": r["index"], "start": s["start"], "end": s["end"]} for r in marks["paragraphs"]
             for s in r["spans"]][-3:]
    assert asked, "nothing marked"
    response = client.post("/api/v1/suggestions", json={"paragraphs": paragraphs, "threshold": 0.0, "spans": asked})
    assert response.status_code == 200, response.json
    check_contract("POST", "/api/v1/suggestions", 200, response.json)
    full = client.post("/api/v1/analyze", json={"paragraphs": paragraphs, "threshold": 0.0}).json
    expected = [{"paragraph": r["index"], **s} for r in full["paragraphs"] for s in r["spans"]
                if any(a["paragraph"] == r["index"] and a["start"] < s["end"] and s["start"] < a["end"] for a in asked)]
    assert response.json["spans"] == expected  # UTF-16 offsets past the emoji, suggestions and all


@pytest.mark.parametrize("spans_field", [
    [], [{"paragraph": 5, "start": 0, "end": 3}], [{"paragraph": 0, "start": 3, "end": 3}],
    [{"paragraph": 0, "start": 0, "end": 10**6}], [{"paragraph": 0, "start": 0}], "all",
    [{"paragraph": True, "start": 0, "end": 3}], [{"paragraph": 0, "start": 0, "end": 3, "x": 1}],
])
def test_a_bad_suggestions_request_is_refused_with_a_clear_error(client, check_contract, spans_field):
    response = client.post("/api/v1/suggestions", json={"paragraphs": [ARTICLE], "spans": spans_field})
    assert response.status_code == 400
    check_contract("POST", "/api/v1/suggestions", 400, response.json)
    assert "spans" in response.json["error"]["message"]


def test_a_stream_refused_before_its_turn_is_an_ordinary_error(make_client):
    client = make_client(MAX_TOKENS=10)
    response = client.post("/api/v1/analyze", json={"paragraphs": [ARTICLE], "stream": True})
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"


def test_a_stream_past_its_deadline_ends_with_an_error_event(make_client, openapi):
    client = make_client(ANALYSIS_DEADLINE_S=-1)
    response = client.post("/api/v1/analyze", json={"paragraphs": [ARTICLE + " new"], "stream": True})
    events = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert events[-1]["event"] == "error" and events[-1]["error"]["code"] == "busy"
    jsonschema.Draft202012Validator({**openapi, "$ref": "#/components/schemas/StreamEvent"}).validate(events[-1])


@pytest.mark.parametrize("field,value", [("suggestions", "no"), ("stream", 1), ("first", [-1]), ("first", ["0"]),
                                         ("first", 3), ("first", [10**6])])
def test_bad_phase_fields_are_refused(client, check_contract, field, value):
    response = client.post("/api/v1/analyze", json={"paragraphs": [ARTICLE], field: value})
    assert response.status_code == 400
    check_contract("POST", "/api/v1/analyze", 400, response.json)
    assert f"'{field}'" in response.json["error"]["message"]


def test_first_beyond_the_article_is_only_a_hint(client):
    plain = client.post("/api/v1/analyze", json={"paragraphs": [ARTICLE], "threshold": 0.3}).json
    hinted = client.post("/api/v1/analyze", json={"paragraphs": [ARTICLE], "threshold": 0.3, "first": [0, 7, 1999]}).json
    assert hinted == plain


def test_suggestions_on_demand_teach_the_queue_nothing():
    from unspin.api.admission import Admission

    queue = Admission(max_wait_s=10, ms_per_token=3.0, max_queued=4)
    with queue.slot(1000, learn=False):
        pass  # a fast request sized as an article would make the next estimate far too low
    assert queue.ms_per_token == 3.0
    with queue.slot(1000):
        pass
    assert queue.ms_per_token < 3.0


def test_many_spans_of_one_long_paragraph_read_its_offsets_once(monkeypatch):
    """2,000 spans of a 200,000-character paragraph: each span's UTF-16 offsets were once turned
    into code points by rebuilding the paragraph's table, 400 million steps outside the queue."""
    from unspin.contract import offsets, requests

    calls = []
    real = offsets.utf16_offsets
    monkeypatch.setattr(offsets, "utf16_offsets", lambda text: calls.append(1) or real(text))
    paragraph = "word " * 40_000
    spans = [{"paragraph": 0, "start": 5 * k, "end": 5 * k + 4} for k in range(2000)]
    checked = requests.parse_suggest({"paragraphs": [paragraph], "spans": spans}, 200_000, 10)
    assert len(checked.spans) == 2000 and checked.spans[7] == (0, 35, 39)
    assert len(calls) == 1
