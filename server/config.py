"""Server settings: defaults in one place, and where the shipped model lives."""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit


@cache
def openapi_document() -> str:
    """The OpenAPI document shipped inside the package (openapi.json), as text."""
    return resources.files("unspin").joinpath("openapi.json").read_text(encoding="utf-8")


def openapi_spec() -> dict:
    """The OpenAPI document as a new dict: the API's contract, and the one owner of the rules the
    extension shares with the server (its default address, request limits)."""
    return json.loads(openapi_document())


# Where `unspin serve` listens and `unspin analyze` looks for it ($UNSPIN_SERVER overrides the
# latter): the API description's server, which the extension's default setting is too.
DEFAULT_SERVER = openapi_spec()["servers"][0]["url"]
DEFAULT_HOST = urlsplit(DEFAULT_SERVER).hostname
DEFAULT_PORT = urlsplit(DEFAULT_SERVER).port


def request_schema(name: str) -> dict:
    """The properties of request schema `name` of the contract (openapi.json): where the request
    limits are written, for the server, its settings' defaults and the extension alike."""
    return openapi_spec()["components"]["schemas"][name]["properties"]


# Suggestions per mark: the contract's default and maximum (what the engine gives when not told,
# what a request and `unspin analyze --max-suggestions` may ask for).
_SUGGESTIONS = request_schema("AnalyzeRequest")["max_suggestions"]
DEFAULT_SUGGESTIONS = _SUGGESTIONS["default"]
MAX_SUGGESTIONS = _SUGGESTIONS["maximum"]

# The shipped model: models/unspin-lm in the tree, package data `unspin.models` once installed.
SHIPPED_MODEL = Path(str(resources.files("unspin.models") / "unspin-lm"))  # package data, wherever installed

DEFAULTS = {
    # Request limits (HTTP 413 beyond them). Work and memory grow with LM tokens, whatever the
    # script: a request is tokenised first and refused beyond MAX_TOKENS (a 5,000-word English
    # article is about 6,000 tokens); MAX_CHARS only bounds the body a request may send.
    "MAX_TOKENS": 16_384,
    # code points of text per request, all paragraphs together (200,000: the contract's)
    "MAX_CHARS": request_schema("FeedbackRequest")["paragraph"]["maxLength"],
    "MAX_PARAGRAPHS": request_schema("AnalyzeRequest")["paragraphs"]["maxItems"],  # 2,000
    # Load: one analysis at a time; a request that would wait longer than this for its turn gets
    # 503 with Retry-After at once, and an analysis still running after ANALYSIS_DEADLINE_S (or
    # whose client has gone) is abandoned.
    "MAX_QUEUE_WAIT_S": 60.0,  # the extension waits at least this long for an answer
    # Analyses running or waiting at once; each holds a server thread (serve.WAITRESS_THREADS),
    # so the threads beyond these keep answering health checks and refusals under any load.
    "MAX_QUEUED_ANALYSES": 4,
    "ANALYSIS_DEADLINE_S": 60.0,
    # Corrections (POST /api/v1/feedback) a minute at most, all callers together: a reader
    # sends a few; beyond it the answer is 429 with Retry-After. (The store's size is bounded
    # by feedback.MAX_BYTES: 507 beyond it.)
    "FEEDBACK_PER_MINUTE": 30,
    # Origins besides Unspin's Chromium extension allowed to call the API (exact strings such
    # as "moz-extension://<uuid>" for Firefox); any other Origin gets a 403 (security.py).
    "ALLOWED_ORIGINS": (),
    # Answer clients on other machines (peers that are not loopback addresses).
    "ALLOW_REMOTE": False,
    # Host names besides 127.0.0.1, localhost and [::1] that the Host header may carry.
    "ALLOWED_HOSTS": (),
    # The port the server listens on; when set, the Host header must carry it
    # (DNS-rebinding protection). None accepts any port (in-process test clients).
    "PORT": None,
    "ENGINE_THREADS": None,  # torch threads; None lets the engine choose
    "PRECISION": None,  # the LM's numeric path (lm.load_lm); None: chosen by measurement
    "DATA_DIR": None,  # where the reader's corrections and the secret are kept; None: feedback.default_data_dir()
    # The per-user secret every API call carries (secret.py); None: DATA_DIR/secret, created at start.
    "SECRET": None,
    "CACHE_SIZE": 64,  # articles kept in the engine's LRU caches (scores and answers)
    # Finished scans (`unspin scan` output folders) whose groups POST /api/v1/source answers from:
    # a page's likely source, by its address (scan/sources.py).
    "SCANS": (),
}


def cache_dir() -> Path:
    """Where Unspin keeps what it derives once (the converted language model, the word-frequency
    table): $UNSPIN_CACHE, else $XDG_CACHE_HOME/unspin, else ~/.cache/unspin."""
    root = os.environ.get("UNSPIN_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unspin"
    return Path(root)


def default_model_path() -> Path:
    """The model to serve: $UNSPIN_MODEL if set, else the shipped one."""
    env = os.environ.get("UNSPIN_MODEL")
    return Path(env) if env else SHIPPED_MODEL


# The first `unspin serve` with the default data folder installs the browser host for this user
# (browser_host.at_first_serve) unless this variable is off (or 0, no, false), or --no-browser-host.
BROWSER_HOST_SETTING = "UNSPIN_BROWSER_HOST"


def browser_host_at_first_serve() -> bool:
    """Whether $UNSPIN_BROWSER_HOST lets the first `unspin serve` install the browser host."""
    return os.environ.get(BROWSER_HOST_SETTING, "").strip().lower() not in {"off", "0", "no", "false"}


def server_url() -> str:
    """The server `unspin analyze` tries first: $UNSPIN_SERVER if set, else DEFAULT_SERVER."""
    return os.environ.get("UNSPIN_SERVER") or DEFAULT_SERVER


def body_limit(max_chars: int) -> int:
    """Bytes a JSON body may take for `max_chars` characters: a character escaped as a
    surrogate pair (\\ud83d\\ude00) takes 12 bytes for 1 code point, plus room for the options."""
    return max_chars * 12 + 64 * 1024
