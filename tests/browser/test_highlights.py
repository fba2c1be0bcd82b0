"""Marks on the page: at the server's spans, across inline elements, against hostile CSS;
the hovercard by pointer and keyboard; nothing on a clean article.

The shipped model flags almost nothing on the spun pages at its own threshold, so the tests that
need marks lower the extension's threshold setting to LOW_THRESHOLD (see conftest)."""

from __future__ import annotations

import re

from conftest import (ARTIFACTS, LOW_THRESHOLD, analyze, article, expected_span_texts, mark_level, mark_rect, marks,
                      model_threshold, open_marked, overlay, paragraph_texts, wait_card, wait_for, wait_marks)

ARTICLE_P = "article p:not(.byline)"


def has_word(text: str, word: str) -> bool:
    return word in re.findall(r"[a-z]+", text.lower())


def test_spun_article_marks_are_the_servers_spans(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, state = ext.open_done(f"{pages_url}/spun.html")
    sent = article(ext, page)
    texts = [p["text"] for p in sent["paragraphs"]]
    # Readability found the article: headline and the four paragraphs, not nav/footer.
    assert texts[0] == "Russia Requested China for Army Gear, U.S. Officers Say"
    for text in paragraph_texts(page, "#p1, #p2, #p3, #p4"):
        assert text in texts
    assert not any("About us" in t or "Politics" in t for t in texts)
    # Each mark covers exactly the text of a span the server gives for the same paragraphs.
    answer = analyze(server_url, texts, LOW_THRESHOLD)
    expected = [s["text"] for p in answer["paragraphs"] for s in p["spans"]]
    assert [m["text"] for m in wait_marks(page, len(expected))] == expected
    assert state["summary"]["spans"] == len(expected)
    # What the shipped model finds at the lowered threshold: among others these spun words of
    # the first paragraph ("warfare", "final" month, "in accordance with", "officers").
    found = [m["text"] for m in marks(page)]
    for word in ("warfare", "final", "accordance", "officers"):
        assert any(has_word(text, word) for text in found), f"no mark on {word!r}: {found}"
    # The page verdict is the server's verdict for the same paragraphs.
    assert state["summary"]["verdict"] == answer["summary"]["verdict"]
    # At the model's own threshold the marks are the server's spans at that threshold.
    ext.use_threshold(None)
    default = expected_span_texts(server_url, texts)
    wait_for(lambda: [m["text"] for m in marks(page)] == default, timeout=60,
             message=f"marks at the model's threshold {model_threshold(server_url)}: {default}")
    state = ext.wait_status(page)
    assert state["summary"]["spans"] == len(default)


def test_marks_are_shaded_by_confidence(ext, pages_url, server_url):
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    scores = [s["score"] for s in spans]
    assert scores
    levels = [m["level"] for m in wait_marks(page, len(scores))]
    want = [mark_level(s) for s in scores]
    assert levels == want


def test_hovercard_on_hover(ext, pages_url, server_url):
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    # The mark on "final" ("... invasion final month"): the model restores it to "last ...".
    index = next((i for i, s in enumerate(spans) if has_word(s["text"], "final")), None)
    assert index is not None, f"no span on 'final': {[s['text'] for s in spans]}"
    span = spans[index]
    assert span["suggestions"] and span["suggestions"][0]["text"].lower().split()[0] == "last", span
    rect = mark_rect(page, index)
    assert rect["text"] == span["text"]
    page.mouse.move(rect["x"], rect["y"])
    box = wait_card(ext, page)
    assert box["by"] == "hover"
    text = box["text"]
    best, *alternatives = span["suggestions"]
    assert f"Likely original: {best['text']}" in text
    if alternatives:
        assert f"Also: {', '.join(a['text'] for a in alternatives[:2])}" in text
    assert f"Confidence {round(span['score'] * 100)}%" in text
    assert f"Spun wording: {span['text']}" in text
    # The card sits next to the mark, not over it.
    card_box = box["rect"]
    assert card_box["y"] >= rect["top"] + rect["height"] - 1 or card_box["y"] + card_box["height"] <= rect["top"] + 1
    page.screenshot(path=str(ARTIFACTS / "hovercard.png"))
    page.mouse.move(5, 5)
    wait_card(ext, page, open_=False)


def test_keyboard_reaches_marks_and_escape_closes(ext, pages_url, server_url):
    page, _ = open_marked(ext, f"{pages_url}/spun.html", server_url)
    expected = [m["text"] for m in marks(page)]
    assert len(expected) >= 3, expected
    page.locator("body").click(position={"x": 2, "y": 2})
    focused = []
    for _ in range(len(expected) + 12):  # the page's own links come first
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.localName") == "unspin-overlay":
            focused.append(overlay(ext, page)["label"])
            if len(focused) == 2:
                break
    assert focused, "Tab never reached a mark"
    assert focused[0].startswith(f"Possibly spun: {expected[0]}.")
    assert focused[1].startswith(f"Possibly spun: {expected[1]}.")
    box = overlay(ext, page)["card"]
    assert box["open"] and box["by"] == "focus"
    assert f"Spun wording: {expected[1]}" in box["text"]
    page.screenshot(path=str(ARTIFACTS / "hovercard-keyboard.png"))
    page.keyboard.press("Escape")
    wait_card(ext, page, open_=False)
    page.keyboard.press("Tab")
    if len(expected) > 2:
        assert f"Spun wording: {expected[2]}" in wait_card(ext, page)["text"]


def test_span_split_by_a_link(ext, pages_url, server_url):
    """#split has "the <a>warfare</a>" and "<em>final month</em>": marks are ranges, so a span may
    cover several text nodes, and the link stays clickable."""
    page, article_spans = open_marked(ext, f"{pages_url}/link-split.html", server_url)
    [split] = paragraph_texts(page, "#split")
    # The server decides per article: the spans of #split as part of the whole article.
    spans = [s for s in article_spans if s["paragraph"] == split]
    assert spans
    found = page.evaluate(
        """(spans) => {
          const p = document.getElementById('split');
          const link = document.getElementById('link');
          // The text nodes each server span covers (utf16 offsets into the paragraph's text).
          const nodes = [];
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          for (let n, pos = 0; (n = walker.nextNode()); pos += n.data.length) nodes.push([pos, pos + n.data.length]);
          const want = spans.map(s => nodes.filter(([a, b]) => a < s.end && s.start < b).length > 1);
          const out = [];
          for (const level of ['low', 'mid', 'high'])
            for (const r of CSS.highlights.get('unspin-' + level) || [])
              if (p.contains(r.startContainer)) out.push(r);
          out.sort((a, b) => a.compareBoundaryPoints(Range.START_TO_START, b));
          return {want, found: out.map(r => ({text: r.toString(), crosses: r.startContainer !== r.endContainer,
                                             inLink: link.contains(r.startContainer) && link.contains(r.endContainer)}))};
        }""",
        spans,
    )
    assert [f["text"] for f in found["found"]] == [s["text"] for s in spans]
    # A mark crosses an element boundary exactly where the server's span covers several text nodes.
    assert [f["crosses"] for f in found["found"]] == found["want"]
    # The shipped model flags the linked word "warfare", so its mark lies inside the link.
    assert {"text": "warfare", "crosses": False, "inLink": True} in found["found"]
    # The link still works: nothing covers it.
    assert page.evaluate("() => { const r = document.getElementById('link').getBoundingClientRect();"
                         " return document.elementFromPoint(r.left + 2, r.top + r.height / 2).id; }") == "link"


def test_hostile_css_cannot_hide_marks_or_card(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/hostile.html")
    wait_marks(page)
    rect = mark_rect(page, 0)
    clip = {"x": rect["left"], "y": rect["top"], "width": max(rect["width"], 4), "height": rect["height"]}
    painted = page.screenshot(clip=clip)
    ext.set_storage({"highlights": False})
    wait_for(lambda: not marks(page), message="marks removed")
    plain = page.screenshot(clip=clip)
    assert painted != plain, "the mark is not painted on the hostile page"
    ext.set_storage({"highlights": True})
    wait_marks(page)
    page.mouse.move(rect["x"], rect["y"])
    assert wait_card(ext, page)["rect"]["width"] > 100


def test_no_layout_change(ext, pages_url):
    """Marks add no boxes: every paragraph keeps its size and place."""
    page = ext.context.new_page()
    ext.use_threshold(LOW_THRESHOLD)
    ext.set_storage({"highlights": False})
    page.goto(f"{pages_url}/spun.html")
    ext.wait_status(page)
    before = page.eval_on_selector_all("article p, article h1", "els => els.map(e => JSON.stringify(e.getBoundingClientRect()))")
    ext.set_storage({"highlights": True})
    wait_marks(page)
    after = page.eval_on_selector_all("article p, article h1", "els => els.map(e => JSON.stringify(e.getBoundingClientRect()))")
    assert before == after
    assert page.evaluate("document.querySelectorAll('body mark, body unspin-overlay').length") == 0


def test_clean_article_has_no_marks(ext, pages_url, server_url):
    """At the model's own threshold (the default setting) the shipped model flags nothing here."""
    page, state = ext.open_done(f"{pages_url}/clean.html")
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    assert len(texts) == 5
    answer = analyze(server_url, texts)
    expected = [s["text"] for p in answer["paragraphs"] for s in p["spans"]]
    assert expected == [], f"the model flags clean text at its threshold {model_threshold(server_url)}: {expected}"
    assert marks(page) == []
    assert state["summary"]["spans"] == 0
    assert state["summary"]["verdict"] == answer["summary"]["verdict"] == "no sign of spinning"
    assert wait_for(lambda: ext.badge(page) == "0", message="badge 0")
