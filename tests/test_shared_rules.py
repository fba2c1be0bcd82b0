"""Rules the server and the extension share have one owner each, and both sides agree on them.

- What counts as a word and which characters are invisible inside one: server/words.json, read by
  server/text.py and extension/src/shared/words.js.
- The key of a wording (how dismissals and the allow-list compare wordings): text.wording_key and
  shared/wording.js wordingKey, both from words.json.
- The server's default address and the requests' limits: server/openapi.json, read by
  config.py / contract/requests.py and extension/src/shared/api-contract.js.
- A summary's verdicts: server/openapi.json (Summary.verdict), which the server's engine gives and
  the extension reads (shared/api-contract.js; shared/verdicts.js gives each one its look).
- The loopback hosts the extension may reach the server by: server/openapi.json ("x-loopback-hosts"),
  read by shared/loopback.js and by extension/manifest.mjs (host_permissions, connect-src); the
  server's security checks answer requests addressed to each of them.

The JavaScript side runs in node on a table of tricky inputs; the answers must be the server's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from unspin.api.security import LOOPBACK_NAMES
from unspin.config import DEFAULT_SERVER, DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS
from unspin.contract.requests import MAX_IGNORE, MAX_IGNORE_CHARS, parse_analyze
from unspin.engine.engine import VERDICTS
from unspin.text import INVISIBLE_RE, wording_key

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "extension" / "src" / "shared"
OPENAPI = json.loads((ROOT / "server" / "openapi.json").read_text(encoding="utf-8"))

WORDINGS = [
    "War\u00adfare", "war\u200bfare", "fi\u200cnal\u200d month\u2060", "\u00ad", "\u200b\u200b",
    "  Final\u00a0 Month ", "Final\tmonth\n", "final\u2028month", "final\u3000month",
    "don't", "Don\u2019t", "full-scale", "-leading", "trailing-", "a--b", "a-'b", "'quoted'",
    "café", "cafe\u0301", "e\u0301cole", "\u0301accent first", "a\u20dd enclosed", "ÉCOLE",
    "İstanbul", "ΟΔΟΣ ΣΑΣ", "Straße", "ǅemal", "ﬁnance", "ＡＢＣ", "naïve_under_score", "x_y",
    "北京 市", "١٢٣ digits", "Ⅻ roman", "½ half", "x² squared", "हिन्दी भाषा", "ไทย",
    "😀 emoji", "👨\u200d👩\u200d👧 family", "𝐟𝐢𝐧𝐚𝐥 month", "𐐀𐐁 deseret", "U.S. officials",
    "mail@example.com", "#hashtag", "", "!!!", "a\u202eb", "a\u2066b\u2069",
]

ALLOW_LIST_ENTRIES = [
    "officers", "  final   month ", "x" * MAX_IGNORE_CHARS, "x" * (MAX_IGNORE_CHARS + 1),
    "😀" * MAX_IGNORE_CHARS, "😀" * (MAX_IGNORE_CHARS + 1), "e\u0301" * (MAX_IGNORE_CHARS // 2),
    " " * 3, "\u00a0", "", "War\u00adfare", "OFFICERS",
]

# Code points around the invisible ones, and other invisible-looking characters.
CODE_POINTS = [0xAD, 0xAC, 0xAE, *range(0x2009, 0x2011), *range(0x205F, 0x2065), 0xFEFF, 0x34F, 0x180E, 0x61C]

SCRIPT = """
import { DEFAULT_SERVER_URL, DEFAULT_SUGGESTIONS, MAX_ALLOW_LIST, MAX_WORDING_CHARS } from "SHARED/api-contract.js";
import { cleanAllowList, wordingKey } from "SHARED/wording.js";
import { INVISIBLE_RE } from "SHARED/words.js";
import { LOOPBACK_HOSTS, loopbackOrigin } from "SHARED/loopback.js";
import { LOOKED_VERDICTS, VERDICTS } from "SHARED/verdicts.js";
import { manifestFor } from "MANIFEST";

const input = JSON.parse(await new Promise((done) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => done(text));
}));
const invisible = (c) => String.fromCodePoint(c).replace(INVISIBLE_RE, "") === "";
process.stdout.write(JSON.stringify({
  constants: { DEFAULT_SERVER_URL, DEFAULT_SUGGESTIONS, MAX_ALLOW_LIST, MAX_WORDING_CHARS },
  keys: input.wordings.map(wordingKey),
  invisible: input.codePoints.filter(invisible),
  allowList: cleanAllowList(input.allowList),
  longList: cleanAllowList(Array.from({ length: MAX_ALLOW_LIST + 5 }, (_, i) => `w${i}`)).length,
  verdicts: { VERDICTS, LOOKED_VERDICTS },
  loopback: {
    hosts: LOOPBACK_HOSTS,
    origins: LOOPBACK_HOSTS.map((host) => loopbackOrigin(`http://${host}:8765`)),
    manifests: ["chromium", "firefox"].map((browser) => manifestFor(browser)),
  },
}));
"""


@pytest.fixture(scope="module")
def javascript() -> dict:
    """What the extension's modules answer for the tables above (run in node)."""
    node = shutil.which("node")
    assert node, "node is needed to run the extension's side of these checks"
    script = SCRIPT.replace("SHARED/", SHARED.as_uri() + "/").replace("MANIFEST", (ROOT / "extension" / "manifest.mjs").as_uri())
    result = subprocess.run([node, "--no-warnings", "--input-type=module", "--eval", script],
                            capture_output=True, text=True, timeout=60,
                            input=json.dumps({"wordings": WORDINGS, "codePoints": CODE_POINTS, "allowList": ALLOW_LIST_ENTRIES}))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_same_constants(javascript):
    assert javascript["constants"] == {"DEFAULT_SERVER_URL": DEFAULT_SERVER, "DEFAULT_SUGGESTIONS": DEFAULT_SUGGESTIONS,
                                       "MAX_ALLOW_LIST": MAX_IGNORE, "MAX_WORDING_CHARS": MAX_IGNORE_CHARS}
    assert 1 <= DEFAULT_SUGGESTIONS <= MAX_SUGGESTIONS


def test_same_invisible_characters(javascript):
    assert javascript["invisible"] == [c for c in CODE_POINTS if INVISIBLE_RE.fullmatch(chr(c))]


@pytest.mark.parametrize("index", range(len(WORDINGS)), ids=[ascii(w)[1:-1][:24] for w in WORDINGS])
def test_same_wording_key(javascript, index):
    assert javascript["keys"][index] == wording_key(WORDINGS[index])


def test_a_dismissed_wording_hides_its_spelling_with_invisible_characters(javascript):
    keys = dict(zip(WORDINGS, javascript["keys"]))
    assert keys["War\u00adfare"] == keys["war\u200bfare"] == wording_key("warfare")


def test_the_extension_sends_allow_lists_the_server_accepts(javascript):
    cleaned = javascript["allowList"]
    assert "😀" * MAX_IGNORE_CHARS in cleaned and "x" * MAX_IGNORE_CHARS in cleaned  # the limit counts code points
    assert not any(len(w) > MAX_IGNORE_CHARS for w in cleaned)
    parse_analyze({"paragraphs": ["a"], "ignore": cleaned}, max_chars=1000, max_paragraphs=10)
    assert javascript["longList"] == MAX_IGNORE


def test_same_verdicts(javascript):
    """The contract lists the verdicts; the server's engine gives exactly those, in that order, and
    the extension reads them from the contract and has a look for each."""
    contract = OPENAPI["components"]["schemas"]["Summary"]["properties"]["verdict"]["enum"]
    assert list(VERDICTS) == contract
    assert javascript["verdicts"]["VERDICTS"] == contract
    assert sorted(javascript["verdicts"]["LOOKED_VERDICTS"]) == sorted(contract)


def test_same_loopback_hosts(javascript):
    """The extension reaches the server only on the contract's loopback hosts: its address check
    and its manifest (host permissions, the extension pages' connect-src) allow exactly those,
    the default address is one of them, and the server answers requests addressed to each
    (security.py's loopback names hold them all)."""
    hosts = OPENAPI["x-loopback-hosts"]
    assert hosts and javascript["loopback"]["hosts"] == hosts
    assert javascript["loopback"]["origins"] == [f"http://{host}:8765" for host in hosts]
    for manifest in javascript["loopback"]["manifests"]:
        assert manifest["host_permissions"] == [f"http://{host}/*" for host in hosts]
        directives = dict(d.strip().split(" ", 1) for d in manifest["content_security_policy"]["extension_pages"].split(";"))
        assert directives["connect-src"].split() == ["'self'", *(f"http://{host}:*" for host in hosts)]
    assert urlsplit(OPENAPI["servers"][0]["url"]).hostname in hosts
    assert set(hosts) <= set(LOOPBACK_NAMES)


def test_the_request_limits_are_the_contracts():
    """The limits a request is checked against are read from openapi.json, never written again:
    the server's default limits are the contract's, and `first` indexes the paragraphs allowed."""
    from unspin.config import DEFAULTS, request_schema
    from unspin.contract import requests

    analyze, feedback = request_schema("AnalyzeRequest"), request_schema("FeedbackRequest")
    assert DEFAULTS["MAX_PARAGRAPHS"] == analyze["paragraphs"]["maxItems"] == analyze["first"]["maxItems"]
    assert analyze["first"]["items"]["maximum"] == DEFAULTS["MAX_PARAGRAPHS"] - 1
    assert DEFAULTS["MAX_CHARS"] == feedback["paragraph"]["maxLength"]
    assert requests.MAX_ORIGINAL_CHARS == feedback["original"]["maxLength"]
    assert requests.MAX_PARTITION_CHARS == analyze["partition"]["maxLength"]
    assert requests.PARTITION_RE.fullmatch("news.example.org:8080") and not requests.PARTITION_RE.fullmatch("a/b")
    body = {"paragraphs": ["x"] * (DEFAULTS["MAX_PARAGRAPHS"] + 1)}
    with pytest.raises(requests.ApiError):
        parse_analyze(body, DEFAULTS["MAX_CHARS"], DEFAULTS["MAX_PARAGRAPHS"])
