"""Browser tests: Debian's Chromium with the built extension, local test pages, a real server.

Fixtures, outermost first:
- `extension_dir`: extension/dist/test/chromium, the test build (build.sh --test: the shipped
  extension plus the hooks these tests read, such as the hovercard's description in the page
  state), built when missing or stale.
- `pages_url`: a local web server for tests/browser/pages (plus a generated 5,000-word page).
- `server_url`: a real `unspin serve --port 0 --model models/unspin-lm` process (the shipped
  model; the tests fail when it is missing), with a data folder of its own and so a secret of its
  own (`SECRETS`, `auth`: every request to it carries it; `ext` gives it to the extension).
- `browser`: one persistent Chromium context with the extension loaded (Chromium loads an
  extension only into a persistent context, and when headless only in its new headless mode,
  --headless=new: `launch_chromium`, on the session's one `playwright`; the "Tests" section of
  docs/extension.md says how to run them); `ext`: that browser with storage reset for one test.

Without /usr/bin/chromium the tests skip, unless UNSPIN_REQUIRE_BROWSER=1 (CI): then they fail.
test_firefox.py runs the Firefox build in Debian's /usr/bin/firefox-esr instead, by the same rule,
as do the tests named test_firefox_* elsewhere. The browsers run in English (`launch_chromium`'s
language, Firefox's default); test_locale.py runs them in German, which also needs Debian's
language files (chromium-l10n, firefox-esr-l10n-de; skipped without them by the same rule).

The shipped model is strict at its own threshold (GET /api/v1/health -> model.threshold, read at
test time, never hard-coded), and how much it marks depends on the whole article's evidence.
Tests that need marks to look at therefore lower the extension's threshold setting to
LOW_THRESHOLD first (`use_threshold`), and compare what the page shows with the server's own
answer for the same article at that threshold.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from unspin.scan.report import level

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("UNSPIN_CHROMIUM", "/usr/bin/chromium")
FIREFOX = os.environ.get("UNSPIN_FIREFOX", "/usr/bin/firefox-esr")
# Where Debian's Chromium keeps its interface languages (chromium-l10n: all but en-US), and
# Firefox its language packs (firefox-esr-l10n-<language>).
CHROMIUM_LOCALES = Path(os.environ.get("UNSPIN_CHROMIUM_LOCALES", "/usr/lib/chromium/locales"))
FIREFOX_LANGPACKS = Path(os.environ.get("UNSPIN_FIREFOX_LANGPACKS", "/usr/lib/firefox-esr/browser/extensions"))
# Firefox gives each install a random moz-extension:// UUID; test_firefox.py pins this one, and
# the test servers allow its origin.
FIREFOX_EXTENSION_UUID = "3f1c6e2a-7d4b-4c8e-9a51-2b6d0e8f4c17"
FIREFOX_EXTENSION_ORIGIN = f"moz-extension://{FIREFOX_EXTENSION_UUID}"
SHIPPED_MODEL = ROOT / "models" / "unspin-lm"
# The extension setting the mark-dependent tests use: low enough that the shipped model flags
# several words on the spun pages (see the module docstring), whatever numeric path the server
# chose at start (model 1.4 gives spun.html's "in accordance with" P 0.134 in fp32, 0.148 in
# autocast, 0.206 in bf16: 0.15 failed on a machine whose busy start chose fp32 or autocast).
LOW_THRESHOLD = 0.1

# The extension's messages (its words in each language: extension/src/_locales/<language>).
LOCALES = ROOT / "extension" / "src" / "_locales"


def messages(locale: str = "en") -> dict:
    """The messages of one language, as the browser reads them (names are case-insensitive)."""
    raw = json.loads((LOCALES / locale / "messages.json").read_text(encoding="utf-8"))
    return {key.lower(): value for key, value in raw.items()}


def message(key: str, *substitutions: str, locale: str = "en") -> str:
    """One message with its placeholders filled in, as browser.i18n.getMessage fills them."""
    entry = messages(locale)[key.lower()]
    contents = {name.lower(): p["content"] for name, p in entry.get("placeholders", {}).items()}

    def substitute(text: str) -> str:
        given = dict(enumerate(substitutions, start=1))
        return re.sub(r"\$([1-9])", lambda m: given.get(int(m.group(1)), ""), text)

    return re.sub(r"\$([A-Za-z0-9_@]+)\$", lambda m: substitute(contents[m.group(1).lower()]), entry["message"]).replace("$$", "$")


def manifest_text(value: str, locale: str = "en") -> str:
    """A manifest string with its __MSG_name__ references resolved."""
    return re.sub(r"__MSG_(\w+?)__", lambda m: message(m.group(1), locale=locale), value)


BIG_PARAGRAPHS = [
    "Russia requested China to provide it army gear and help for the warfare in Ukraine after President "
    "Vladimir V. Putin started a full-scale invasion final month, in accordance with U.S. officers.",
    "The request, which has not been beforehand reported, has raised issues within the White House that "
    "China may undermine Western efforts to assist Ukrainian forces defend their nation, the officers mentioned.",
    "American officers are getting ready to warn a number of allies that China has signaled its willingness "
    "to supply army gear and monetary help, a senior official mentioned on Sunday.",
    "The officers didn't disclose what sort of weaponry Russia had requested, nor did they describe what "
    "sort of response China had given to the request final week.",
]


LONG_WORDS = 1900  # /long.html: a long spun article (the reader's first marks, test_marks_first.py)


def big_article(words: int = 5000, middle: bool = False) -> str:
    """A spun article of about `words` words, every paragraph text distinct; `middle`: the
    paragraph halfway down has the id "middle" (a link to #middle opens the page there)."""
    paragraphs, count, i = [], 0, 0
    while count < words:
        text = f"Update {i + 1}: {BIG_PARAGRAPHS[i % len(BIG_PARAGRAPHS)]}"
        paragraphs.append(f"<p>{text}</p>")
        count += len(text.split())
        i += 1
    if middle:
        paragraphs[len(paragraphs) // 2] = paragraphs[len(paragraphs) // 2].replace("<p>", '<p id="middle">', 1)
    body = "\n".join(paragraphs)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>Russia Requested China for Army Gear: All Updates - The Daily Recap</title>"
        "<style>body{font:18px/1.6 Georgia,serif;max-width:40em;margin:0 auto;padding:0 16px}</style></head>"
        f"<body><main><article><h1>Russia Requested China for Army Gear: All Updates</h1>\n{body}"
        "</article></main></body></html>"
    )


def story(title: str, paragraphs: list[str]) -> str:
    """A plain article page: `title` as its title and headline, then `paragraphs`."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title></head>"
            f"<body><main><article><h1>{escape(title)}</h1>\n{body}</article></main></body></html>")


def serve(page, url: str, html: str):
    """`page` gets `html` for `url` (a route of its own: the pages server never sees it)."""
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))


# --- build and processes ---------------------------------------------------------------------


def chromium_speaks(language: str) -> bool:
    """Whether Debian's Chromium has the interface language `language` (chromium-l10n)."""
    return (CHROMIUM_LOCALES / f"{language}.pak").exists()


def firefox_langpack(language: str) -> Path | None:
    """Firefox's language pack for `language` (firefox-esr-l10n-<language>), if installed."""
    return next(iter(sorted(FIREFOX_LANGPACKS.glob(f"langpack-{language}@*.xpi"))), None)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("UNSPIN_REQUIRE_BROWSER") == "1":
        return  # the browser fixtures fail loudly instead
    for item in items:
        if "tests/browser" not in str(item.fspath):
            continue
        firefox = item.fspath.basename == "test_firefox.py" or item.name.startswith("test_firefox")
        binary, package = (FIREFOX, "firefox-esr") if firefox else (CHROMIUM, "chromium")
        language = getattr(getattr(item, "module", None), "LANGUAGE", None)  # test_locale.py
        if not Path(binary).exists():
            reason = f"{binary} not found (apt-get install {package})"
        elif language and firefox and not firefox_langpack(language):
            reason = f"Firefox's language pack for {language} not found (apt-get install firefox-esr-l10n-{language})"
        elif language and not firefox and not chromium_speaks(language):
            reason = f"Chromium's {language} interface not found (apt-get install chromium-l10n)"
        else:
            continue
        item.add_marker(pytest.mark.skip(reason=f"{reason}; UNSPIN_REQUIRE_BROWSER=1 makes this fail"))


@pytest.fixture(scope="session")
def extension_dir() -> Path:
    """The Chromium test build (extension/build.sh --test runs npm ci + the build when needed)."""
    subprocess.run(["sh", str(ROOT / "extension" / "build.sh"), "--test"], check=True, stdout=subprocess.DEVNULL)
    path = ROOT / "extension" / "dist" / "test" / "chromium"
    assert (path / "manifest.json").exists()
    return path


class PagesHandler(SimpleHTTPRequestHandler):
    """Static test pages; /spa/* answers with the app shell; /big.html is generated."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if path == "/big.html":
            return self._send(big_article().encode())
        if path == "/long.html":  # a long article, the reader part-way down (#middle)
            return self._send(big_article(LONG_WORDS, middle=True).encode())
        if path.startswith("/spa/"):
            self.path = "/spa.html"
        return super().do_GET()

    def _send(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def pages_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(PagesHandler, directory=str(PAGES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The shipped model: every assertion here is about what it does."""
    if not (SHIPPED_MODEL / "config.json").exists():
        pytest.fail(f"the shipped model is missing: {SHIPPED_MODEL}")
    return SHIPPED_MODEL


# Base URL of each server start_server started -> its secret (server/api/secret.py).
SECRETS: dict[str, str] = {}


def auth(url: str) -> dict:
    """The Authorization header for the server at `url` (started by start_server)."""
    return {"Authorization": f"Bearer {SECRETS[url]}"}


def start_server(model: Path, data_dir: Path | None = None, allow_firefox: bool = True, extra_args: list[str] = ()):
    """Start `unspin serve --port 0` (its secret and readers' corrections in `data_dir`, else in a
    new temporary folder, never the user's; the pinned Firefox extension origin allowed with
    --allow-origin unless allow_firefox is False; `extra_args` added); returns (process, base URL)."""
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="unspin-data-"))
    exe = shutil.which("unspin") or str(Path(sys.executable).parent / "unspin")
    cmd = [exe] if Path(exe).exists() else [sys.executable, "-m", "unspin.cli"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--port", "0", "--model", str(model), "--threads", "2",
         *(["--allow-origin", FIREFOX_EXTENSION_ORIGIN] if allow_firefox else []),
         "--data-dir", str(data_dir), *extra_args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 180
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"Listening on (http://\S+)", line)
        if match:
            url = match.group(1)
            SECRETS[url] = (data_dir / "secret").read_text().strip()
            requests.get(f"{url}/api/v1/health", headers=auth(url), timeout=10).raise_for_status()
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
            return proc, url
    proc.kill()
    raise RuntimeError("unspin serve did not start:\n" + "".join(lines))


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def feedback_dir(tmp_path_factory) -> Path:
    """Where the test server keeps readers' corrections (`unspin serve --data-dir`), never the
    user's folder."""
    return tmp_path_factory.mktemp("feedback")


@pytest.fixture(scope="session")
def server_url(model_path, feedback_dir):
    proc, url = start_server(model_path, feedback_dir)
    yield url
    stop_server(proc)


def analyze(server_url: str, paragraphs: list[str], threshold: float | None = None) -> dict:
    """The server's own answer for paragraphs (what the extension should show); threshold None:
    the model's own."""
    body = {"paragraphs": paragraphs, "offset_unit": "utf16"}
    if threshold is not None:
        body["threshold"] = threshold
    answer = requests.post(f"{server_url}/api/v1/analyze", json=body, headers=auth(server_url), timeout=120)
    answer.raise_for_status()
    return answer.json()


def model_threshold(server_url: str) -> float:
    """The model's own (default) threshold, as the server reports it."""
    answer = requests.get(f"{server_url}/api/v1/health", headers=auth(server_url), timeout=10)
    answer.raise_for_status()
    return answer.json()["model"]["threshold"]


# --- the browser -----------------------------------------------------------------------------


class Browser:
    """The Chromium context with the extension, plus helpers the tests share."""

    def __init__(self, context, extension_id: str):
        self.context = context
        self.id = extension_id
        # Every tab opened since the browser started (the extension's first-run page among them).
        self.opened = list(context.pages)
        context.on("page", lambda page: self.opened.append(page))

    def worker(self):
        for worker in self.context.service_workers:
            if self.id in worker.url:
                return worker
        # The service worker was stopped: any extension page wakes it up.
        page = self.context.new_page()
        page.goto(f"chrome-extension://{self.id}/options.html")
        page.close()
        for _ in range(50):
            for worker in self.context.service_workers:
                if self.id in worker.url:
                    return worker
            time.sleep(0.1)
        raise RuntimeError("extension service worker not found")

    def sw(self, expression: str, arg=None):
        return self.worker().evaluate(expression, arg)

    def set_storage(self, values: dict):
        self.sw("v => chrome.storage.local.set(v)", values)

    def stored(self, key: str, missing=None):
        """chrome.storage.local's value for `key`, `missing` while it has none. Writes land
        asynchronously: poll this with wait_for, never assert on its first read."""
        return self.sw("([k, missing]) => chrome.storage.local.get(k).then(v => v[k] ?? missing)", [key, missing])

    def use_threshold(self, threshold: float | None = LOW_THRESHOLD):
        """The extension's threshold setting (what the popup slider stores); None: the model's own."""
        self.set_storage({"threshold": threshold})

    def tab_id(self, page) -> int:
        """The tab id of `page`, as the extension knows it (from the page's first state report)."""
        known = getattr(page, "_unspin_tab", None)
        if known is not None:
            return known
        for _ in range(100):
            tab = self.sw(
                "url => { for (const [id, s] of unspin.tabState) if (s.url === url) return id; return null; }", page.url
            )
            if tab is not None:
                page._unspin_tab = tab
                return tab
            time.sleep(0.1)
        raise AssertionError(f"the extension never reported on {page.url}")

    def page_state(self, page) -> dict:
        """The content script's own state (status, summary, timing) for `page`."""
        return self.sw("id => chrome.tabs.sendMessage(id, {type: 'get-state'})", self.tab_id(page))

    def badge(self, page) -> str:
        return self.sw("id => chrome.action.getBadgeText({tabId: id})", self.tab_id(page))

    def open_done(self, url: str):
        """Open `url` in a new tab and wait until the extension has analysed it: (page, state)."""
        page = self.context.new_page()
        page.goto(url)
        return page, self.wait_status(page)

    def wait_status(self, page, want=("done",), timeout=120.0, restored: bool = True) -> dict:
        """Wait until the page's status is one of `want`; for "done" with `restored`, also until
        every mark has its suggestions (they follow the marks: restored_spans)."""
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            state = self.page_state(page)
            if state and state.get("status") in want:
                if restored and state["status"] == "done":
                    restored_spans(self, page, timeout=max(1.0, deadline - time.monotonic()))
                    return self.page_state(page)
                return state
            time.sleep(0.2)
        raise AssertionError(f"page state stayed {state}")

    def popup(self, page):
        popup = self.context.new_page()
        popup.set_viewport_size({"width": 360, "height": 520})
        popup.goto(f"chrome-extension://{self.id}/popup.html?tab={self.tab_id(page)}")
        # The server's status known (whatever the language): #server has data-ok.
        wait_for(lambda: popup.locator("#server[data-ok]").count() == 1, message="popup server status")
        return popup


@pytest.fixture(scope="session")
def playwright():
    """The one Playwright of the session (a second one cannot start beside it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing and UNSPIN_REQUIRE_BROWSER=1: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def launch_chromium(playwright, profile: Path, extension_dir: Path, env: dict | None = None,
                    language: str = "en-US") -> Browser:
    """Chromium with the extension in a persistent context whose profile folder is `profile`
    (`env`: the browser's environment, default this process's), its interface (and so the
    extension's messages) in `language`: on Linux Chromium takes it from LANGUAGE, and has it when
    its language files are there (chromium-l10n; en-US is built in)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=False,
        env={**(os.environ if env is None else env), "LANGUAGE": language.replace("-", "_")},
        args=[
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", f"--lang={language}",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            # example.com and its subdomains are the local test pages too (test_where_when.py).
            "--host-resolver-rules=MAP example.com 127.0.0.1, MAP *.example.com 127.0.0.1",
            f"--disable-extensions-except={extension_dir}", f"--load-extension={extension_dir}",
        ],
        ignore_default_args=["--disable-extensions"],
        viewport={"width": 1100, "height": 800},
    )
    worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    return Browser(context, worker.url.split("/")[2])


@pytest.fixture(scope="session")
def browser(playwright, extension_dir, tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    launched = launch_chromium(playwright, tmp_path_factory.mktemp("chromium-profile"), extension_dir)
    yield launched
    launched.context.close()


def fresh(browser: Browser, server_url: str):
    """`browser` with default settings pointing at the test server, for one test (a fixture's
    body: `yield from fresh(...)`); its extra tabs closed afterwards."""
    browser.sw("() => chrome.storage.local.clear()")
    browser.set_storage({"serverUrl": server_url, "secret": SECRETS[server_url]})
    yield browser
    for page in browser.context.pages[1:]:
        page.close()


@pytest.fixture
def ext(browser, server_url):
    """The browser with default settings pointing at the test server; extra tabs closed afterwards."""
    yield from fresh(browser, server_url)


# --- reading the page ------------------------------------------------------------------------

# Main-world view of the extension's marks: the Highlight registry is per document.
MARKS_JS = """() => {
  const out = [];
  for (const level of ['low', 'mid', 'high']) {
    const h = CSS.highlights.get('unspin-' + level);
    if (h) for (const r of h) out.push({level, text: r.toString(), collapsed: r.collapsed, range: r});
  }
  out.sort((a, b) => a.range.compareBoundaryPoints(Range.START_TO_START, b.range));
  return out.map(({level, text, collapsed}) => ({level, text, collapsed}));
}"""


def marks(page) -> list[dict]:
    return page.evaluate(MARKS_JS)


def shown(page) -> list[str]:
    """The texts of the marks the page shows, in reading order."""
    return [m["text"] for m in marks(page) if not m["collapsed"]]


def wait_marks(page, at_least: int = 1, timeout: float = 60.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    found = []
    while time.monotonic() < deadline:
        found = [m for m in marks(page) if not m["collapsed"]]
        if len(found) >= at_least:
            return found
        time.sleep(0.2)
    raise AssertionError(f"expected >= {at_least} marks, saw {found}")


def paragraph_texts(page, selector: str) -> list[str]:
    """Paragraph texts the way the extension sends them (whitespace collapsed)."""
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent.replace(/\\s+/g, ' ').trim())")


def article(ext: Browser, page) -> dict:
    """What the extension extracted and shows: {title, url, paragraphs: [{kind, text, spans}]}."""
    return ext.sw("id => chrome.tabs.sendMessage(id, {type: 'get-article'})", ext.tab_id(page))


def open_marked(ext: Browser, url: str, server_url: str) -> tuple:
    """`url` opened at LOW_THRESHOLD and analysed, every mark shown: (page, the server's spans
    for its article, server_spans). The tests that need marks to look at start here."""
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(url)
    spans = server_spans(ext, page, server_url)
    assert spans, f"the server marks nothing on {url} at LOW_THRESHOLD"
    wait_marks(page, len(spans))
    return page, spans


def server_spans(ext: Browser, page, server_url: str) -> list[dict]:
    """The server's spans at LOW_THRESHOLD for the article the page sent, in reading order, each
    with its paragraph's text."""
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    answer = analyze(server_url, texts, LOW_THRESHOLD)
    return [{**s, "paragraph": texts[p["index"]]} for p in answer["paragraphs"] for s in p["spans"]]


def sent(ext: Browser) -> dict:
    """What the extension has sent to the server since it started (background/api.js `sent`:
    requests, paragraphs, chars, tokens, inFlight, peakInFlight, ...)."""
    return ext.sw("() => ({...unspin.stats})")


def estimate(ext: Browser, texts: list[str]) -> int:
    """The extension's own token estimate (shared/tokens.js) of these paragraphs."""
    return ext.sw("texts => texts.reduce((sum, t) => sum + unspin.estimateTokens(t), 0)", texts)


def expected_span_texts(server_url: str, paragraphs: list[str], threshold: float | None = None) -> list[str]:
    """Span texts the server finds in these paragraphs at `threshold` (None: the model's own),
    in reading order."""
    answer = analyze(server_url, paragraphs, threshold)
    return [s["text"] for p in answer["paragraphs"] for s in p["spans"]]


# The shade the extension gives a span of a score: server/mark-levels.json's cut-offs, read by
# the extension and by the scan report's `level`.
mark_level = level


def restored_spans(ext: Browser, page, timeout: float = 120.0) -> list[dict]:
    """Wait until every mark of the page has its suggestions (they follow the marks: the
    background asks for them once the answer is in); returns the spans the page shows."""
    def spans():
        shown = [s for p in article(ext, page)["paragraphs"] for s in p["spans"]]
        return [shown] if all(s["suggestions"] is not None for s in shown) else None  # [[]]: true, no marks

    return wait_for(spans, timeout=timeout, message="every mark's suggestions")[0]


def wait_for(predicate, timeout: float = 30.0, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


MARK_RECT_JS = """index => {
  const ranges = [];
  for (const level of ['low', 'mid', 'high']) {
    const h = CSS.highlights.get('unspin-' + level);
    if (h) for (const r of h) if (!r.collapsed) ranges.push(r);
  }
  ranges.sort((a, b) => a.compareBoundaryPoints(Range.START_TO_START, b));
  const r = ranges[index];
  r.startContainer.parentElement.scrollIntoView({block: 'center'});
  const rect = r.getClientRects()[0];
  return {x: rect.left + Math.min(rect.width / 2, 20), y: rect.top + rect.height / 2,
          left: rect.left, top: rect.top, width: rect.width, height: rect.height, text: r.toString()};
}"""


def mark_rect(page, index: int = 0) -> dict:
    """Viewport rectangle (first line) of the index-th mark in reading order, scrolled into view."""
    return page.evaluate(MARK_RECT_JS, index)


def overlay(ext: Browser, page) -> dict:
    """The hovercard overlay as the content script describes it (its shadow root is closed to
    pages and to Playwright): {visible, focused, label, live: {role, ariaLive, text},
    card: {open, by, role, text, rect}}."""
    return ext.page_state(page)["overlay"]


def card_ready(ext: Browser, page, timeout: float = 10.0) -> dict:
    """Wait until the open card's actions count (card-guard.js: READY_MS after it opened, and
    unobstructed); returns its state."""
    return wait_for(lambda: (lambda c: c if c["ready"] else None)(overlay(ext, page)["card"]),
                    timeout=timeout, message="card ready for actions")


def wait_card(ext: Browser, page, open_: bool = True, timeout: float = 10.0) -> dict:
    """Wait until the hovercard is open (or closed); returns its state."""
    return wait_for(lambda: (lambda c: c if c["open"] == open_ else None)(overlay(ext, page)["card"]),
                    timeout=timeout, message=f"card {'open' if open_ else 'closed'}")
