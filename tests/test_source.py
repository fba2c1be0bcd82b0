"""POST /api/v1/source: a page's likely source from the scans the server was given (`--scan`)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from unspin.scan.sources import Sources, address_key

ROWS = [  # as store.finish writes them: the copy names its source by id
    {"id": "src", "url": "https://wire.example/story", "title": "Officials say", "likely_source": None, "source_overlap": None},
    {"id": "copy", "url": "https://farm.example/news/copy/#top", "title": "Officers mention", "likely_source": "src",
     "source_overlap": 0.71},
    {"id": "alone", "url": "https://other.example/a", "title": "Other", "likely_source": None, "source_overlap": None},
]


@pytest.fixture
def scan_dir(tmp_path):
    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "articles.parquet")
    return tmp_path


def test_a_scanned_copy_gets_its_source_and_anything_else_none(make_client, scan_dir, check_contract):
    client = make_client(SCANS=(str(scan_dir),))
    for url in ("https://FARM.example/news/copy", "https://farm.example/news/copy/", "https://farm.example/news/copy#x"):
        response = client.post("/api/v1/source", json={"url": url})
        assert response.status_code == 200
        check_contract("POST", "/api/v1/source", 200, response.json)
        assert response.json == {"source": {"url": "https://wire.example/story", "title": "Officials say", "id": "src",
                                            "overlap": 0.71}}
    for url in ("https://wire.example/story", "https://other.example/a", "https://farm.example/news/copy?page=2",
                "https://farm.example/news/copy\u202e", "https://\u00df\u00del\u0088a\u7172"):
        assert client.post("/api/v1/source", json={"url": url}).json == {"source": None}


def test_without_scans_every_answer_is_none(client, check_contract):
    response = client.post("/api/v1/source", json={"url": "https://farm.example/news/copy"})
    assert response.status_code == 200 and response.json == {"source": None}
    check_contract("POST", "/api/v1/source", 200, response.json)


@pytest.mark.parametrize("body", [{}, {"url": "ftp://x.example/"}, {"url": "https://x.example/" + "a" * 2100},
                                  {"url": 7}, {"url": "https://x.example/", "more": 1}, ["x"]])
def test_a_bad_source_request_is_refused(client, body, check_contract):
    response = client.post("/api/v1/source", json=body)
    assert response.status_code == 400
    check_contract("POST", "/api/v1/source", 400, response.json)


def test_an_unfinished_scan_is_refused_at_start(tmp_path):
    with pytest.raises(FileNotFoundError, match="no finished scan"):
        Sources.load([tmp_path])


def test_addresses_compare_without_case_of_host_fragment_or_final_slash():
    assert address_key("HTTPS://News.Example/A/?q=1#top") == "https://news.example/A?q=1"


def test_serve_refuses_a_folder_without_a_finished_scan(tiny_model, tmp_path, capsys):
    from unspin.cli import main

    code = main(["serve", "--model", str(tiny_model), "--data-dir", str(tmp_path / "data"), "--port", "0",
                 "--scan", str(tmp_path)])
    assert code == 2
    assert f"error: --scan: {tmp_path} holds no finished scan (no articles.parquet)" in capsys.readouterr().err
