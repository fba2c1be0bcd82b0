"""The extension's message protocol and what the background trusts: no message hands one tab's
state to another sender."""

from __future__ import annotations

from conftest import LOW_THRESHOLD


def extension_page(ext):
    page = ext.context.new_page()
    page.goto(f"chrome-extension://{ext.id}/options.html")
    return page


def test_no_message_returns_a_tabs_state(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, state = ext.open_done(f"{pages_url}/spun.html")
    tab = ext.tab_id(page)
    other = extension_page(ext)
    # The page's state is known to the background (the badge shows it) ...
    assert ext.sw("id => unspin.tabState.get(id).status", tab) == "done"
    # ... but no message hands it out: a sender gets no answer for it.
    got = other.evaluate(
        "id => chrome.runtime.sendMessage({type: 'tab-state', tabId: id}).then(v => v ?? null, e => 'refused: ' + e.message)",
        tab,
    )
    assert got is None or str(got).startswith("refused"), got
    # The messages the pages do use still answer.
    status = other.evaluate("() => chrome.runtime.sendMessage({type: 'server-status'})")
    assert status["ok"] is True
    assert ext.page_state(page)["summary"]["spans"] == state["summary"]["spans"]
