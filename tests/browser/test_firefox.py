"""The Firefox build in a real Firefox: Debian's firefox-esr, headless, driven over WebDriver BiDi
by extension/test/firefox/driver.mjs (puppeteer-core; no geckodriver), with the extension
installed as a temporary add-on under a pinned moz-extension UUID. One run reads the
`unspin serve --allow-origin <origin>` command on the first-run and options pages, opens the spun
test page and reports what Firefox showed: the marks, the hovercard by pointer and by keyboard,
and the popup, which follows its sensitivity slider while open; the keyboard commands (next-mark,
previous-mark) on a fresh copy of that page; the marks on a page whose words hold soft hyphens
and zero-width characters (soft-hyphens.html); the same article in a same-origin iframe
(iframe.html) and in an open shadow root (shadow.html); last, against a second server started
without --allow-origin (which refuses this install's origin), a page and the popup; and, with
the browser host installed in Firefox's temporary home, a page opened while no server runs: the
host starts one (with this install's origin allowed), "Starting Unspin…" shows on the page, then
the marks. Each test compares that with the server's own answer for the same article at the same
threshold.

Without /usr/bin/firefox-esr these tests skip, unless UNSPIN_REQUIRE_BROWSER=1 (CI): then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from conftest import (ARTIFACTS, FIREFOX, FIREFOX_EXTENSION_ORIGIN, FIREFOX_EXTENSION_UUID, LOW_THRESHOLD, MARK_RECT_JS,
                      MARKS_JS, ROOT, SECRETS, analyze, mark_level, model_threshold, start_server, stop_server)
from load_proxy import LoadProxy
from processes import free_port, stop_processes_using
from test_keyboard import COMMAND_TOUR, assert_reached
from test_popup import summary_text
from test_find_original import assert_is_a_restored_phrase
from test_words import word_char

from unspin.engine.decide import SCALE
from unspin.text import INVISIBLE_RE

DRIVER = ROOT / "extension" / "test" / "firefox" / "driver.mjs"
RUN_TIMEOUT_S = 480  # the driver's own deadline; it closes Firefox and says where it stopped
GRACE_S = 30  # then this process stops it
SLIDER_THRESHOLD = 0.5  # where the open popup's slider moves (stricter than LOW_THRESHOLD)

# Each mark (in reading order) with the characters next to it in its block: "" at the block's ends.
MARK_EDGES_JS = """() => {
  const ranges = [];
  for (const level of ['low', 'mid', 'high']) {
    const h = CSS.highlights.get('unspin-' + level);
    if (h) for (const r of h) if (!r.collapsed) ranges.push(r);
  }
  ranges.sort((a, b) => a.compareBoundaryPoints(Range.START_TO_START, b));
  return ranges.map((r) => {
    const node = r.commonAncestorContainer;
    const block = (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).closest('p, h1, h2, h3, li, blockquote');
    const before = document.createRange();
    before.setStart(block, 0);
    before.setEnd(r.startContainer, r.startOffset);
    const after = document.createRange();
    after.setStart(r.endContainer, r.endOffset);
    after.setEnd(block, block.childNodes.length);
    return {text: r.toString(), before: before.toString().slice(-1), after: after.toString().slice(0, 1)};
  });
}"""


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
        stop_processes_using(scratch, signal.SIGKILL)  # a Firefox whose driver died
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
def reading_proxy(server_url):
    """The session server behind the load tests' proxy, which holds each analysis 4 s."""
    proxy = LoadProxy(server_url, SECRETS[server_url])
    proxy.hold_s = 4.0
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def host_home(tmp_path_factory):
    """A temporary home with the browser host installed (`unspin browser-host install`), which
    Firefox runs with; the server the host starts is stopped afterwards."""
    home = tmp_path_factory.mktemp("firefox-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and k != "UNSPIN_DATA_DIR"}
    subprocess.run([sys.executable, "-m", "unspin.cli", "browser-host", "install"], env={**env, "HOME": str(home)},
                   check=True, capture_output=True, timeout=60)
    yield home
    stop_processes_using(home)


def slider_points(server_url: str) -> list[float]:
    """The popup's sensitivity scale with the settings of this run: fewest marks first."""
    return sorted(set(SCALE) | {model_threshold(server_url), LOW_THRESHOLD}, reverse=True)


@pytest.fixture(scope="module")
def shown(extension_dir, pages_url, server_url, refusing_server_url, reading_proxy, host_home, tmp_path_factory) -> dict:
    """What Firefox showed on the spun page at LOW_THRESHOLD (see driver.mjs for the fields)."""
    if not Path(FIREFOX).exists():
        pytest.fail(f"{FIREFOX} is missing and UNSPIN_REQUIRE_BROWSER=1: apt-get install firefox-esr")
    ARTIFACTS.mkdir(exist_ok=True)
    job = {
        "firefox": FIREFOX,
        "extension": str(extension_dir.parent / "firefox"),  # build.sh builds both
        "uuid": FIREFOX_EXTENSION_UUID,  # the session server allows its origin
        "settings": {"serverUrl": server_url, "secret": SECRETS[server_url], "threshold": LOW_THRESHOLD},
        "pageUrl": f"{pages_url}/spun.html",
        "slider": {"index": slider_points(server_url).index(SLIDER_THRESHOLD)},
        "nextSteps": True,
        # The same article on a page of its own (another address: another tab).
        "commands": {"pageUrl": f"{pages_url}/spun.html?commands", "sequence": [name for name, _ in COMMAND_TOUR]},
        "wordsPageUrl": f"{pages_url}/soft-hyphens.html",
        "framePages": [
            {"name": "iframe", "url": f"{pages_url}/iframe.html", "frameUrl": f"{pages_url}/spun.html"},
            {"name": "shadow", "url": f"{pages_url}/shadow.html"},
        ],
        "refused": {"serverUrl": refusing_server_url, "secret": SECRETS[refusing_server_url],
                    "pageUrl": f"{pages_url}/astral.html"},
        "reading": {"serverUrl": reading_proxy.url, "secret": SECRETS[server_url], "pageUrl": f"{pages_url}/spun.html?reading"},
        "home": str(host_home),
        "host": {"serverUrl": f"http://127.0.0.1:{free_port()}", "pageUrl": f"{pages_url}/spun.html?host"},
        "timeoutS": RUN_TIMEOUT_S,
        "artifacts": str(ARTIFACTS),
        "scripts": {"marks": MARKS_JS, "markRect": MARK_RECT_JS, "markEdges": MARK_EDGES_JS},
    }
    return run_driver(job, tmp_path_factory.mktemp("firefox"))


@pytest.fixture(scope="module")
def answer(shown, server_url) -> dict:
    """The server's own answer for the article Firefox's extension sent, at the same threshold."""
    return analyze(server_url, [p["text"] for p in shown["article"]["paragraphs"]], LOW_THRESHOLD)


def spans(answer: dict) -> list[dict]:
    return [s for p in answer["paragraphs"] for s in p["spans"]]


def section(shown: dict, name: str) -> dict:
    """A part of the run that reports on its own (slider, commands, words): it must have run."""
    part = shown[name]
    assert "error" not in part, f"the Firefox run's {name} part failed: {part['error']}"
    return part


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


def test_firefox_open_popup_follows_the_slider(shown, answer, server_url):
    """The popup open on the tab, its slider moved to SLIDER_THRESHOLD: while the reader moves it,
    it says how many words that point would mark (the page's answer holds it); let go, without
    reopening, it shows the server's summary of the same article at that threshold."""
    slider = section(shown, "slider")
    texts = [p["text"] for p in shown["article"]["paragraphs"]]
    at_slider = analyze(server_url, texts, SLIDER_THRESHOLD)["summary"]
    assert summary_text(at_slider) != summary_text(answer["summary"])  # the premise: the move shows
    words = {c["threshold"]: c["spun_words"] for c in answer["summary"]["spun_words_by_threshold"]}[SLIDER_THRESHOLD]
    assert words == at_slider["spun_words"]
    said = f"Threshold {SLIDER_THRESHOLD:.2f} · {words} words marked on this page"
    assert slider["preview"] == said  # before letting go: from the answer at LOW_THRESHOLD
    assert slider["state"]["summary"] == at_slider  # the page answered at the new threshold
    assert slider["threshold-value"] == said
    assert (slider["verdict"].lower(), slider["figures"]) == summary_text(at_slider)


def test_firefox_find_the_original_and_copy_report(shown):
    """In the open popup, as a reader clicks: Find the original hands the search API an exact
    phrase of the restored article and opens a tab; Copy report copies the page's Markdown report."""
    steps = section(shown, "nextSteps")
    assert steps["searchesBefore"] == []  # nothing searched before the click
    [query] = steps["searches"]
    assert_is_a_restored_phrase(query, shown["article"])
    assert steps["tabsAfter"] == steps["tabsBefore"] + 1
    assert steps["findStatus"] == f"Searching your search engine for {query} in a new tab."
    assert steps["copyStatus"] == "Report copied (Markdown): paste it where you want to send it."
    lines = steps["report"].splitlines()
    assert lines[0] == f"## Unspin report: {shown['article']['title']}" and f"Page: <{shown['article']['url']}>" in lines
    marks = [s for p in shown["article"]["paragraphs"] for s in p["spans"]]
    assert len([line for line in lines if line[:1].isdigit()]) == len(marks) > 0


def test_firefox_commands_move_focus_open_the_card_and_announce(shown, server_url):
    """next-mark / previous-mark through the background's command dispatch, as Firefox calls it for
    the shortcut: each reaches the mark test_keyboard.py's tour names, focused, announced, its card
    open; Escape closes the card."""
    commands = section(shown, "commands")
    texts = [p["text"] for p in commands["article"]["paragraphs"]]
    want = spans(analyze(server_url, texts, LOW_THRESHOLD))
    assert len(want) >= 3
    assert [s["command"] for s in commands["steps"]] == [name for name, _ in COMMAND_TOUR]
    for step, (name, index) in zip(commands["steps"], COMMAND_TOUR, strict=True):
        assert step["returned"] is True, name
        assert_reached(step["overlay"], want[index])
        assert step["active"] == "unspin-overlay", name  # keyboard focus on the overlay's proxy button
    assert commands["escapeClosesCard"]


def test_firefox_marks_whole_words_with_soft_hyphens_and_zero_width_characters(shown, server_url):
    """The page's text sent with its in-word characters, the marks the server's spans, each mark
    between the same characters on the page as its span in the sent text, and at least one mark
    that holds an in-word character covering its whole word."""
    words = section(shown, "words")
    texts = [p["text"] for p in words["article"]["paragraphs"]]
    assert any("war\u00adfare" in t for t in texts) and any("pro\u00adgress\u00ading" in t for t in texts)
    answer = analyze(server_url, texts, LOW_THRESHOLD)
    assert words["state"]["summary"] == answer["summary"]
    want = [(text, s) for text, p in zip(texts, answer["paragraphs"]) for s in p["spans"]]
    assert want
    marks = words["marks"]
    assert [m["text"] for m in marks] == [s["text"] for _, s in want]

    def edges(text: str, span: dict) -> tuple[str, str]:  # as the page shows them, spaces collapsed
        return text[span["start"] - 1:span["start"]], text[span["end"]:span["end"] + 1]

    def collapsed(ch: str) -> str:
        return " " if ch.isspace() else ch

    assert [(collapsed(m["before"]), collapsed(m["after"])) for m in marks] == [edges(text, s) for text, s in want]
    def boundary(ch: str) -> bool:  # no word character there ("": the block's end)
        return not ch or not word_char(ch)

    whole = [m["text"] for m in marks
             if INVISIBLE_RE.search(m["text"]) and boundary(m["before"]) and boundary(m["after"])]
    assert whole, [(m["before"], m["text"], m["after"]) for m in marks]


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


def test_firefox_starts_the_server_through_the_browser_host(shown, host_home):
    """No server, no secret: the host (installed in Firefox's home) starts the server with this
    install's origin allowed; the page says "Starting Unspin…" with its indicator, then the
    marks appear and the indicator goes."""
    host = section(shown, "host")
    assert host["state"]["status"] == "done", host["state"]
    assert ["launching", True] in host["statuses"], host["statuses"]
    assert host["marks"]
    assert host["indicatorAfter"] is False
    assert host["secretKept"] == (host_home / ".local/share/unspin/secret").read_text().strip()


def test_firefox_page_says_unspin_is_reading_until_the_marks_arrive(shown):
    reading = section(shown, "reading")
    assert reading["state"]["status"] == "done", reading["state"]
    assert ["analysing", True] in reading["statuses"], reading["statuses"]
    assert reading["marks"] and reading["indicatorAfter"] is False
