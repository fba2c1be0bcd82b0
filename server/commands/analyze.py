"""Analyse a text file (or stdin) from the terminal: spun spans and their likely originals.

When an Unspin server answers at $UNSPIN_SERVER (default: config.DEFAULT_SERVER) and proves it
knows this user's secret (the file `secret` in the data folder, $UNSPIN_DATA_DIR, else
~/.local/share/unspin), the text is sent there with that secret, which saves loading the model
(several seconds); otherwise (no server, another user's server, or a program squatting its port:
none of them gets the text), or with --local or --model, the model is loaded in this process.
Either way the answer is the same.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request

from ..api.secret import BadSecret, bearer, server_knows
from ..api.secret import read as read_secret
from ..config import DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS
from ..contract.requests import text_body

HEALTH_TIMEOUT = 0.5  # seconds to wait for a running server's health answer
ANALYZE_TIMEOUT = 600  # seconds a server may take for one article


def _threshold(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("must be from 0 to 1")
    return number


def _suggestions(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_SUGGESTIONS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_SUGGESTIONS}")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", metavar="FILE|-",
                        help="text to analyse, paragraphs separated by blank lines (default: stdin)")
    parser.add_argument("--json", action="store_true", help="print the API's JSON response (code-point offsets)")
    parser.add_argument("--threshold", type=_threshold, default=None, help="detection threshold 0..1 (default: the model's)")
    parser.add_argument("--max-suggestions", type=_suggestions, default=DEFAULT_SUGGESTIONS,
                        help=f"suggestions per span, 1..{MAX_SUGGESTIONS} (default {DEFAULT_SUGGESTIONS})")
    parser.add_argument("--model", default=None,
                        help="model folder (default: $UNSPIN_MODEL, else the shipped models/unspin-lm)")
    parser.add_argument("--threads", type=int, default=None, help="inference (torch) threads")
    parser.add_argument("--ignore", metavar="FILE", default=None,
                        help="words and phrases never to flag, one per line (the extension's exported "
                             "allow-list; lines starting with # are comments)")
    parser.add_argument("--local", action="store_true",
                        help="load the model in this process even when a server is running")


def mark_spans(paragraph: str, spans: list[dict]) -> str:
    """'… final month …' -> '… [final month → last month | past month] …' (code-point spans)."""
    out, pos = [], 0
    for span in spans:
        out.append(paragraph[pos:span["start"]])
        ideas = " | ".join(s["text"] for s in span["suggestions"]) or "?"
        out.append(f"[{paragraph[span['start']:span['end']]} → {ideas}]")
        pos = span["end"]
    out.append(paragraph[pos:])
    return "".join(out)


def render_text(response: dict, paragraphs: list[str]) -> str:
    lines = []
    for paragraph, result in zip(paragraphs, response["paragraphs"]):
        lines.append(mark_spans(paragraph, result["spans"]))
        lines.append(f"    (paragraph {result['index'] + 1}: score {result['score']:.2f}, "
                     f"{len(result['spans'])} spun span(s))")
        lines.append("")
    s = response["summary"]
    lines.append(f"{s['verdict']}: {s['spans']} spun span(s), {s['spun_words']} of {s['words']} words "
                 f"({s['spun_ratio']:.0%}) in {s['paragraphs']} paragraph(s); page score {s['score']:.2f}")
    return "\n".join(lines)


class ServerError(Exception):
    """The server answered with an API error (its message is the exception's)."""


def read_ignore_list(path: str) -> list[str]:
    """Wordings of an allow-list file: one per line, blank lines and # comments skipped."""
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]


def analyze_on_server(url: str, body: dict, secret: str) -> dict:
    """POST an analyze request, with the secret, to a running server; its v1 response. Raises
    ServerError for an API error and OSError when the server cannot be reached."""
    request = urllib.request.Request(f"{url}/api/v1/analyze", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": bearer(secret)})
    try:
        with urllib.request.urlopen(request, timeout=ANALYZE_TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            message = json.load(exc)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {exc.code}"
        raise ServerError(message) from None


def analyze_here(args: argparse.Namespace, body: dict) -> dict:
    """Load the model in this process and answer `body` as the server would (without its size
    limits). Raises FileNotFoundError/ValueError when the model cannot be loaded."""
    from ..config import default_model_path
    from ..contract.answers import analysis_response
    from ..contract.requests import text_request
    from ..engine.engine import Engine

    request = text_request(body)
    engine = Engine.load(args.model or default_model_path(), threads=args.threads)
    return analysis_response(engine, request)


def main(args: argparse.Namespace) -> int:
    from ..config import default_model_path, server_url
    from ..contract.errors import ApiError
    from ..feedback import default_data_dir
    from ..text import has_lone_surrogate, split_paragraphs

    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        ignore = read_ignore_list(args.ignore) if args.ignore else []
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read the ignore list {args.ignore}: {exc}", file=sys.stderr)
        return 2
    if has_lone_surrogate(text):
        print("error: the text holds unpaired surrogates", file=sys.stderr)
        return 2
    body = text_body(text, args.threshold, args.max_suggestions, ignore)
    url = server_url().rstrip("/")
    response = None
    try:
        secret = None if args.local or args.model else read_secret(default_data_dir())
    except (BadSecret, OSError) as exc:  # no usable secret: no server of this user can be trusted
        print(f"note: {exc}; loading the model here", file=sys.stderr)
        secret = None
    known = secret and server_knows(url, secret, HEALTH_TIMEOUT)
    if known is False:
        print(f"note: the server at {url} does not know this user's secret (another user's server, or "
              "not Unspin): nothing is sent there; loading the model here", file=sys.stderr)
    if known and secret:
        print(f"using the Unspin server at {url} (--local analyses in this process)", file=sys.stderr)
        try:
            response = analyze_on_server(url, body, secret)
        except ServerError as exc:
            print(f"error: the server refused the text: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"note: the server stopped answering ({exc}); loading the model here", file=sys.stderr)
    if response is None:
        try:
            response = analyze_here(args, body)
        except ApiError as exc:  # the same checks as the server's (an ignore list too long, ...)
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
        except (FileNotFoundError, ValueError) as exc:  # no model, no LM package, or another version
            print(f"error: cannot load the model from {args.model or default_model_path()}: {exc}",
                  file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(response, ensure_ascii=False, indent=2))
    else:
        print(render_text(response, split_paragraphs(text)))
    return 0
