"""The hovercard's actions on a mark, by keyboard: "Not spun" (the mark goes and stays gone for
that wording on the site, across reloads; the popup counts and undoes it) and "Spun — restore as …"
(a suggestion or a typed original). With the reader's consent each action reaches the server's
feedback store (`unspin serve --data-dir`, read back from its SQLite file) with the span's UTF-16
offsets in its paragraph; without consent nothing is stored."""

from __future__ import annotations

import sqlite3

from conftest import card_ready, open_marked, overlay, shown, wait_card, wait_for

from unspin.text import wording_key

SITE = "127.0.0.1"


def open_card_actions(ext, page, index: int = 0) -> dict:
    """Focus the index-th mark (as the next-mark command does), press Enter: focus is on the card's
    first action. Returns the card's state."""
    tab = ext.tab_id(page)
    for _ in range(index + 1):
        assert ext.sw("([name, id]) => unspin.onCommand(name, {id})", ["next-mark", tab]) is True
    page.keyboard.press("Enter")
    wait_for(lambda: overlay(ext, page)["card"]["active"], message="focus in the card")
    return card_ready(ext, page)


def feedback_records(feedback_dir) -> list[dict]:
    path = feedback_dir / "feedback.sqlite3"
    if not path.exists():
        return []
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute("SELECT * FROM feedback ORDER BY id")]
    finally:
        connection.close()


def test_card_actions_by_keyboard_have_names_and_tab_goes_round_them(ext, pages_url, server_url):
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    first = spans[0]
    card = open_card_actions(ext, page)
    suggestions = [s["text"] for s in first["suggestions"]][:3]
    want = [("button", f"Not spun: stop marking “{first['text']}” on this site")]
    want += [("button", f"Spun — restore as “{s}”") for s in suggestions]
    want += [("input", f"The original wording of “{first['text']}”"), ("button", "Spun — restore as typed"),
             ("button", "Find the original"), ("button", f"Never flag “{first['text']}”")]
    assert [(a["tag"], a["name"]) for a in card["actions"]] == want
    assert card["active"] == want[0][1]
    assert card["label"] and card["role"] == "dialog"
    for name in [w[1] for w in want[1:]] + [want[0][1]]:  # Tab goes round, back to the first
        page.keyboard.press("Tab")
        assert overlay(ext, page)["card"]["active"] == name
    page.keyboard.press("Shift+Tab")
    assert overlay(ext, page)["card"]["active"] == want[-1][1]
    # Esc: back on the mark, the card closes; Tab goes on to the next mark.
    page.keyboard.press("Escape")
    wait_card(ext, page, open_=False)
    assert overlay(ext, page)["focused"] == first["text"]
    page.keyboard.press("Tab")
    assert wait_card(ext, page)["active"] is None
    assert overlay(ext, page)["focused"] == spans[1]["text"]


def test_not_spun_hides_the_wording_on_the_site_across_reloads_and_the_popup_undoes_it(ext, pages_url, server_url):
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    wording = spans[0]["text"]
    left = [s["text"] for s in spans if s["text"].lower() != wording.lower()]
    assert len(left) < len(spans)
    open_card_actions(ext, page)
    page.keyboard.press("Enter")  # "Not spun"
    wait_for(lambda: shown(page) == left, message=f"marks without {wording!r}: {left}")
    focus_on(ext, page, next(s for s in spans if s["text"] == left[0]))  # on to the next mark
    wait_for(lambda: ext.stored("dismissed", {}) == {SITE: [wording.lower()]}, message="dismissal stored")
    # The page's own figures are still the server's; the popup says what the reader hid.
    popup = ext.popup(page)
    hidden = len(spans) - len(left)
    count = popup.locator("#dismissed-count")
    want = f"{hidden} marks dismissed on this page" if hidden > 1 else "1 mark dismissed on this page"
    wait_for(lambda: count.inner_text() == want,
             message="dismissed count")
    # Across reloads, and in a new tab on the same site.
    page.reload()
    ext.wait_status(page)
    wait_for(lambda: shown(page) == left, message="still hidden after a reload")
    # Undo brings them back.
    popup.close()
    popup = ext.popup(page)
    popup.locator("#undo-dismissed").click()
    wait_for(lambda: shown(page) == [s["text"] for s in spans], message="marks back after undo")
    wait_for(lambda: ext.stored("dismissed", {}) == {}, message="dismissals cleared")
    wait_for(lambda: popup.locator("#dismissed-box").is_hidden(), message="the count goes")


def test_with_consent_each_action_is_stored_with_utf16_offsets(ext, pages_url, server_url, feedback_dir):
    """astral.html starts its first paragraph with a flag (two code points, four UTF-16 units):
    offsets sent in the wrong unit would store the wrong span, or be refused."""
    ext.set_storage({"feedback": True})
    page, spans = open_marked(ext, f"{pages_url}/astral.html", server_url)
    first = spans[0]
    assert first["paragraph"].startswith("🇺🇦") and first["start"] > 4
    before = len(feedback_records(feedback_dir))

    card = open_card_actions(ext, page)
    suggestion = first["suggestions"][0]["text"]
    names = [a["name"] for a in card["actions"]]
    page.keyboard.press("Tab")  # "Spun — restore as “<first suggestion>”"
    assert overlay(ext, page)["card"]["active"] == f"Spun — restore as “{suggestion}”"
    page.keyboard.press("Enter")
    wait_for(lambda: "Sent to the feedback store" in overlay(ext, page)["card"]["status"], message="sent")
    assert overlay(ext, page)["card"]["status"].startswith(f"Kept as spun, originally “{suggestion}”.")
    # The typed original: Tab to the field, type, Enter.
    for _ in range(names.index(f"The original wording of “{first['text']}”") - 1):
        page.keyboard.press("Tab")
    page.keyboard.type("asked for")
    page.keyboard.press("Enter")
    wait_for(lambda: "originally “asked for”" in overlay(ext, page)["card"]["status"], message="typed original sent")
    wait_for(lambda: len(feedback_records(feedback_dir)) == before + 2, message="two records")
    # "Not spun", with the page address this time.
    ext.set_storage({"feedbackUrl": True})
    page.keyboard.press("Escape")
    wait_card(ext, page, open_=False)
    page.keyboard.press("Enter")
    wait_for(lambda: overlay(ext, page)["card"]["active"], message="focus in the card again")
    card_ready(ext, page)
    page.keyboard.press("Enter")
    wait_for(lambda: len(feedback_records(feedback_dir)) == before + 3, message="three records")

    records = feedback_records(feedback_dir)[before:]
    for record in records:
        assert record["paragraph"] == first["paragraph"]
        assert record["span"] == first["text"] == record["paragraph"][record["start"]:record["end"]]
        assert record["time"]
    assert [(r["label"], r["original"], r["url"]) for r in records] == [
        ("spun", suggestion, None), ("spun", "asked for", None), ("not_spun", None, page.url)]


def test_without_consent_nothing_is_stored(ext, pages_url, server_url, feedback_dir):
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    before = feedback_records(feedback_dir)
    open_card_actions(ext, page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Spun — restore as …"
    wait_for(lambda: "Nothing was sent" in overlay(ext, page)["card"]["status"], message="not sent")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # "Not spun": the mark goes, nothing is stored either
    wait_for(lambda: len(shown(page)) < len(spans), message="mark dismissed")
    assert feedback_records(feedback_dir) == before


def focus_on(ext, page, span: dict) -> dict:
    """Wait until keyboard focus is on the mark of `span` with its card open (as on keyboard focus)."""
    def check():
        state = overlay(ext, page)
        return state if state["focused"] == span["text"] and state["card"]["open"] and state["card"]["by"] == "focus" else None
    state = wait_for(check, message=f"focus on {span['text']!r}")
    assert f"Spun wording: {span['text']}" in state["card"]["text"]
    assert state["label"].startswith(f"Possibly spun: {span['text']}.")
    assert state["card"]["active"] is None  # on the mark, not in its card
    assert page.evaluate("() => document.activeElement?.localName") == "unspin-overlay"
    return state


def test_after_not_spun_focus_goes_on_to_the_next_mark_until_none_remains(ext, pages_url, server_url):
    """"Not spun" by keyboard: the mark and its wording go, and focus moves to the mark that now
    takes its place (the next one in reading order, or the one before when it was the last), its
    card open, and Tab carries on from there; after the last dismissal the live region says that
    no marks remain and focus is back on the page."""
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    assert len({wording_key(s["text"]) for s in spans}) >= 3
    # Start on a mark after the first, so that "the next mark" and "the first one left" differ.
    at = next(i for i, s in enumerate(spans) if i and wording_key(s["text"]) != wording_key(spans[0]["text"]))
    open_card_actions(ext, page, at)
    dismissed: set[str] = set()
    while True:
        assert overlay(ext, page)["card"]["active"] == f"Not spun: stop marking “{spans[at]['text']}” on this site"
        card_ready(ext, page)
        page.keyboard.press("Enter")  # "Not spun"
        dismissed.add(wording_key(spans[at]["text"]))
        left = [i for i, s in enumerate(spans) if wording_key(s["text"]) not in dismissed]
        wait_for(lambda left=left: shown(page) == [spans[i]["text"] for i in left], message=f"marks without {dismissed}")
        if not left:
            break
        at = next((i for i in left if i > at), left[-1])
        focus_on(ext, page, spans[at])
        # Tab carries on from there, to the last mark; from then on each dismissal moves focus back.
        for i in [i for i in left if i > at]:
            page.keyboard.press("Tab")
            focus_on(ext, page, spans[i])
            at = i
        page.keyboard.press("Enter")  # into the card's actions
        wait_for(lambda: overlay(ext, page)["card"]["active"], message="focus in the card")
    state = wait_for(lambda: (lambda o: o if o["live"]["text"] == "No marks remain on this page." else None)(overlay(ext, page)),
                     message="the announcement that no marks remain")
    assert state["focused"] is None and not state["card"]["open"]
    assert page.evaluate("() => document.activeElement === document.body")
