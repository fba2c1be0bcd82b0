"""Dynamic pages: paragraphs added after load, content removed, single-page-app navigation.

The server decides per article, so the extension sends the whole article as one document (one
request) whenever its paragraph list changes, and an article it has seen before, unchanged, is
never sent twice (the background caches answers per document)."""

from __future__ import annotations

import time

from conftest import LOW_THRESHOLD, article, expected_span_texts, marks, paragraph_texts, sent, wait_for

EXTRA = ("Officials said the talks would continue this week, and that no decision had been made "
         "about the request.")


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

    # A reload sends nothing: every version of the article it goes through is cached (once
    # the answer for the last one has come: the marks of removed paragraphs go before it).
    wait_for(lambda: sent(ext)["inFlight"] == 0, message="no request in flight")
    before = sent(ext)
    page.reload()
    wait_for(lambda: page.evaluate("document.documentElement.dataset.appended") == "yes", message="append again")
    time.sleep(1.0)
    ext.wait_status(page)
    assert sent(ext) == before


def test_appended_paragraph_sends_the_whole_article(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page = ext.context.new_page()
    page.goto(f"{pages_url}/append.html")
    wait_for(lambda: page.evaluate("document.documentElement.dataset.appended") == "yes", message="append")
    wait_for(lambda: len(article(ext, page)["paragraphs"]) == 5, message="late paragraphs extracted")
    ext.wait_status(page)
    before = sent(ext)

    # One more paragraph: one request with the whole new article, and marks from its answer.
    page.evaluate("text => { const p = document.createElement('p'); p.textContent = text;"
                  " document.getElementById('feed').append(p); }", EXTRA)
    wait_for(lambda: EXTRA in [p["text"] for p in article(ext, page)["paragraphs"]], message="the new paragraph extracted")
    state = ext.wait_status(page)
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    assert len(texts) == state["paragraphs"] == 6
    after = sent(ext)
    assert after["requests"] == before["requests"] + 1
    assert after["paragraphs"] == before["paragraphs"] + len(texts)
    want = expected_span_texts(server_url, texts, LOW_THRESHOLD)
    wait_for(lambda: [m["text"] for m in marks(page)] == want, message=f"marks of the whole new article: {want}")
    assert state["summary"]["spans"] == len(want)

    # A re-scan of the unchanged article (a change elsewhere on the page) sends nothing.
    page.evaluate("document.body.append(document.createElement('div'))")
    time.sleep(1.0)  # past the observer's debounce
    ext.wait_status(page)
    assert sent(ext) == after


def test_same_article_in_two_tabs_is_one_request(ext, pages_url):
    ext.use_threshold(0.25)  # a setting no other test uses: nothing cached yet
    before = sent(ext)
    pages = [ext.context.new_page() for _ in range(2)]
    for page in pages:
        page.goto(f"{pages_url}/link-split.html")
    for page in pages:
        ext.wait_status(page)
    assert article(ext, pages[0])["paragraphs"] == article(ext, pages[1])["paragraphs"]
    after = sent(ext)
    assert after["requests"] == before["requests"] + 1
    assert after["paragraphs"] == before["paragraphs"] + len(article(ext, pages[0])["paragraphs"])


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
    before = sent(ext)
    page.go_back()
    wait_for(lambda: [p["text"] for p in article(ext, page)["paragraphs"]] == one, message="back to route one")
    ext.wait_status(page)
    want = expected_span_texts(server_url, one, LOW_THRESHOLD)
    wait_for(lambda: [m["text"] for m in marks(page)] == want, message="marks of route one")
    assert sent(ext) == before
