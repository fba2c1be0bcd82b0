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


def test_concurrent_corrections_are_all_kept(make_client, sign_in, tmp_path):
    app, store = make_client(DATA_DIR=str(tmp_path), FEEDBACK_PER_MINUTE=100).application, FeedbackStore(tmp_path)

    def send(k):
        local = sign_in(app)
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


def test_writers_racing_to_create_the_store_all_succeed(tmp_path):
    """Writers racing on a new store once failed, about one store in thirty, in three ways:
    switching the file to WAL and upgrading a deferred transaction to a write both fail at once
    ('database is locked') instead of waiting, and the write-ahead log can go between the room
    check's exists() and stat() (FileNotFoundError)."""
    failures = []

    def send(folder, k):
        for i in range(5):
            try:
                FeedbackStore(folder).add(f"Paragraph {k}-{i} of the war.", 0, 9, "not_spun")
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                failures.append(exc)

    for trial in range(40):
        folder = tmp_path / str(trial)
        threads = [threading.Thread(target=send, args=(folder, k)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures and len(FeedbackStore(folder).records()) == 40


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


# --- what the security review found (each test failed before its fix) -----------------------------


@pytest.mark.parametrize("original", ["last\nmonth\thijacked", "last\tmonth", "last\u2028month", "last\u202emonth",
                                      "last\u0085month", "last\u200bmonth"])
def test_an_original_with_control_or_invisible_characters_is_refused(store_client, original):
    client, store = store_client
    start = PARAGRAPH.index("final month")
    response = client.post(FEEDBACK, json={"paragraph": PARAGRAPH, "start": start, "end": start + 11,
                                           "offset_unit": "codepoint", "label": "spun", "original": original})
    assert response.status_code == 400 and "U+" in response.json["error"]["message"]
    assert store.records() == []


def test_the_store_is_readable_by_its_owner_only(store_client, tmp_path):
    client, _ = store_client
    folder = tmp_path / "new" / "unspin"
    store = FeedbackStore(folder)
    store.add(PARAGRAPH, 2, 5, "not_spun")
    assert folder.stat().st_mode & 0o777 == 0o700
    reader = sqlite3.connect(store.path)  # SQLite keeps its -wal and -shm files while a connection is open
    try:
        reader.execute("SELECT count(*) FROM feedback").fetchone()
        store.add(PARAGRAPH, 2, 5, "not_spun")
        for suffix in ("", "-wal", "-shm"):
            path = store.path.with_name(store.path.name + suffix)
            assert path.stat().st_mode & 0o777 == 0o600, path
    finally:
        reader.close()
    older = FeedbackStore(tmp_path / "older")  # a file an older version left 0644 is made private
    older.add(PARAGRAPH, 2, 5, "not_spun")
    older.path.chmod(0o644)
    older.add(PARAGRAPH, 2, 5, "not_spun")
    assert older.path.stat().st_mode & 0o777 == 0o600


def test_corrections_are_kept_at_a_bounded_rate(make_client, tmp_path):
    client = make_client(DATA_DIR=str(tmp_path), FEEDBACK_PER_MINUTE=3)
    body = {"paragraph": PARAGRAPH, "start": 2, "end": 5, "label": "not_spun", "offset_unit": "codepoint"}
    assert [client.post(FEEDBACK, json=body).status_code for _ in range(3)] == [201] * 3
    refused = client.post(FEEDBACK, json=body)
    assert refused.status_code == 429 and refused.json["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert len(FeedbackStore(tmp_path).records()) == 3


def test_the_store_stops_at_its_size_limit_and_before_the_disk_is_full(store_client, monkeypatch):
    from unspin import feedback

    client, store = store_client
    body = {"paragraph": "x" * 100_000, "start": 0, "end": 5, "label": "not_spun"}
    assert client.post(FEEDBACK, json=body).status_code == 201
    monkeypatch.setattr(feedback, "MAX_BYTES", store.path.stat().st_size + 150_000)
    full = client.post(FEEDBACK, json=body)
    assert full.status_code == 507 and full.json["error"]["code"] == "storage_full"
    assert "limit" in full.json["error"]["message"] and len(store.records()) == 1
    monkeypatch.setattr(feedback, "MAX_BYTES", 1 << 40)
    monkeypatch.setattr(feedback, "MIN_FREE_BYTES", 1 << 60)  # more than any disk has free
    assert client.post(FEEDBACK, json=body).status_code == 507 and len(store.records()) == 1


def test_export_escapes_terminal_controls_and_bidi_characters(tmp_path, capsys):
    paragraph = "Evil\u202e txt.exe \u0085\u001b[2J and \U000e0041 here, officers said."
    store = FeedbackStore(tmp_path)
    store.add(paragraph, paragraph.index("officers"), paragraph.index("officers") + 8, "not_spun")
    assert main(["feedback", "export", "--data-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert not any(ch in printed for ch in "\u202e\u0085\u001b\U000e0041")
    assert "\\u202e" in printed and json.loads(printed)["paragraph"] == paragraph


def test_a_feedback_file_from_elsewhere_is_read_only_and_its_schema_distrusted(tmp_path):
    crafted = tmp_path / "crafted.sqlite3"  # "feedback" is a view: its query would run on read
    with sqlite3.connect(crafted) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("CREATE VIEW feedback AS SELECT 1 AS id, 2 AS time, 3 AS paragraph, 4 AS start, "
                           '5 AS "end", 6 AS span, 7 AS label, 8 AS original, 9 AS url FROM t')
    with pytest.raises(ValueError, match="not an Unspin feedback database"):
        read_feedback(crafted)
    store = FeedbackStore(tmp_path / "real")
    store.add(PARAGRAPH, 2, 5, "not_spun")
    store.path.chmod(0o400)  # read-only opening: a file we may not write is still read
    try:
        assert [r["label"] for r in read_feedback(store.path)] == ["not_spun"]
    finally:
        store.path.chmod(0o600)


def test_a_span_with_controls_is_refused_but_a_soft_hyphen_inside_a_word_is_kept(store_client):
    client, store = store_client
    for paragraph, ok in (("The war\u00adfare went on.", True), ("The war\u202efare went on.", False),
                          ("The war\u0085fare went on.", False)):
        response = client.post(FEEDBACK, json={"paragraph": paragraph, "start": 4, "end": 12, "label": "not_spun",
                                               "offset_unit": "codepoint"})
        assert response.status_code == (201 if ok else 400), paragraph
    assert [r["span"] for r in store.records()] == ["war\u00adfare"]


def test_corrections_with_controls_in_a_file_from_elsewhere_are_left_out(tmp_path, capsys):
    good = {"paragraph": PARAGRAPH, "span": "final month", "start": 6, "end": 17, "label": "spun", "original": "last month"}
    bad = [{**good, "original": "last\nmonth\thijacked"}, {**good, "span": "final\u202emonth"},
           {**good, "url": "https://a.example/\u2028x"}]
    export = tmp_path / "export.jsonl"
    export.write_text("".join(json.dumps(r) + "\n" for r in [good, *bad]), encoding="utf-8")
    assert read_feedback(export) == [good]
    assert "3 correction(s) with control or invisible characters left out" in capsys.readouterr().err


def test_the_store_stops_at_its_row_limit(store_client, monkeypatch):
    from unspin import feedback

    client, store = store_client
    body = {"paragraph": PARAGRAPH, "start": 2, "end": 5, "label": "not_spun", "offset_unit": "codepoint"}
    monkeypatch.setattr(feedback, "MAX_ROWS", 2)
    assert [client.post(FEEDBACK, json=body).status_code for _ in range(3)] == [201, 201, 507]
    assert len(store.records()) == 2
