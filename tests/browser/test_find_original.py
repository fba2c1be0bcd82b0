"""What the reader does next with a spun page: find the original and send a report on.

"Find the original" on the card, in the popup and in the restored view searches the web for the
article's best restored sentence as an exact phrase, with the browser's own search engine,
through the search API, and only when the reader clicks: the query the API gets is kept by the
test build (`testSearches`), and the search opens in a new tab (there is no network here: the
tab's address is what is checked). A page whose copy a local scan grouped with its source shows
that source first (`unspin serve --scan`). "Copy report" puts a Markdown report of the page on
the clipboard (the test build keeps it too: `testReport`).
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import (ARTIFACTS, LOW_THRESHOLD, SECRETS, analyze, article, card_ready, overlay, start_server,
                      stop_server, wait_for)
from test_corrections import open_card_actions

QUOTES = re.compile(r"[\"“”„«»]")


def one_line(text: str) -> str:
    return " ".join(QUOTES.sub(" ", text).split())


def restored(page_article: dict) -> tuple[list[str], list[str]]:
    """(each paragraph with its marks' top suggestions applied, the suggestions applied)."""
    texts, used = [], []
    for p in page_article["paragraphs"]:
        text, pos = "", 0
        for s in p["spans"]:
            if s["suggestions"]:
                text += p["text"][pos:s["start"]] + s["suggestions"][0]["text"]
                used.append(s["suggestions"][0]["text"])
                pos = s["end"]
        texts.append(one_line(text + p["text"][pos:]))
    return texts, used


def searches(ext) -> list[str]:
    return ext.stored("testSearches", [])


def assert_is_a_restored_phrase(query: str, page_article: dict) -> None:
    """The query is an exact phrase of the restored article holding restored wording."""
    texts, used = restored(page_article)
    assert query.startswith('"') and query.endswith('"') and len(query) > 2, query
    phrase = query[1:-1]
    assert phrase == one_line(phrase)
    assert any(phrase in text for text in texts), (phrase, texts)
    assert any(original in phrase for original in used), (phrase, used)
    assert len(phrase.split()) <= 32


def opened_a_tab(ext, action) -> None:
    """`action()` opens a new tab (the search API's): with no network it shows an error page,
    so only its coming is checked; the query is what the test build kept. It is closed again."""
    with ext.context.expect_page(timeout=30_000) as info:
        action()
    info.value.close()


def test_find_the_original_searches_only_when_asked_from_popup_card_and_restored_view(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    ext.set_storage({"testSearches": []})
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    shown = article(ext, page)
    popup = ext.popup(page)
    assert searches(ext) == []  # the page analysed, the popup open: nothing searched
    find = popup.locator("#find-original")
    wait_for(lambda: find.is_enabled(), message="Find the original enabled")
    opened_a_tab(ext, find.click)
    query = wait_for(lambda: searches(ext), message="the popup's search")[0]
    assert_is_a_restored_phrase(query, shown)
    wait_for(lambda: popup.locator("#action-status").inner_text() == f"Searching your search engine for {query} in a new tab.",
             message="the popup says what it searched")

    # The card: its last action, by keyboard (a trusted Enter on a ready card).
    card = open_card_actions(ext, page)
    names = [a["name"] for a in card["actions"]]
    for _ in range(names.index("Find the original")):
        page.keyboard.press("Tab")
    wait_for(lambda: overlay(ext, page)["card"]["active"] == "Find the original", message="focus on Find the original")
    card_ready(ext, page)
    page.screenshot(path=str(ARTIFACTS / "card-find-original.png"))
    opened_a_tab(ext, lambda: page.keyboard.press("Enter"))
    wait_for(lambda: len(searches(ext)) == 2, message="the card's search")
    assert searches(ext) == [query, query]  # one article, one best sentence
    wait_for(lambda: overlay(ext, page)["card"]["status"].startswith("Searching your search engine for"),
             message="the card says what it searched")

    # The restored view.
    with ext.context.expect_page() as info:
        popup.locator("#restored").click()
    view = info.value
    view.wait_for_selector("article h1")
    opened_a_tab(ext, view.locator("#find-original").click)
    wait_for(lambda: len(searches(ext)) == 3, message="the restored view's search")
    assert searches(ext)[-1] == query


def test_nothing_restored_nothing_searched(ext, pages_url):
    """A clean page: no mark, so the popup offers no search."""
    ext.use_threshold(None)
    ext.set_storage({"testSearches": []})
    page, state = ext.open_done(f"{pages_url}/clean.html")
    assert state["summary"]["spans"] == 0
    popup = ext.popup(page)
    assert popup.locator("#find-original").is_disabled()
    assert popup.locator("#page-source").is_hidden()
    assert searches(ext) == []


@pytest.fixture
def scan_server(model_path, pages_url, tmp_path):
    """A server started with --scan: a finished scan whose copy is this test's spun page."""
    rows = [
        {"id": "wire-1", "url": "https://wire.example/russia-china",
         "title": "Russia asked China for military help, U.S. officials say", "likely_source": None, "source_overlap": None},
        {"id": "copy-1", "url": f"{pages_url}/spun.html", "title": "Russia requested China", "likely_source": "wire-1",
         "source_overlap": 0.62},
    ]
    scan = tmp_path / "scan"
    scan.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), scan / "articles.parquet")
    proc, url = start_server(model_path, extra_args=["--scan", str(scan)])
    yield url
    stop_server(proc)


def test_a_scanned_copy_shows_its_source_first(ext, pages_url, scan_server):
    ext.use_threshold(LOW_THRESHOLD)
    ext.set_storage({"serverUrl": scan_server, "secret": SECRETS[scan_server]})
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    popup = ext.popup(page)
    source = popup.locator("#page-source")
    wait_for(lambda: source.is_visible(), message="the popup's source line")
    assert source.inner_text() == ("Likely source, from your scan: Russia asked China for military help, U.S. officials say "
                                   "(62% of its text in common)")
    assert source.locator("a").get_attribute("href") == "https://wire.example/russia-china"
    # The card shows it first too.
    card = open_card_actions(ext, page)
    assert card["text"].startswith("Likely source, from your scan: Russia asked China")


def test_copy_report_puts_the_pages_marks_on_the_clipboard(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    ext.set_storage({"testReport": None})
    page, state = ext.open_done(f"{pages_url}/spun.html")
    shown = article(ext, page)
    summary = analyze(server_url, [p["text"] for p in shown["paragraphs"]], LOW_THRESHOLD)["summary"]
    popup = ext.popup(page)
    popup.bring_to_front()
    popup.locator("#copy-report").click()
    report = wait_for(lambda: ext.stored("testReport"), message="the copied report")
    wait_for(lambda: popup.locator("#action-status").inner_text() == "Report copied (Markdown): paste it where you want to send it.",
             message="the popup says it copied")
    lines = report.splitlines()
    assert lines[0] == f"## Unspin report: {shown['title']}"
    assert f"Page: <{page.url}>" in lines
    assert f"**{summary['verdict'].capitalize()}** · {round(summary['spun_ratio'] * 100)}% of words spun" in report
    items = [line for line in lines if re.match(r"^\d+\. ", line)]
    spans = [s for p in shown["paragraphs"] for s in p["spans"]]
    assert len(items) == len(spans) == summary["spans"] > 0
    for item, span in zip(items, spans):
        best = span["suggestions"][0]["text"] if span["suggestions"] else None
        assert span["text"] in item and (best is None or f"→ {best} (" in item), (item, span)
    # What the clipboard holds, pasted as a reader would: Ctrl+V into a text box.
    page.bring_to_front()
    page.evaluate("() => { const box = document.createElement('textarea'); box.id = 'paste'; "
                  "document.body.prepend(box); box.focus(); }")
    page.keyboard.press("Control+V")
    assert page.locator("#paste").input_value() == report
    (ARTIFACTS / "report.md").write_text(report)
