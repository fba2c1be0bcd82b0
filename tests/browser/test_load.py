"""Load and bounded work: what the extension sends while the server is slow, busy or small.

The extension talks to a small proxy in front of the real server (load_proxy.py), which holds
analyze requests for a while (an analysis in flight), answers 503 with Retry-After or 413 when a
test asks it to, reports lower limits in GET /api/v1/health, and records what reached it. Marks
are compared with the real server's own answer for the article the extension sent.
- A page whose article changes while an analysis is in flight: one request at a time for the
  tab, each older one aborted (the server sees the disconnect), marks for the newest version.
- Several same-origin iframes with an article each: the tab's budget (here the server's lower
  max_tokens) holds for all of them together.
- A busy server (503): the state and the popup say so, the request is retried after
  Retry-After, then the marks appear; a newer version of the article cancels the retry.
- Over the server's token limit (413 with its count): the selection shrinks, and is sent once more.
"""

from __future__ import annotations

import re
import time

import pytest
from conftest import (BIG_PARAGRAPHS, LOW_THRESHOLD, SECRETS, article, estimate, expected_span_texts, marks, sent, serve,
                      story, wait_for)
from load_proxy import LoadProxy

TITLE = "Russia Requested China for Army Gear, U.S. Officers Say"


@pytest.fixture
def proxy(ext, server_url):
    """A LoadProxy in front of the test server, set as the extension's server address (a new
    address: nothing cached for it, its limits asked afresh)."""
    proxy = LoadProxy(server_url, SECRETS[server_url])
    ext.set_storage({"serverUrl": proxy.url})
    yield proxy
    proxy.close()


def reset_peak(ext):
    """Count the most requests in flight at once from now on."""
    ext.sw("() => { unspin.stats.peakInFlight = unspin.stats.inFlight; }")


def append_paragraph(page, text: str):
    page.evaluate("text => { const p = document.createElement('p'); p.textContent = text;"
                  " document.querySelector('article').append(p); }", text)


def test_a_changing_article_sends_one_request_at_a_time_and_shows_the_newest(ext, proxy, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    proxy.hold_s = 2.0  # each version stays in flight while the page changes again
    reset_peak(ext)
    before = sent(ext)
    page = ext.context.new_page()
    serve(page, f"{pages_url}/generated/changing.html", story(TITLE, BIG_PARAGRAPHS[:2]))
    page.goto(f"{pages_url}/generated/changing.html")
    versions = 4
    for n in range(1, versions):
        # The n-th version reached the server and waits there: the page changes again.
        wait_for(lambda n=n: len(proxy.analyze_texts()) == n, message=f"version {n} sent")
        append_paragraph(page, f"Update {n}: {BIG_PARAGRAPHS[(n + 1) % len(BIG_PARAGRAPHS)]}")
    wait_for(lambda: len(proxy.analyze_texts()) == versions, message="the newest version sent")
    state = ext.wait_status(page)
    asked = proxy.analyze_texts()
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    assert asked[-1] == texts and len(texts) == 3 + versions - 1  # headline, 2 paragraphs, the updates
    assert [len(t) for t in asked] == [3 + n for n in range(versions)]  # each a newer version
    # Each older version was aborted by the extension, and the server saw its client go.
    after = sent(ext)
    assert after["requests"] - before["requests"] == versions
    assert after["aborted"] - before["aborted"] == versions - 1
    wait_for(lambda: proxy.dropped == versions - 1, message="the server saw the aborted requests go")
    assert after["peakInFlight"] == 1  # never two requests at once
    # The marks are the newest version's.
    want = expected_span_texts(server_url, texts, LOW_THRESHOLD)
    assert want
    wait_for(lambda: [m["text"] for m in marks(page)] == want, message=f"marks of the newest version: {want}")
    assert state["summary"]["paragraphs"] == len(texts)


def test_sibling_frames_share_the_tabs_budget(ext, proxy, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    stories = [[f"Story {s} update {i}: {BIG_PARAGRAPHS[(s + i) % len(BIG_PARAGRAPHS)]}" for i in range(6)] for s in range(3)]
    per_story = estimate(ext, stories[0])
    budget = int(per_story * 1.5)  # the server's limit: room for one story and a half
    proxy.limits = {"max_tokens": budget, "max_paragraphs": 2000}
    reset_peak(ext)
    before = sent(ext)
    page = ext.context.new_page()
    for s, paragraphs in enumerate(stories):
        serve(page, f"{pages_url}/generated/story-{s}.html", story(f"Story {s}: Army Gear Requested", paragraphs))
    frames = "".join(f'<iframe src="story-{s}.html" title="Story {s}"></iframe>' for s in range(3))
    serve(page, f"{pages_url}/generated/shell.html",
          f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Today</title></head><body>{frames}</body></html>")
    page.goto(f"{pages_url}/generated/shell.html")
    # Every frame with an article has been answered, or found the tab's budget spent.
    wait_for(lambda: len(proxy.analyze_texts()) >= 2, message="two frames' requests", timeout=60)
    wait_for(lambda: not ext.sw("() => Object.values(unspin.tabs()).some(t => t.running || t.waiting)"),
             message="the tab's work done", timeout=120)
    asked = proxy.analyze_texts()
    total = estimate(ext, [t for texts in asked for t in texts])
    assert total <= budget, f"{total} tokens sent for a tab budget of {budget}"
    assert len(asked) >= 2  # shared: one whole story, then what is left for the others
    assert sent(ext)["tokens"] - before["tokens"] == total
    assert sent(ext)["peakInFlight"] == 1


def test_a_busy_server_is_shown_and_retried(ext, proxy, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    proxy.busy = 1
    proxy.retry_after = 3
    before = sent(ext)
    page = ext.context.new_page()
    page.goto(f"{pages_url}/spun.html")
    state = ext.wait_status(page, want=("busy",), timeout=30)
    assert 0 < state["retryAt"] / 1000 - time.time() <= proxy.retry_after
    popup = ext.popup(page)
    wait_for(lambda: re.fullmatch(r"Server busy — retrying in [1-3] s", popup.locator("#verdict").inner_text()),
             message="the popup says the server is busy")
    assert ext.sw("id => chrome.action.getTitle({tabId: id})", ext.tab_id(page)).startswith("Unspin: server busy")
    # Asked again after Retry-After: the marks appear, and the popup follows.
    state = ext.wait_status(page, timeout=60)
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    want = expected_span_texts(server_url, texts, LOW_THRESHOLD)
    wait_for(lambda: [m["text"] for m in marks(page)] == want, message="marks after the retry")
    wait_for(lambda: popup.locator("#verdict").inner_text().lower() == state["summary"]["verdict"], message="popup verdict")
    assert proxy.busy_answers == 1 and proxy.analyze_texts() == [texts, texts]
    after = sent(ext)
    assert (after["requests"] - before["requests"], after["busy"] - before["busy"]) == (2, 1)


def test_a_newer_version_cancels_the_busy_retry(ext, proxy, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    proxy.busy = 1
    proxy.retry_after = 4
    page = ext.context.new_page()
    serve(page, f"{pages_url}/generated/busy-change.html", story(TITLE, BIG_PARAGRAPHS[:2]))
    page.goto(f"{pages_url}/generated/busy-change.html")
    ext.wait_status(page, want=("busy",), timeout=30)
    append_paragraph(page, BIG_PARAGRAPHS[2])
    ext.wait_status(page, timeout=60)
    time.sleep(proxy.retry_after + 1)  # past the cancelled retry: it must not come
    asked = proxy.analyze_texts()
    assert [len(t) for t in asked] == [3, 4]


def test_over_the_servers_token_limit_the_selection_shrinks_once(ext, proxy, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    proxy.too_large = lambda paragraphs: (1000, 500)  # "twice the limit"
    page = ext.context.new_page()
    serve(page, f"{pages_url}/generated/too-large.html", story(TITLE, BIG_PARAGRAPHS))
    page.goto(f"{pages_url}/generated/too-large.html")
    state = ext.wait_status(page, timeout=60)
    first, second = proxy.analyze_texts()
    assert proxy.too_large_answers == 1
    assert second == first[: len(second)] and estimate(ext, second) <= estimate(ext, first) * 0.5 * 0.9
    assert state["analysed"] == len(second) and state["skipped"] == len(first) - len(second)
    want = expected_span_texts(server_url, second, LOW_THRESHOLD)
    wait_for(lambda: [m["text"] for m in marks(page)] == want, message="marks of what was analysed")
