"""`unspin scan`: inputs, rows, resumption after kill -9, grouping, and Ray's rows equal to the
single process's. The model is the tiny one (tests/conftest.py): its marks are arbitrary, which is
enough to check that every article gets exactly one consistent row. The scan's accuracy and
speed are measured by `unspin crawl` + `unspin scan` + `unspin grouping` (docs/scan.md)."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path
from random import Random

import pyarrow.parquet as pq
import pytest

from unspin.cli import main as cli
from unspin.scan.groups import group_articles, signature
from unspin.scan.inputs import read_documents
from unspin.scan.rows import restored_text
from unspin.scan.store import PART_ROWS
from unspin.scripts.data.crawl import make_pages, write_warc
from unspin.scripts.data.dataset import load_lexicons, make_spinners
from unspin.scripts.evaluation.grouping import grouping_figures

DATA = Path(__file__).parent / "fixtures" / "data"


def _articles() -> list[tuple[str, str, list[str]]]:
    lines = [json.loads(line) for line in open(DATA / "news_small.jsonl", encoding="utf-8")]
    return [(a["id"], "news", [p for p in a["text"].split("\n\n") if p.strip()]) for a in lines]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> tuple[Path, Path]:
    """A small WARC (4 stories spun 2-3 times by the fixture thesauri's profiles, 4 unrelated pages,
    a broken page, a page without article, an image, a redirect) and its truth file."""
    lex = load_lexicons(Namespace(moby=str(DATA / "moby_tiny.txt"), mythes=str(DATA / "mythes_tiny.dat"),
                                  ppdb=str(DATA / "ppdb_tiny.txt"), tortured=str(DATA / "tortured_tiny.tsv"),
                                  glove=False))
    pages = make_pages(_articles(), make_spinners(lex), Namespace(sources=4, copies=(2, 3), unrelated=4), Random(3))
    out = tmp_path_factory.mktemp("crawl") / "crawl.warc.gz"
    write_warc(pages, out)
    truth = out.with_name(out.name + ".truth.jsonl")
    truth.write_text("".join(json.dumps({k: p[k] for k in ("url", "role", "story", "profile")}) + "\n" for p in pages))
    return out, truth


def _scan(inputs: list[Path], out: Path, model: Path, *extra: str) -> int:
    return cli(["scan", *map(str, inputs), "--out", str(out), "--model", str(model), "--threads", "1",
                "--precision", "fp32", *extra])


def _rows(out: Path) -> list[dict]:
    return pq.read_table(out / "articles.parquet").to_pylist()


def test_inputs_read_every_kind_and_record_what_fails(tmp_path, crawl):
    jsonl = tmp_path / "a.jsonl.gz"
    with gzip.open(jsonl, "wb") as handle:
        handle.write(b'{"id": 7, "text": "Plain text.", "url": "https://a.example/7"}\n\n'
                     b'not json\n{"title": "no text"}\n["a list"]\n{"text": "caf\xe9"}\n')
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_bytes(b"\xff\xfe bad")
    (folder / "sub" / "a.html").write_text("<html><body><p>x</p></body></html>")
    (folder / "notes.md").write_text("ignored")
    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\n" + bytes(range(256)))
    documents = list(read_documents([jsonl, folder, crawl[0], damaged]))
    assert documents.pop().error.startswith("the rest of the file could not be read: ")
    assert [d.seq for d in documents] == list(range(len(documents)))
    first = documents[0]
    assert (first.id, first.text, first.url, first.error) == ("7", "Plain text.", "https://a.example/7", None)
    assert [d.error.split(":")[0] for d in documents[1:5]] == ["not JSON", "`text` is missing, empty or not a string",
                                                              "not a JSON object", "not UTF-8 text (byte 13)"]
    assert documents[5].id == "b.txt" and documents[5].error.startswith("not UTF-8")
    assert documents[6].id == "sub/a.html" and documents[6].html
    warc = documents[7:]
    truth = [json.loads(line) for line in crawl[1].read_text().splitlines()]
    assert [d.url for d in warc] == [t["url"] for t in truth]  # responses only: no request, image, redirect
    assert all(d.html and d.date and d.id.startswith("<urn:uuid:") for d in warc)
    assert len({d.key for d in documents}) == len(documents)


def test_hostile_documents_are_rows_with_their_error_and_the_rest_is_read(tmp_path, crawl):
    jsonl = tmp_path / "hostile.jsonl"
    jsonl.write_text('{"id": "s", "title": "Bad \\udc00 title", "text": "A lone \\ud800 surrogate."}\n'
                     + "[" * 100_000 + "]" * 100_000 + "\n" + json.dumps({"id": "after", "text": "Still read."}) + "\n")
    whole = gzip.decompress(crawl[0].read_bytes())
    truncated = tmp_path / "truncated.warc"
    truncated.write_bytes(whole[: whole.index(b"</article>")])  # the file ends inside the first page
    documents = list(read_documents([jsonl, jsonl, truncated]))  # the same input twice: read once
    assert [d.id for d in documents[:3]] == ["s", "hostile.jsonl:2", "after"]
    assert (documents[0].title, documents[0].text) == ("Bad \ufffd title", "A lone \ufffd surrogate.")
    assert documents[1].error == "not JSON: RecursionError"
    assert documents[-1].error.startswith("the record is damaged")


def test_scan_writes_one_consistent_row_per_document_and_a_report(tmp_path, crawl, tiny_model):
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"id": "emoji", "text": "Emoji 🎉 come first.\n\nThen the final month of 🎉 news."})
                     + "\n" + json.dumps({"id": "long", "text": "word " * 3000}) + "\n")
    assert _scan([crawl[0], jsonl], tmp_path / "out", tiny_model, "--max-tokens", "2000") == 0
    rows = _rows(tmp_path / "out")
    truth = [json.loads(line) for line in crawl[1].read_text().splitlines()]
    assert [r["url"] for r in rows[: len(truth)]] == [t["url"] for t in truth]
    assert [r["id"] for r in rows[len(truth):]] == ["emoji", "long"]
    by_role = {t["role"]: r for t, r in zip(truth, rows)}
    assert by_role["no-article"]["error"] == "no article text found in the page"
    assert rows[-1]["error"].startswith("too long: ") and "(limit 2000)" in rows[-1]["error"]
    for row in rows:
        assert row["model_version"] and (row["error"] is None) == (row["verdict"] is not None)
        if row["error"] is None:
            assert row["words"] > 0 and 0 <= row["score"] <= 1
            for span in row["spans"]:
                assert row["text"][span["start"] : span["end"]] == span["text"]  # code points, emoji included
            assert row["restored"] == restored_text(row["text"], row["spans"])
    report = (tmp_path / "out" / "report.html").read_text()
    assert "Unspin scan report" in report and report.count("data:image/png;base64,") >= 1
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["articles"] == len(rows)


def test_a_killed_scan_resumes_with_every_article_exactly_once(tmp_path, tiny_model):
    inputs = tmp_path / "many.jsonl"
    texts = [a for _, _, paras in _articles() for a in paras]
    count = 6 * PART_ROWS
    inputs.write_text("".join(json.dumps({"id": f"d{i}", "text": texts[i % len(texts)] + f" Item {i}."}) + "\n"
                              for i in range(count)))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "unspin.cli", "scan", str(inputs), "--out", str(out), "--model", str(tiny_model),
               "--threads", "1", "--precision", "fp32", "--no-report"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list((out / "parts").glob("part-*.parquet")) and time.monotonic() < deadline:
        assert process.poll() is None, "the scan ended before it could be killed"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stored = sum(pq.read_metadata(p).num_rows for p in (out / "parts").glob("part-*.parquet"))
    assert 0 < stored < count  # killed in the middle
    assert subprocess.run(command, capture_output=True).returncode == 0
    ids = [r["id"] for r in _rows(out)]
    assert sorted(ids) == sorted(f"d{i}" for i in range(count))


def test_a_scan_of_other_inputs_is_not_mixed_into_an_output_folder(tmp_path, tiny_model, capsys):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (first, second):
        path.write_text(json.dumps({"text": "A short text."}) + "\n")
    assert _scan([first], tmp_path / "out", tiny_model, "--no-report") == 0
    assert _scan([second], tmp_path / "out", tiny_model, "--no-report") == 2
    assert "holds a scan with another setting of inputs" in capsys.readouterr().err
    assert _scan([tmp_path / "missing.warc"], tmp_path / "other", tiny_model) == 2
    assert _scan([first], tmp_path / "out", tiny_model, "--max-tokens", "100", "--no-report") == 2  # other settings
    (tmp_path / "out" / "parts" / "part-000009.parquet").write_text("not parquet")
    assert _scan([first], tmp_path / "out", tiny_model, "--no-report") == 2
    assert "part-000009.parquet is damaged" in capsys.readouterr().err
    (tmp_path / "file").write_text("")
    assert _scan([first], tmp_path / "file", tiny_model) == 2  # --out is a file: a message, no traceback


def test_the_output_folder_inside_an_input_folder_is_not_read_back(tmp_path, tiny_model):
    (tmp_path / "a.txt").write_text("A short text to scan twice.")
    for _ in range(2):
        assert _scan([tmp_path], tmp_path / "out", tiny_model) == 0
    assert [r["id"] for r in _rows(tmp_path / "out")] == ["a.txt"]


def test_copies_are_grouped_with_their_unspun_source():
    rng = Random(0)
    vocabulary = [f"w{i}" for i in range(3000)]
    stories = [[rng.choice(vocabulary) for _ in range(300)] for _ in range(3)]

    def copy(words: list[str], share: float) -> str:
        return " ".join(rng.choice(vocabulary) if rng.random() < share else w for w in words)

    texts = [" ".join(stories[0]), copy(stories[0], 0.05), copy(stories[0], 0.1), " ".join(stories[1]),
             copy(stories[2], 0.05), copy(stories[2], 0.05), "too short to group"]
    scores = [0.01, 0.3, 0.02, 0.0, 0.3, 0.3, 0.0]
    can_be_source = [True, False, True, True, False, False, True]  # not likely spun
    grouping = group_articles([f"a{i}" for i in range(len(texts))], [signature(t) for t in texts], scores,
                              can_be_source)
    assert grouping.group == [0, 0, 0, None, 1, 1, None]
    # the least spun member that may be a source; group 1 holds only likely spun pages
    assert grouping.likely_source == [None, "a0", "a0", None, None, None, None]
    assert 0.5 < grouping.source_overlap[2] < grouping.source_overlap[1] <= 1


def test_grouping_figures():
    truth = {"s": {"role": "source", "story": "s"}, "c1": {"role": "copy", "story": "s"},
             "c2": {"role": "copy", "story": "s"}, "u": {"role": "unrelated", "story": None}}
    rows = [{"url": "s", "id": "S", "group": 0, "likely_source": None, "error": None},
            {"url": "c1", "id": "C1", "group": 0, "likely_source": "S", "error": None},
            {"url": "c2", "id": "C2", "group": 1, "likely_source": None, "error": None},
            {"url": "u", "id": "U", "group": 1, "likely_source": None, "error": None}]
    assert grouping_figures(rows, truth) == {"pages": 4, "copies": 2, "groups": 2, "copies_with_source": 0.5,
                                             "source_named": 0.5, "wrongly_grouped": 0.5}


def test_ray_local_mode_gives_the_single_process_rows(tmp_path, crawl, tiny_model):
    assert _scan([crawl[0]], tmp_path / "single", tiny_model, "--no-report") == 0
    assert _scan([crawl[0]], tmp_path / "ray", tiny_model, "--no-report", "--ray", "--workers", "2",
                 "--batch-size", "3") == 0
    single, ray = _rows(tmp_path / "single"), _rows(tmp_path / "ray")
    assert len(single) == len(ray) > 10
    assert single == ray
