"""The page's budget (extension/src/shared/document.js BUDGET, read here from the background), in
language-model tokens as the extension estimates them (shared/tokens.js, also read from the
background): a page with one huge paragraph or thousands of paragraphs sends at most the budget,
and stays usable. (Sibling frames sharing one tab's budget: test_load.py.)"""

from __future__ import annotations

from conftest import BIG_PARAGRAPHS, LOW_THRESHOLD, article, estimate, expected_span_texts, marks, sent, serve, story, wait_for


def open_generated(ext, url: str, title: str, paragraphs: list[str]):
    page = ext.context.new_page()
    serve(page, url, story(title, paragraphs))
    page.goto(url)
    return page


def extract_ms(page) -> float:
    return page.evaluate("() => Math.max(0, ...performance.getEntriesByName('unspin-extract').map(e => e.duration))")


def test_a_huge_paragraph_is_left_out(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    budget = ext.sw("() => unspin.budget")
    huge = " ".join(["said"] * 40000)  # 199,999 characters in one paragraph
    assert estimate(ext, [huge]) > budget["paragraphTokens"]
    title = "Russia Requested China for Army Gear, Officers Say"
    before = sent(ext)
    page = open_generated(ext, f"{pages_url}/generated/huge.html", title, [BIG_PARAGRAPHS[0], huge, BIG_PARAGRAPHS[1]])
    state = ext.wait_status(page, timeout=180)
    # The paragraph after the huge one is analysed too: only the huge one is left out.
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    assert texts == [title, BIG_PARAGRAPHS[0], huge, BIG_PARAGRAPHS[1]]
    assert (state["paragraphs"], state["analysed"], state["skipped"]) == (4, 3, 1)
    after = sent(ext)
    sent_texts = [title, BIG_PARAGRAPHS[0], BIG_PARAGRAPHS[1]]
    assert after["requests"] == before["requests"] + 1
    assert after["paragraphs"] == before["paragraphs"] + 3
    assert after["chars"] - before["chars"] == sum(map(len, sent_texts))
    assert after["tokens"] - before["tokens"] == estimate(ext, sent_texts) <= budget["tokens"]
    want = expected_span_texts(server_url, sent_texts, LOW_THRESHOLD)
    wait_for(lambda: [m["text"] for m in marks(page)] == want, message=f"marks of the analysed paragraphs: {want}")
    assert state["summary"]["paragraphs"] == 3
    # The page stays usable: extraction is quick and the page answers.
    assert extract_ms(page) < 2000
    assert page.evaluate("() => document.querySelectorAll('p').length") == 3


def test_thousands_of_paragraphs_send_at_most_the_budget(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    budget = ext.sw("() => unspin.budget")
    paragraphs = [f"Note {i}: the council met again on day {i}." for i in range(5000)]
    before = sent(ext)
    page = open_generated(ext, f"{pages_url}/generated/many.html", "Council Notes for Every Day of the Year", paragraphs)
    state = ext.wait_status(page, timeout=300)
    after = sent(ext)
    assert state["paragraphs"] == 5001
    assert state["analysed"] == budget["paragraphs"]
    assert state["skipped"] == 5001 - budget["paragraphs"]
    assert after["requests"] == before["requests"] + 1
    assert after["paragraphs"] - before["paragraphs"] == budget["paragraphs"]
    assert after["tokens"] - before["tokens"] <= budget["tokens"]
    assert state["summary"]["paragraphs"] == budget["paragraphs"]
    assert extract_ms(page) < 2000
    assert page.evaluate("() => document.querySelectorAll('p').length") == 5000
