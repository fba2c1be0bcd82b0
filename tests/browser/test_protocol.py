"""The extension's message protocol and what the background trusts: no message hands one tab's
state to another sender."""

from __future__ import annotations

from conftest import LOW_THRESHOLD, sent


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


def test_stored_server_address_off_this_computer_is_never_used(ext, pages_url):
    # Storage can hold anything (another extension version, a profile copy): checked at use.
    ext.set_storage({"serverUrl": "http://192.0.2.1:8765"})
    before = sent(ext)
    page = ext.context.new_page()
    page.goto(f"{pages_url}/clean.html")
    state = ext.wait_status(page, want=("error",), timeout=30)
    assert state["error"]["kind"] == "not-loopback"
    assert "192.0.2.1" in state["error"]["message"]
    assert sent(ext) == before  # nothing was sent
    status = extension_page(ext).evaluate("() => chrome.runtime.sendMessage({type: 'server-status'})")
    assert status["ok"] is False and status["error"]["kind"] == "not-loopback"


def test_extension_pages_connect_only_to_this_computer(ext, server_url):
    page = extension_page(ext)
    blocked = page.evaluate("""() => new Promise(resolve => {
      document.addEventListener('securitypolicyviolation', e => resolve({directive: e.effectiveDirective, uri: e.blockedURI}));
      fetch('http://192.0.2.1:9/x').catch(() => {});
    })""")
    assert blocked["directive"] == "connect-src" and blocked["uri"].startswith("http://192.0.2.1")
    # The server on this computer is still reachable from extension pages.
    assert page.evaluate("url => fetch(url + '/api/v1/health').then(r => r.status)", server_url) == 200
