"""Toolbar badge and popup: verdict, toggles, threshold, disable on site, restored view,
nothing that leaves the computer, and a stopped server (quiet on the page, clear in the popup)."""

from __future__ import annotations

from conftest import (ARTIFACTS, LOW_THRESHOLD, SECRETS, analyze, article, expected_span_texts, marks, model_threshold,
                      overlay, start_server, stop_server, wait_for, wait_marks)

from unspin.engine.decide import SCALE


def summary_text(summary: dict) -> tuple[str, str]:
    """(verdict, figures) as the popup must show the server's summary of an article (in English:
    counts with a thousands separator)."""
    spans = "span" if summary["spans"] == 1 else "spans"
    words = "word" if summary["words"] == 1 else "words"
    return (summary["verdict"],
            f"{round(summary['spun_ratio'] * 100)}% of words spun · {summary['spans']:,} {spans} · {summary['words']:,} {words}")


def shown(popup) -> tuple[str, str]:
    return popup.locator("#verdict").inner_text().lower(), popup.locator("#figures").inner_text()


def test_badge_counts_spans_and_popup_shows_the_servers_summary(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, state = ext.open_done(f"{pages_url}/spun.html")
    spans = len(marks(page))
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    summary = analyze(server_url, texts, LOW_THRESHOLD)["summary"]
    # The page's figures are the server's summary of the same article, and agree with the marks.
    assert state["summary"] == summary
    assert spans == summary["spans"] > 0
    wait_for(lambda: ext.badge(page) == str(spans), message=f"badge {spans}")
    popup = ext.popup(page)
    assert shown(popup) == summary_text(summary)
    assert popup.locator("#server-status").inner_text().startswith(f"Server: running at {server_url}")
    assert popup.locator("#server-help").is_hidden()
    assert popup.locator("#site").inner_text() == "127.0.0.1"
    popup.screenshot(path=str(ARTIFACTS / "popup.png"))


def slide_to(popup, index: int, let_go: bool = True) -> None:
    """Move the sensitivity slider to its index-th point, as a reader's drag does (input), and
    let go there (change) unless `let_go` is False."""
    events = "el.dispatchEvent(new Event('input'))" + ("; el.dispatchEvent(new Event('change'))" if let_go else "")
    popup.locator("#threshold").evaluate(f"(el, i) => {{ el.value = String(i); {events}; }}", index)


def test_popup_toggles_highlights_and_threshold(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    before = len(wait_marks(page))
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    default = model_threshold(server_url)
    counts = {c["threshold"]: c["spun_words"] for c in analyze(server_url, texts, LOW_THRESHOLD)["summary"]["spun_words_by_threshold"]}
    points = sorted(set(SCALE) | {default, LOW_THRESHOLD}, reverse=True)  # fewest marks first
    assert list(counts) == points
    popup = ext.popup(page)
    slider = popup.locator("#threshold")
    assert slider.get_attribute("max") == str(len(points) - 1)
    assert int(slider.input_value()) == points.index(LOW_THRESHOLD)
    words = counts[LOW_THRESHOLD]
    assert popup.locator("#threshold-value").inner_text() == f"Threshold {LOW_THRESHOLD:.2f} · {words} words marked on this page"
    popup.locator("#highlights").uncheck()
    wait_for(lambda: not marks(page), message="highlights off")
    assert overlay(ext, page)["visible"] is False  # no keyboard stops on hidden marks
    popup.locator("#highlights").check()
    wait_marks(page, before)
    # Moving the slider, before letting go: what each point would mark, from the page's answer;
    # to the right, more (never fewer) words.
    for index, threshold in enumerate(points):
        slide_to(popup, index, let_go=False)
        words = counts[threshold]
        said = f"Threshold {threshold:.2f}{' (the model' + chr(39) + 's default)' if threshold == default else ''}"
        plural = "" if words == 1 else "s"
        assert popup.locator("#threshold-value").inner_text() == f"{said} · {words} word{plural} marked on this page"
    assert [counts[t] for t in points] == sorted(counts.values())
    assert len(marks(page)) == before  # nothing asked again yet
    # The model's default is marked on the scale, at its point.
    mark = popup.locator("#threshold-default-mark")
    assert mark.is_visible()
    box, track = mark.bounding_box(), slider.bounding_box()
    at = (box["x"] + box["width"] / 2 - track["x"] - 8) / (track["width"] - 16)
    assert abs(at - points.index(default) / (len(points) - 1)) < 0.02, at
    # Letting go at 0.5: the marks are then the server's spans at that threshold.
    slide_to(popup, points.index(0.5))
    want = expected_span_texts(server_url, texts, 0.5)
    assert len(want) < before
    wait_for(lambda: [m["text"] for m in marks(page)] == want, timeout=60, message=f"marks at threshold 0.5: {want}")
    wait_for(lambda: ext.stored("threshold") == 0.5, message="the setting at 0.5")
    # The open popup follows: the server's verdict and figures at 0.5, without reopening it.
    at_half = summary_text(analyze(server_url, texts, 0.5)["summary"])
    wait_for(lambda: shown(popup) == at_half, timeout=60, message=f"popup at threshold 0.5: {at_half}")
    # Default: the model's own threshold (from the server), and the server's spans at it.
    popup.locator("#threshold-reset").click()
    want = expected_span_texts(server_url, texts)
    wait_for(lambda: [m["text"] for m in marks(page)] == want, timeout=60, message=f"marks at the default threshold: {want}")
    assert popup.locator("#threshold-value").inner_text().startswith(f"Threshold {default:.2f} (the model's default) · ")
    assert ext.stored("threshold", "model's own") == "model's own"  # null: the model's own threshold
    at_default = summary_text(analyze(server_url, texts)["summary"])
    wait_for(lambda: shown(popup) == at_default, timeout=60, message=f"popup at the default threshold: {at_default}")


def test_disable_on_this_site(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    count = len(wait_marks(page))
    popup = ext.popup(page)
    popup.locator("#disable-site").check()
    wait_for(lambda: not marks(page), message="marks gone")
    assert page.evaluate("document.querySelector('unspin-overlay')") is None
    wait_for(lambda: ext.badge(page) == "", message="badge cleared")
    wait_for(lambda: ext.page_state(page)["status"] == "disabled", message="disabled state")
    # A new page on the same site stays off.
    other = ext.context.new_page()
    other.goto(f"{pages_url}/link-split.html")
    wait_for(lambda: ext.page_state(other)["status"] == "disabled", message="disabled on the site")
    assert not marks(other)
    popup.locator("#disable-site").uncheck()
    wait_marks(page, count)


def test_restored_article_view(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    sent = article(ext, page)
    answer = analyze(server_url, [p["text"] for p in sent["paragraphs"]], LOW_THRESHOLD)
    popup = ext.popup(page)
    with ext.context.expect_page() as info:
        popup.locator("#restored").click()
    view = info.value
    view.wait_for_selector("article h1")
    # Every paragraph with every top suggestion applied; the replaced words marked.
    want_paragraphs, want_marks = [], []
    for p, result in zip(sent["paragraphs"], answer["paragraphs"]):
        text, pos = "", 0
        for s in result["spans"]:
            text += p["text"][pos:s["start"]] + s["suggestions"][0]["text"]
            want_marks.append((s["suggestions"][0]["text"], s["text"]))
            pos = s["end"]
        want_paragraphs.append(text + p["text"][pos:])
    assert want_marks
    got = view.eval_on_selector_all("article > *", "els => els.map(e => e.textContent)")
    assert got == want_paragraphs
    got_marks = view.eval_on_selector_all("mark.unspin-changed", "els => els.map(e => [e.textContent, e.title])")
    assert got_marks == [[best, f"The page said: {spun}"] for best, spun in want_marks]
    view.screenshot(path=str(ARTIFACTS / "restored.png"))


def test_popup_footer_is_true_nothing_leaves_this_computer_unless_asked(ext, pages_url):
    """The footer says everything stays on this computer but a search the reader asks for: the one
    control that leads off it is "Find the original", which searches only when clicked
    (test_find_original.py)."""
    ext.use_threshold(LOW_THRESHOLD)
    ext.set_storage({"testSearches": []})
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    popup = ext.popup(page)
    assert popup.locator("footer").inner_text() == "Options · everything stays on this computer, but a search you ask for"
    buttons = popup.eval_on_selector_all("button:not(.mark-item)", "els => els.map(e => e.id)")
    assert buttons == ["threshold-reset", "restored", "find-original", "copy-report", "undo-dismissed", "retry"]
    # The rest is the list of the page's marks: each only takes focus to its mark on the page.
    wait_for(lambda: popup.locator("#marks .mark-item").count() == len(marks(page)), message="the list of marks")
    links = popup.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert links and all(href.startswith(f"chrome-extension://{ext.id}/") for href in links), links
    assert ext.stored("testSearches") == []


def test_server_stopped_is_quiet_on_page_and_clear_in_popup(ext, pages_url, model_path, server_url):
    proc, url = start_server(model_path)
    try:
        ext.use_threshold(LOW_THRESHOLD)
        ext.set_storage({"serverUrl": url, "secret": SECRETS[url]})
        page, _ = ext.open_done(f"{pages_url}/link-split.html")
        assert marks(page)
    finally:
        stop_server(proc)
    ext.use_threshold(None)  # the model's own: only a running server knows it
    errors = []
    page = ext.context.new_page()
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(f"{pages_url}/clean.html")  # never analysed, so nothing cached
    state = ext.wait_status(page, want=("error",), timeout=60)
    assert "Cannot reach the Unspin server" in state["error"]["message"]
    assert not marks(page) and not errors
    assert page.locator("article h1").inner_text() == "City Council Approves New Budget for Parks and Libraries"
    assert ext.badge(page) == ""
    popup = ext.popup(page)
    assert popup.locator("#server-status").inner_text().startswith(f"Server not reachable at {url}")
    assert popup.locator("#start-command").inner_text() == "make serve"
    assert "unspin serve" in popup.locator("#server-help").inner_text()
    assert popup.locator("#verdict").inner_text() == "Could not analyse this page"
    # No invented default threshold: without the server the model's own is unknown.
    threshold = popup.locator("#threshold-value").inner_text()
    assert threshold == "model default (server not reachable)", threshold
    assert popup.locator("#threshold-default-mark").is_hidden()
    assert popup.locator("#threshold").is_disabled()
    popup.screenshot(path=str(ARTIFACTS / "popup-server-down.png"))
    # The server is back (here: the session's server): Retry analyses the page.
    ext.set_storage({"serverUrl": server_url, "secret": SECRETS[server_url]})
    popup.locator("#retry").click()
    ext.wait_status(page, timeout=60)
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    assert [m["text"] for m in marks(page)] == expected_span_texts(server_url, texts)
    wait_for(lambda: popup.locator("#threshold-value").inner_text().startswith(
        f"Threshold {model_threshold(server_url):.2f} (the model's default)"), message="the model's default once the server is back")
    summary = analyze(server_url, texts)["summary"]
    wait_for(lambda: shown(popup) == summary_text(summary), message="popup after Retry")
