"""The Firefox build in a real Firefox: Debian's firefox-esr, headless, driven over WebDriver BiDi
by extension/test/firefox/driver.mjs (puppeteer-core; no geckodriver), with the extension
installed as a temporary add-on under a pinned moz-extension UUID. One run reads the
`unspin serve --allow-origin <origin>` command on the first-run and options pages, opens the spun
test page and reports what Firefox showed: the marks, the hovercard by pointer and by keyboard,
and the popup; then the same article in a same-origin iframe (iframe.html) and in an open shadow
root (shadow.html); last, against a second server started without --allow-origin (which refuses
this install's origin), a page and the popup. Each test compares that with the server's own
answer for the same article at the same threshold.

Without /usr/bin/firefox-esr these tests skip, unless UNSPIN_REQUIRE_BROWSER=1 (CI): then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import requests
from conftest import (ARTIFACTS, FIREFOX, FIREFOX_EXTENSION_ORIGIN, FIREFOX_EXTENSION_UUID, LOW_THRESHOLD, MARK_RECT_JS,
                      MARKS_JS, ROOT, analyze, mark_level, start_server, stop_server)
from test_popup import summary_text

DRIVER = ROOT / "extension" / "test" / "firefox" / "driver.mjs"
RUN_TIMEOUT_S = 480  # the driver's own deadline; it closes Firefox and says where it stopped
GRACE_S = 30  # then this process stops it


def kill_processes_using(folder: Path) -> None:
    """SIGKILL whatever still runs with `folder` on its command line (a Firefox whose driver died)."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(folder).encode() in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:  # gone meanwhile, or not ours to read
            pass


def run_driver(job: dict, scratch: Path) -> dict:
    """Run the driver on `job`; its Firefox profile lives in `scratch` (removed afterwards)."""
    env = {**os.environ, "TMPDIR": str(scratch)}  # where puppeteer creates the profile
    proc = subprocess.Popen(["node", str(DRIVER), json.dumps(job)], cwd=DRIVER.parents[2], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT_S + GRACE_S)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        pytest.fail(f"the Firefox driver did not finish within {RUN_TIMEOUT_S + GRACE_S} s:\n{err}")
    finally:
        kill_processes_using(scratch)
        shutil.rmtree(scratch, ignore_errors=True)
    if proc.returncode != 0:
        pytest.fail(f"the Firefox run failed (exit {proc.returncode}):\n{err}")
    return json.loads(out)


@pytest.fixture(scope="module")
def refusing_server_url(model_path):
    """A second server, started without --allow-origin: it refuses the Firefox install's origin."""
    proc, url = start_server(model_path, allow_firefox=False)
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def shown(extension_dir, pages_url, server_url, refusing_server_url, tmp_path_factory) -> dict:
    """What Firefox showed on the spun page at LOW_THRESHOLD (see driver.mjs for the fields)."""
    if not Path(FIREFOX).exists():
        pytest.fail(f"{FIREFOX} is missing and UNSPIN_REQUIRE_BROWSER=1: apt-get install firefox-esr")
    ARTIFACTS.mkdir(exist_ok=True)
    job = {
        "firefox": FIREFOX,
        "extension": str(extension_dir.parent / "firefox"),  # build.sh builds both
        "uuid": FIREFOX_EXTENSION_UUID,  # the session server allows its origin
        "settings": {"serverUrl": server_url, "threshold": LOW_THRESHOLD},
        "pageUrl": f"{pages_url}/spun.html",
        "framePages": [
            {"name": "iframe", "url": f"{pages_url}/iframe.html", "frameUrl": f"{pages_url}/spun.html"},
            {"name": "shadow", "url": f"{pages_url}/shadow.html"},
        ],
        "refused": {"serverUrl": refusing_server_url, "pageUrl": f"{pages_url}/astral.html"},
        "timeoutS": RUN_TIMEOUT_S,
        "artifacts": str(ARTIFACTS),
        "scripts": {"marks": MARKS_JS, "markRect": MARK_RECT_JS},
    }
    return run_driver(job, tmp_path_factory.mktemp("firefox"))


@pytest.fixture(scope="module")
def answer(shown, server_url) -> dict:
    """The server's own answer for the article Firefox's extension sent, at the same threshold."""
    return analyze(server_url, [p["text"] for p in shown["article"]["paragraphs"]], LOW_THRESHOLD)


def spans(answer: dict) -> list[dict]:
    return [s for p in answer["paragraphs"] for s in p["spans"]]


def test_firefox_marks_are_the_servers_spans(shown, answer):
    texts = [p["text"] for p in shown["article"]["paragraphs"]]
    # Readability found the article in Firefox too: the headline first, not nav/footer.
    assert texts[0] == "Russia Requested China for Army Gear, U.S. Officers Say"
    assert not any("About us" in t or "Politics" in t for t in texts)
    want = spans(answer)
    assert want, "the server marks nothing on the spun page at LOW_THRESHOLD"
    assert [m["text"] for m in shown["marks"]] == [s["text"] for s in want]
    assert [m["level"] for m in shown["marks"]] == [mark_level(s["score"]) for s in want]
    assert shown["state"]["summary"] == answer["summary"]


def test_firefox_hovercard_shows_the_suggestion_on_hover_and_focus(shown, answer):
    first = spans(answer)[0]  # both the pointer and the first Tab onto the marks reach it
    assert first["suggestions"], first
    best, *alternatives = first["suggestions"]
    assert shown["hover"]["mark"] == first["text"]
    assert shown["focus"]["label"].startswith(f"Possibly spun: {first['text']}. Likely original: {best['text']}.")
    for how in ("hover", "focus"):
        card = shown[how]["card"]
        assert card["open"] and card["by"] == how
        assert f"Likely original: {best['text']}" in card["text"], how
        if alternatives:
            assert f"Also: {', '.join(a['text'] for a in alternatives[:2])}" in card["text"], how
        assert f"Confidence {round(first['score'] * 100)}%" in card["text"], how
        assert f"Spun wording: {first['text']}" in card["text"], how


def test_firefox_popup_shows_the_servers_summary(shown, answer, server_url):
    popup = shown["popup"]
    assert (popup["verdict"].lower(), popup["figures"]) == summary_text(answer["summary"])
    assert popup["server-status"].startswith(f"Server: running at {server_url}")
    assert popup["site"] == "127.0.0.1"


@pytest.mark.parametrize("name", ["iframe", "shadow"])
def test_firefox_marks_articles_in_frames_and_shadow_roots(shown, server_url, name):
    """The article in a same-origin iframe (the iframe's script analyses it and speaks for the
    tab) and in an open shadow root: marks equal to the server's spans, painted."""
    framed = shown["framePages"][name]
    texts = [p["text"] for p in framed["article"]["paragraphs"]]
    assert texts[0] == "Russia Requested China for Army Gear, U.S. Officers Say"
    assert not any("About us" in t or "Daily Recap" in t for t in texts)
    answer = analyze(server_url, texts, LOW_THRESHOLD)
    want = spans(answer)
    assert want
    assert [m["text"] for m in framed["marks"]] == [s["text"] for s in want]
    assert [m["level"] for m in framed["marks"]] == [mark_level(s["score"]) for s in want]
    assert framed["state"]["summary"] == answer["summary"]
    assert framed["painted"], "the marks' ::highlight() styles are not painted"


ALLOW_ORIGIN_COMMAND = f"unspin serve --allow-origin {FIREFOX_EXTENSION_ORIGIN}"


@pytest.mark.parametrize("where", ["firstRun", "options"])
def test_firefox_first_run_and_options_pages_show_the_allow_origin_command(shown, where):
    """This install's own origin (the pinned UUID) in the command, exactly."""
    if where == "firstRun":  # the page the extension opened on install
        assert isinstance(shown["firstRun"]["tab"], int)
    help_ = shown[where]["allowOrigin"]
    assert not help_["hidden"]
    assert help_["command"] == ALLOW_ORIGIN_COMMAND
    assert help_["text"].endswith(ALLOW_ORIGIN_COMMAND)


def test_firefox_popup_shows_the_command_when_a_server_refuses_this_browser(shown, refusing_server_url):
    # The premise: that server refuses this install's origin (and names the flag).
    refusal = requests.get(f"{refusing_server_url}/api/v1/health", headers={"Origin": FIREFOX_EXTENSION_ORIGIN}, timeout=10)
    assert refusal.status_code == 403 and f"--allow-origin {FIREFOX_EXTENSION_ORIGIN}" in refusal.json()["error"]["message"]
    refused = shown["refused"]
    assert refused["state"]["status"] == "error" and refused["state"]["summary"] is None
    assert refused["marks"] == []
    popup = refused["popup"]
    assert popup["server-status"] == f"The server at {refusing_server_url} refused this browser."
    assert popup["startHelpHidden"] is True  # it runs: "start it" would mislead
    assert not popup["allowOrigin"]["hidden"]
    assert popup["allowOrigin"]["command"] == ALLOW_ORIGIN_COMMAND
