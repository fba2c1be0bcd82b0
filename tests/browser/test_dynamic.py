"""Dynamic pages: paragraphs added after load, content removed, single-page-app navigation;
unchanged text is never sent to the server twice."""

from __future__ import annotations

import time

from conftest import LOW_THRESHOLD, article, expected_span_texts, marks, paragraph_texts, wait_for


def sent_paragraphs(ext) -> int:
    return ext.sw("() => unspin.stats.paragraphsSent")


def test_appended_then_removed_paragraphs(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page = ext.context.new_page()
    page.goto(f"{pages_url}/append.html")
    wait_for(lambda: page.evaluate("document.documentElement.dataset.appended") == "yes", message="append")
    late = paragraph_texts(page, "p.late")
    wait_for(lambda: all(t in [p["text"] for p in article(ext, page)["paragraphs"]] for t in late),
             message="late paragraphs analysed")
    state = ext.wait_status(page)
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    want = expected_span_texts(server_url, texts, LOW_THRESHOLD)
    assert want and [m["text"] for m in marks(page)] == want
    assert state["paragraphs"] == 5  # headline, 2 first, 2 late

    # Removed content leaves no marks behind (not even collapsed ranges).
    page.evaluate("removeParagraphs('p.late')")
    remaining = [t for t in texts if t not in late]
    want = expected_span_texts(server_url, remaining, LOW_THRESHOLD)
    wait_for(lambda: [m["text"] for m in marks(page)] == want and all(not m["collapsed"] for m in marks(page)),
             message="marks of removed paragraphs gone")

    # A reload sends nothing: every paragraph is cached.
    before = sent_paragraphs(ext)
    page.reload()
    wait_for(lambda: page.evaluate("document.documentElement.dataset.appended") == "yes", message="append again")
    time.sleep(1.0)
    ext.wait_status(page)
    assert sent_paragraphs(ext) == before


def test_spa_route_change(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page = ext.context.new_page()
    page.goto(f"{pages_url}/spa/one")
    ext.wait_status(page)
    one = [p["text"] for p in article(ext, page)["paragraphs"]]
    assert one[0] == "Russia Requested China for Army Gear, U.S. Officers Say"
    page.click("#to-two")
    assert page.url.endswith("/spa/two")
    two = paragraph_texts(page, "#app h1, #app p")
    wait_for(lambda: [p["text"] for p in (article(ext, page) or {"paragraphs": []})["paragraphs"]] == two,
             message="the new route's article")
    state = ext.wait_status(page)
    want = expected_span_texts(server_url, two, LOW_THRESHOLD)
    wait_for(lambda: [m["text"] for m in marks(page)] == want, message="marks of the new route only")
    assert state["summary"]["spans"] == len(want)
    # Back: the first article again, from the cache.
    before = sent_paragraphs(ext)
    page.go_back()
    wait_for(lambda: [p["text"] for p in article(ext, page)["paragraphs"]] == one, message="back to route one")
    ext.wait_status(page)
    wait_for(lambda: [m["text"] for m in marks(page)] == expected_span_texts(server_url, one, LOW_THRESHOLD), message="marks of route one")
    assert sent_paragraphs(ext) == before
