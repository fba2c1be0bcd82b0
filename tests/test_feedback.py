"""Readers' corrections: the API stores them locally (SQLite, concurrent writers), the command
line exports, counts and clears them."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from unspin.cli import main
from unspin.feedback import FeedbackStore, read_feedback

FEEDBACK = "/api/v1/feedback"
PARAGRAPH = "😀 The war ended final month, officers said."


@pytest.fixture
def store_client(make_client, tmp_path):
    return make_client(DATA_DIR=str(tmp_path)), FeedbackStore(tmp_path)


def test_a_correction_is_stored_with_code_point_offsets(store_client, check_contract):
    client, store = store_client
    start = PARAGRAPH.index("final month")
    utf16 = start + 1  # the emoji is two UTF-16 code units
    response = client.post(FEEDBACK, json={"paragraph": PARAGRAPH, "start": utf16, "end": utf16 + 11,
                                           "label": "spun", "original": " last month "})
    assert response.status_code == 201
    check_contract("POST", FEEDBACK, 201, response.json)
    dismissed = client.post(FEEDBACK, json={"paragraph": PARAGRAPH, "start": PARAGRAPH.index("officers"),
                                            "end": PARAGRAPH.index("officers") + 8, "offset_unit": "codepoint",
                                            "label": "not_spun", "url": "https://news.example/a"})
    assert dismissed.status_code == 201 and dismissed.json["id"] == response.json["id"] + 1
    first, second = store.records()
    assert (first["span"], first["start"], first["label"], first["original"], first["url"]) == (
        "final month", start, "spun", "last month", None)
    assert (second["span"], second["label"], second["url"]) == ("officers", "not_spun", "https://news.example/a")
    assert first["time"].endswith("+00:00")


@pytest.mark.parametrize("body", [
    {"paragraph": PARAGRAPH, "start": 1, "end": 2, "label": "spun"},  # inside the emoji's surrogate pair
    {"paragraph": PARAGRAPH, "start": 5, "end": 5, "label": "spun"},  # empty
    {"paragraph": PARAGRAPH, "start": 0, "end": 999, "label": "spun"},
    {"paragraph": PARAGRAPH, "start": 0, "end": 3, "label": "maybe"},
    {"paragraph": PARAGRAPH, "start": 0, "end": 3, "label": "not_spun", "original": "x"},
    {"paragraph": PARAGRAPH, "start": 0, "end": 3, "label": "spun", "url": "javascript:alert(1)"},
    {"paragraph": "", "start": 0, "end": 1, "label": "spun"},
    {"paragraph": PARAGRAPH, "start": 0, "end": 3, "label": "spun", "extra": 1},
])
def test_bad_corrections_are_refused_and_not_stored(store_client, body):
    client, store = store_client
    response = client.post(FEEDBACK, json=body)
    assert response.status_code == 400
    assert store.records() == []


def test_concurrent_corrections_are_all_kept(store_client):
    client, store = store_client
    app = client.application

    def send(k):
        local = app.test_client()
        for i in range(10):
            body = {"paragraph": f"Paragraph {k}-{i} of the war.", "start": 0, "end": 9, "label": "not_spun"}
            assert local.post(FEEDBACK, json=body).status_code == 201

    threads = [threading.Thread(target=send, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = store.records()
    assert len(records) == 80 and len({r["id"] for r in records}) == 80
    assert sqlite3.connect(store.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_feedback_command_exports_counts_and_clears(tmp_path, capsys):
    store = FeedbackStore(tmp_path)
    final, officers = PARAGRAPH.index("final month"), PARAGRAPH.index("officers")
    store.add(PARAGRAPH, final, final + 11, "spun", "last month")
    store.add(PARAGRAPH, officers, officers + 8, "not_spun")
    assert main(["feedback", "stats", "--data-dir", str(tmp_path)]) == 0
    assert "2 correction(s)" in capsys.readouterr().out
    assert main(["feedback", "export", "--data-dir", str(tmp_path)]) == 0
    exported = tmp_path / "export.jsonl"
    exported.write_text(capsys.readouterr().out, encoding="utf-8")
    assert [r["span"] for r in read_feedback(exported)] == ["final month", "officers"]
    assert read_feedback(tmp_path) == read_feedback(store.path) == read_feedback(exported)
    assert main(["feedback", "clear", "--data-dir", str(tmp_path)]) == 2  # not confirmed
    assert len(store.records()) == 2
    assert main(["feedback", "clear", "--yes", "--data-dir", str(tmp_path)]) == 0
    assert store.records() == [] and b"final month" not in store.path.read_bytes()


def test_reading_feedback_that_is_not_there_says_so(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_feedback(tmp_path / "nothing.jsonl")
    (tmp_path / "bad.jsonl").write_text(json.dumps({"text": "x"}) + "\n")
    with pytest.raises(ValueError):
        read_feedback(tmp_path / "bad.jsonl")


def test_one_correction_in_five_is_held_out_once_there_are_ten():
    from unspin.feedback import split_feedback

    few = [{"id": k, "label": "spun"} for k in range(1, 10)]
    assert split_feedback(few) == (few, [])
    many = [{"id": k, "label": "spun"} for k in range(1, 21)]
    train, held = split_feedback(many)
    assert [r["id"] for r in held] == [5, 10, 15, 20] and len(train) == 16
    no_ids = [{"label": "spun"} for _ in range(10)]
    assert len(split_feedback(no_ids)[1]) == 2
