"""The first-run page: opened when the extension is installed, reachable from the options page; it
says what Unspin does, how to start the server (with a live found / not found check), the privacy
promise, and asks for consent to keep corrections, saying exactly what is kept, where, and how to
delete it. The consent switches are the settings the background obeys (test_corrections.py)."""

from __future__ import annotations

from conftest import wait_for


def welcome_url(ext) -> str:
    return f"chrome-extension://{ext.id}/welcome.html"


def test_opened_on_install(ext):
    # The browser fixture loads the extension into a fresh profile: an install.
    assert welcome_url(ext) in [page.url for page in ext.opened]


def test_says_what_is_kept_where_and_how_to_delete_it(ext, server_url):
    page = ext.context.new_page()
    page.goto(welcome_url(ext))
    text = page.locator("main").inner_text()
    for phrase in ("What Unspin does", "make serve", "unspin serve", "Everything stays on your computer",
                   "Nothing is sent anywhere, except the web search", "~/.local/share/unspin/feedback.sqlite3",
                   "unspin feedback clear"):
        assert phrase in text, phrase
    assert page.locator("#kept li").all_inner_texts() == [
        "the paragraph the mark is in,", "the marked span (where it starts and ends in the paragraph),",
        "your answer: spun or not spun,", "the original wording you confirmed or typed, if any,",
        "the time of the correction,", "no page address, unless you also tick \"include the page address\" below."]
    # Chromium's extension id is always allowed: no --allow-origin command here (Firefox only).
    assert page.locator("#allow-origin").is_hidden()
    # The live server check, through the extension's own server status.
    state = page.locator("#server-state")
    wait_for(lambda: state.inner_text().startswith(f"Server found at {server_url}"), message="server found")
    ext.set_storage({"serverUrl": "http://127.0.0.1:9"})
    page.locator("#server-check").click()
    wait_for(lambda: state.inner_text() == "Server not found at http://127.0.0.1:9: start it with one of the commands above.",
             message="server not found")


def test_the_first_step_only_asks_the_reader_to_allow_the_browser_host(ext):
    """The set-up command registered the browser host already (`make serve`, the first `unspin
    serve`): the page's first step is one button, with no command to type (the status beside it
    names the command only when the host turns out not to be installed, as on this machine)."""
    page = ext.context.new_page()
    page.goto(welcome_url(ext))
    first = page.locator("section").nth(1)
    assert first.locator("h2").inner_text() == "Let Unspin start its server"
    explained = first.locator("p").first
    assert explained.locator("code").count() == 0 and "browser-host" not in explained.inner_text()
    assert "already prepared this: allow it once" in explained.inner_text()
    assert first.locator("button").all_inner_texts() == [page.locator("#host-allow").inner_text()]


def test_consent_is_off_until_the_reader_agrees(ext):
    def stored():
        return ext.sw("() => chrome.storage.local.get(['feedback', 'feedbackUrl'])")

    page = ext.context.new_page()
    page.goto(welcome_url(ext))
    consent, url = page.locator("#feedback-consent"), page.locator("#feedback-url")
    wait_for(lambda: page.locator("#feedback-state").inner_text() == "Corrections are off: nothing is kept.", message="off")
    assert not consent.is_checked() and url.is_disabled()
    assert stored() == {}  # nothing stored: the default, off
    consent.check()
    wait_for(lambda: stored() == {"feedback": True}, message="consent stored")
    assert url.is_enabled()
    url.check()
    wait_for(lambda: stored() == {"feedback": True, "feedbackUrl": True}, message="address allowed")
    assert page.locator("#feedback-state").inner_text() == "Your corrections are kept on this computer, with the page address."
    consent.uncheck()
    wait_for(lambda: stored() == {"feedback": False, "feedbackUrl": False}, message="consent withdrawn")
    assert url.is_disabled() and not url.is_checked()


def test_reachable_from_the_options_page(ext):
    options = ext.context.new_page()
    options.goto(f"chrome-extension://{ext.id}/options.html")
    assert options.locator("#allow-origin").is_hidden()  # Firefox only
    with ext.context.expect_page() as opened:
        options.locator("#welcome-link").click()
    opened.value.wait_for_load_state()
    assert opened.value.url == welcome_url(ext)
