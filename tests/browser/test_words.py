"""Invisible in-word characters (soft hyphens, zero-width characters: server/words.json) are inside
words: the extension keeps them in the text it sends (UTF-16 offsets), marks cover the server's
spans with them, and the restored view replaces whole words only."""

from __future__ import annotations

from conftest import LOW_THRESHOLD, analyze, article, marks, paragraph_texts, wait_marks

from unspin.text import INVISIBLE_RE


def word_char(ch: str) -> bool:
    return ch.isalnum() or bool(INVISIBLE_RE.match(ch))


def whole_words(text: str, start: int, end: int) -> bool:
    """[start, end) begins and ends at word boundaries (the page's text is all in the BMP, so
    code point and UTF-16 offsets agree)."""
    def inside(i):
        return 0 < i < len(text) and word_char(text[i - 1]) and word_char(text[i])
    return not inside(start) and not inside(end)


def test_in_word_characters_are_kept_and_replaced_whole(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/soft-hyphens.html")
    sent = article(ext, page)
    texts = [p["text"] for p in sent["paragraphs"]]
    # The extension sends the page's text with the characters in place.
    for text in paragraph_texts(page, "#p1, #p2"):
        assert text in texts
    assert any("war\u00adfare" in t for t in texts) and any("pro\u00adgress\u00ading" in t for t in texts)
    answer = analyze(server_url, texts, LOW_THRESHOLD)
    spans = [s for p in answer["paragraphs"] for s in p["spans"]]
    assert spans
    # Marks are the server's spans, soft hyphens and zero-width characters included.
    assert [m["text"] for m in wait_marks(page, len(spans))] == [s["text"] for s in spans]
    assert any(INVISIBLE_RE.search(m["text"]) for m in marks(page)), [m["text"] for m in marks(page)]
    # The restored view replaces whole words only, keeping the page's text elsewhere.
    want_paragraphs, want_marks = [], []
    for text, result in zip(texts, answer["paragraphs"]):
        out, pos = "", 0
        for s in result["spans"]:
            if not s["suggestions"] or s["start"] < pos or not whole_words(text, s["start"], s["end"]):
                continue
            out += text[pos:s["start"]] + s["suggestions"][0]["text"]
            want_marks.append([s["suggestions"][0]["text"], f"The page said: {s['text']}"])
            pos = s["end"]
        want_paragraphs.append(out + text[pos:])
    popup = ext.popup(page)
    with ext.context.expect_page() as info:
        popup.locator("#restored").click()
    view = info.value
    view.wait_for_selector("article h1")
    assert view.eval_on_selector_all("article > *", "els => els.map(e => e.textContent)") == want_paragraphs
    assert view.eval_on_selector_all("mark.unspin-changed", "els => els.map(e => [e.textContent, e.title])") == want_marks
