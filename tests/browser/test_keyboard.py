"""Keyboard commands (manifest "commands": next-mark, previous-mark): focus moves from mark to mark,
the card opens and the mark and its likely original are announced in a live region.

Playwright cannot press extension shortcuts, so the test calls the background's command handler
(what the browser calls for the shortcut) through the service worker."""

from __future__ import annotations

import json

from conftest import LOW_THRESHOLD, ROOT, manifest_text, open_marked, overlay, wait_card

MANIFEST = json.loads((ROOT / "extension" / "src" / "manifest.json").read_text())


# Commands in turn, each with the mark it must reach (an index into the server's spans in reading
# order): on from the start, back, round the start to the last mark, and on round the end.
COMMAND_TOUR = [("next-mark", 0), ("next-mark", 1), ("previous-mark", 0), ("previous-mark", -1), ("next-mark", 0)]


def announcement(span: dict) -> str:
    best = span["suggestions"][0]["text"] if span["suggestions"] else None
    return f"Possibly spun: {span['text']}." + (f" Likely original: {best}." if best else " Original unknown.")


def assert_reached(state: dict, want: dict):
    """The overlay (as the content script describes it) after a command that must reach the span
    `want`: that mark focused and announced in the live region, its card open by focus."""
    assert state["focused"] == want["text"]
    assert state["label"] == announcement(want)
    assert state["live"] == {"role": "status", "ariaLive": "polite", "text": announcement(want)}
    card = state["card"]
    assert card["open"] and card["by"] == "focus"
    assert f"Spun wording: {want['text']}" in card["text"]
    if want["suggestions"]:
        assert f"Likely original: {want['suggestions'][0]['text']}" in card["text"]


def test_commands_are_declared(ext):
    # (A browser started with --load-extension binds no suggested keys, so only names and
    # descriptions can be read back here; the keys are the manifest's.)
    declared = {c["name"]: c["description"] for c in ext.sw("() => chrome.commands.getAll()")}
    for name in ("next-mark", "previous-mark"):
        assert declared[name] == manifest_text(MANIFEST["commands"][name]["description"])
    assert MANIFEST["commands"]["next-mark"]["suggested_key"]["default"] == "Alt+Shift+N"
    assert MANIFEST["commands"]["previous-mark"]["suggested_key"]["default"] == "Alt+Shift+P"


def test_commands_move_focus_open_the_card_and_announce(ext, pages_url, server_url):
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    assert len(spans) >= 3
    tab = ext.tab_id(page)

    for name, index in COMMAND_TOUR:
        assert ext.sw("([name, id]) => unspin.onCommand(name, {id})", [name, tab]) is True
        assert_reached(overlay(ext, page), spans[index])
        # Keyboard focus is on the overlay (a proxy button inside its closed shadow root).
        assert page.evaluate("() => document.activeElement?.localName") == "unspin-overlay"
    page.keyboard.press("Escape")
    wait_card(ext, page, open_=False)


def test_commands_do_nothing_without_marks(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    ext.set_storage({"highlights": False})
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    assert ext.sw("([name, id]) => unspin.onCommand(name, {id})", ["next-mark", ext.tab_id(page)]) is False
    assert overlay(ext, page)["card"]["open"] is False
