"""A page cannot switch Unspin off or read its suggestions: the "already running" flag lives in
the content script's own world, and the hovercard's shadow root is closed."""

from __future__ import annotations

from conftest import LOW_THRESHOLD, article, expected_span_texts, mark_rect, wait_card, wait_marks


def test_page_marker_does_not_stop_unspin(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, state = ext.open_done(f"{pages_url}/marker.html")
    assert page.evaluate("document.documentElement.hasAttribute('data-unspin')")  # the page's own script set it
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    want = expected_span_texts(server_url, texts, LOW_THRESHOLD)
    assert want
    assert [m["text"] for m in wait_marks(page, len(want))] == want
    assert state["summary"]["spans"] == len(want)


def test_page_cannot_read_the_card(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    wait_marks(page)
    rect = mark_rect(page, 0)
    page.mouse.move(rect["x"], rect["y"])
    card = wait_card(ext, page)
    assert "Spun wording:" in card["text"]
    # From the page's own scripts: the host is there, its shadow root is not reachable.
    seen = page.evaluate("""() => {
      const host = document.querySelector('unspin-overlay');
      return {host: !!host, shadowRoot: host && host.shadowRoot, inner: host && host.innerHTML,
              text: document.documentElement.innerText.includes('Spun wording:')};
    }""")
    assert seen == {"host": True, "shadowRoot": None, "inner": "", "text": False}
