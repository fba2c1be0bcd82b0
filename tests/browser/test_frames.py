"""Articles in same-origin frames and in open shadow roots get marks too.

- iframe.html is a shell page whose only article (spun.html) is in a same-origin iframe: the
  iframe's script analyses it (one article, one request), its marks are in the iframe's
  document, and it speaks for the tab (state, badge).
- shadow.html holds the article in the open shadow root of a custom element: the marks are
  ranges inside the shadow tree, and their ::highlight() styles are painted there too.

Marks are compared with the server's own answer for the article the extension sent, at this
module's threshold (its own, so that no answer cached by other tests hides a request)."""

from __future__ import annotations

from conftest import ARTIFACTS, LOW_THRESHOLD, MARK_RECT_JS, MARKS_JS, analyze, article, mark_level, marks, sent, wait_for

THRESHOLD = LOW_THRESHOLD + 0.01


def server_answer(ext, page, server_url) -> tuple[list[str], dict]:
    """The texts of the article the page sent, and the server's answer for them at THRESHOLD."""
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    answer = analyze(server_url, texts, THRESHOLD)
    return texts, answer


def test_article_in_a_same_origin_iframe(ext, pages_url, server_url):
    ext.use_threshold(THRESHOLD)
    before = sent(ext)["requests"]
    page, state = ext.open_done(f"{pages_url}/iframe.html")
    frame = next(f for f in page.frames if f.url.endswith("/spun.html"))
    texts, answer = server_answer(ext, page, server_url)
    assert texts[0] == "Russia Requested China for Army Gear, U.S. Officers Say"
    assert not any("Daily Recap" in t or "About us" in t for t in texts)
    want = [s for p in answer["paragraphs"] for s in p["spans"]]
    assert want
    shown = wait_for(lambda: (lambda m: m if len(m) == len(want) else None)(frame.evaluate(MARKS_JS)), message="iframe marks")
    assert [m["text"] for m in shown] == [s["text"] for s in want]
    assert [m["level"] for m in shown] == [mark_level(s["score"]) for s in want]
    assert not marks(page)  # nothing in the top document
    assert state["summary"] == answer["summary"]  # the iframe speaks for the tab
    wait_for(lambda: ext.badge(page) == str(len(want)), message="badge")
    assert sent(ext)["requests"] - before == 1  # one article, one request
    popup = ext.popup(page)
    assert popup.locator("#verdict").inner_text().lower() == answer["summary"]["verdict"]


def test_article_in_an_open_shadow_root(ext, pages_url, server_url):
    ext.use_threshold(THRESHOLD)
    page, state = ext.open_done(f"{pages_url}/shadow.html")
    texts, answer = server_answer(ext, page, server_url)
    assert texts[0] == "Russia Requested China for Army Gear, U.S. Officers Say"
    assert len(texts) == 5 and not any("About us" in t for t in texts)
    want = [s for p in answer["paragraphs"] for s in p["spans"]]
    assert want
    shown = wait_for(lambda: (lambda m: m if len(m) == len(want) else None)(marks(page)), message="shadow root marks")
    assert [m["text"] for m in shown] == [s["text"] for s in want]
    assert [m["level"] for m in shown] == [mark_level(s["score"]) for s in want]
    in_shadow = page.evaluate("""() => {
      const root = document.querySelector('news-story').shadowRoot;
      const ranges = ['low', 'mid', 'high'].flatMap(l => [...(CSS.highlights.get('unspin-' + l) || [])]);
      return ranges.every(r => r.startContainer.getRootNode() === root);
    }""")
    assert in_shadow
    assert state["summary"] == answer["summary"]
    # The marks are painted inside the shadow tree: the first mark looks different with the
    # highlights on and off (without the styles in the shadow root, nothing would be painted).
    rect = page.evaluate(MARK_RECT_JS, 0)
    clip = {"x": rect["left"], "y": rect["top"], "width": rect["width"], "height": rect["height"]}
    painted = page.screenshot(clip=clip)
    page.screenshot(path=str(ARTIFACTS / "shadow-marks.png"))
    ext.set_storage({"highlights": False})
    wait_for(lambda: not marks(page), message="highlights off")
    assert page.screenshot(clip=clip) != painted
