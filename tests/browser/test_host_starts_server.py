"""The browser starts the server, and only the reader's own server gets page text (Chromium).

- With the browser host installed (`unspin browser-host install`) into a temporary home, and no
  server running: opening a spun page starts `unspin serve` through the host, the page and the
  popup say "Starting Unspin…", then "Unspin is reading this article…" (the page's indicator),
  and the marks appear; the indicator is then gone; a stale secret kept by the extension is
  replaced by the host with the running server's. Chromium reads per-user host manifests from
  its profile folder, which here is that home's ~/.config/chromium, as a reader's would be.
- Without the host: the popup shows today's instructions (start the server yourself).
- A program squatting the server's port, which does not know the secret, receives no page text
  and never the secret.

- While the article is read (the analysis held at the server), the page's indicator and the
  popup say so, until the marks arrive.

Screenshots of the "starting" and "reading" states go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, LOW_THRESHOLD, SECRETS, launch_chromium, marks, wait_for, wait_marks
from load_proxy import LoadProxy
from processes import free_port, stop_processes_using
from squatter import Squatter, squatting

INDICATOR_JS = "() => !!document.querySelector('unspin-indicator')"


@pytest.fixture
def home(tmp_path) -> Path:
    """A temporary home with the browser host installed, as a reader would: `unspin browser-host
    install` (its data folder, hence the secret, the default one under that home)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and k != "UNSPIN_DATA_DIR"}
    done = subprocess.run([sys.executable, "-m", "unspin.cli", "browser-host", "install"], env={**env, "HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ".config/chromium/NativeMessagingHosts/org.unspin.browser_host.json").exists()
    yield tmp_path
    stop_processes_using(tmp_path)


@pytest.fixture
def host_browser(playwright, extension_dir, home):
    """Chromium with the extension, its profile in the temporary home (where the host is)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and k != "UNSPIN_DATA_DIR"}
    launched = launch_chromium(playwright, home / ".config" / "chromium", extension_dir, {**env, "HOME": str(home)})
    yield launched
    launched.context.close()


def test_opening_a_page_starts_the_server_and_the_marks_appear(host_browser, home, pages_url):
    ext = host_browser
    port = free_port()
    ext.set_storage({"serverUrl": f"http://127.0.0.1:{port}", "threshold": LOW_THRESHOLD})
    assert ext.stored("secret") is None  # nothing known: the host hands it over
    page = ext.context.new_page()
    page.goto(f"{pages_url}/spun.html")
    seen = {}  # status -> whether the page showed the indicator then
    popup_said = None
    deadline = time.monotonic() + 240
    state = None
    while time.monotonic() < deadline:
        state = ext.page_state(page)
        status = state and state.get("status")
        if status in ("done", "error"):
            break
        if status:
            seen[status] = seen.get(status, False) or page.evaluate(INDICATOR_JS)
        if status == "launching" and popup_said is None and seen[status]:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "chromium-starting.png"))
            popup = ext.popup(page)
            popup_said = {"verdict": popup.locator("#verdict").inner_text(),
                          "server": popup.locator("#server-status").inner_text()}
            popup.screenshot(path=str(ARTIFACTS / "chromium-popup-starting.png"))
            popup.close()
        time.sleep(0.1)
    assert state and state["status"] == "done", state
    assert seen.get("launching") is True, seen  # "Starting Unspin…" while the host started the server
    # The popup said the same while the server started (loading the model takes seconds).
    assert popup_said == {"verdict": "Starting Unspin…", "server": f"Server: starting at http://127.0.0.1:{port}…"}
    found = wait_marks(page)
    assert found
    wait_for(lambda: not page.evaluate(INDICATOR_JS), message="the indicator removed once the marks arrived")
    # The host handed over the server's secret, and that server answers on the configured port.
    secret = (home / ".local/share/unspin/secret").read_text().strip()
    wait_for(lambda: ext.stored("secret") == secret, message="the secret kept")
    assert ext.sw("() => unspin.serverStatus()")["ok"] is True
    # A stale secret kept by the extension (say the file was replaced): the running server does not
    # know it, and the host, which checks against the file, hands over the right one.
    ext.set_storage({"secret": "a-stale-secret"})
    page.reload()
    assert ext.wait_status(page, want=("done", "error"), timeout=120)["status"] == "done"
    wait_for(lambda: ext.stored("secret") == secret, message="the right secret again")


def test_without_the_host_the_popup_says_how_to_start_the_server(ext, pages_url):
    # The test build holds the nativeMessaging permission, but this profile has no host installed.
    ext.set_storage({"serverUrl": f"http://127.0.0.1:{free_port()}"})
    page = ext.context.new_page()
    page.goto(f"{pages_url}/clean.html")
    state = ext.wait_status(page, want=("error",), timeout=60)
    assert "Cannot reach the Unspin server" in state["error"]["message"]
    wait_for(lambda: not page.evaluate(INDICATOR_JS), message="no indicator after the error")
    popup = ext.popup(page)
    assert popup.locator("#server-status").inner_text().startswith("Server not reachable at")
    assert popup.locator("#start-command").inner_text() == "make serve"
    assert popup.locator("#verdict").inner_text() == "Could not analyse this page"



def test_a_squatting_server_receives_no_page_text(ext, pages_url, server_url):
    with squatting() as port:
        url = f"http://127.0.0.1:{port}"
        secret = ext.stored("secret")
        assert secret  # the session server's, which the squatter does not know
        ext.set_storage({"serverUrl": url})
        page = ext.context.new_page()
        page.goto(f"{pages_url}/spun.html")
        state = ext.wait_status(page, want=("error",), timeout=60)
    assert "is not your Unspin server" in state["error"]["message"], state
    assert not marks(page)
    assert Squatter.requests, "the extension never asked the squatter to prove itself"
    assert all(method == "GET" and path.startswith("/api/v1/health?nonce=") for method, path, _, _ in Squatter.requests)
    assert not any(secret in json.dumps(headers) + body.decode(errors="replace") + path
                   for _, path, headers, body in Squatter.requests)


def test_the_page_and_popup_say_unspin_is_reading_until_the_marks_arrive(ext, pages_url, server_url):
    """With the analysis held at the server (the load tests' proxy), the indicator shows, the popup
    says the same, and both end when the marks arrive."""
    proxy = LoadProxy(server_url, SECRETS[server_url])
    proxy.hold_s = 4.0
    try:
        ext.use_threshold(LOW_THRESHOLD)
        ext.set_storage({"serverUrl": proxy.url})
        page = ext.context.new_page()
        page.goto(f"{pages_url}/spun.html?reading")
        ext.wait_status(page, want=("analysing",), timeout=30)
        wait_for(lambda: page.evaluate(INDICATOR_JS), message="the reading indicator")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chromium-reading.png"))
        popup = ext.popup(page)
        wait_for(lambda: popup.locator("#verdict").inner_text() == "Unspin is reading this article…",
                 message="the popup's reading state")
        popup.screenshot(path=str(ARTIFACTS / "chromium-popup-reading.png"))
        ext.wait_status(page, timeout=60)
        wait_marks(page)
        wait_for(lambda: not page.evaluate(INDICATOR_JS), message="the indicator removed")
        wait_for(lambda: popup.locator("#verdict").inner_text() != "Unspin is reading this article…",
                 message="the popup's verdict")
    finally:
        proxy.close()
