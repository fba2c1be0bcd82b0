"""Turn a request of the v1 API (openapi.json) into checked options, or refuse it with a clear
ApiError: what the HTTP app, `unspin analyze` and the scan all ask the engine through."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import TypeGuard

from ..config import DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS, request_schema
from .errors import ApiError
from ..feedback import LABELS, unsafe
from ..text import has_lone_surrogate, hidden_characters, split_paragraphs
from .offsets import OFFSET_UNITS, Offsets

FIELDS = {"paragraphs", "text", "threshold", "max_suggestions", "offset_unit", "ignore", "partition", "suggestions",
          "stream", "first"}
SUGGEST_FIELDS = FIELDS - {"suggestions", "stream", "first"} | {"spans"}
# Limits of a request as the API description states them (openapi.json: the extension reads them
# there too).
_REQUEST = request_schema("AnalyzeRequest")
MAX_IGNORE = _REQUEST["ignore"]["maxItems"]  # entries of an ignore list
MAX_IGNORE_CHARS = _REQUEST["ignore"]["items"]["maxLength"]  # characters (code points) per entry
MAX_SPANS = request_schema("SuggestRequest")["spans"]["maxItems"]
MAX_PARTITION_CHARS = _REQUEST["partition"]["maxLength"]  # a host name at most, in its ASCII form
PARTITION_RE = re.compile(_REQUEST["partition"]["pattern"].removeprefix("^").removesuffix("$"))


@dataclass(frozen=True)
class AnalyzeRequest:
    paragraphs: list[str]
    threshold: float | None = None  # None: the model's default
    max_suggestions: int = DEFAULT_SUGGESTIONS
    offset_unit: str = "utf16"
    # For a `text` request: where each paragraph starts in the text (code points).
    text: str | None = None
    paragraph_starts: list[int] | None = None
    ignore: tuple[str, ...] = ()  # words and phrases never to flag
    partition: str = ""  # the caller's cache partition (the extension: the asking page's site)
    suggest: bool = True  # False: detection only, each span's suggestions null (asked later: SuggestRequest)
    stream: bool = False  # answer as NDJSON: provisional marks per batched pass, then the answer
    first: tuple[int, ...] = ()  # paragraph indices read first (the reader's screenful)


@dataclass(frozen=True)
class SuggestRequest:
    """An /api/v1/suggestions request: the article as an AnalyzeRequest, and the (paragraph,
    start, end) code-point ranges whose marks are wanted with their suggestions."""

    article: AnalyzeRequest
    spans: list[tuple[int, int, int]]


@dataclass(frozen=True)
class FeedbackRequest:
    """One correction of a /api/v1/feedback request (offsets in code points)."""

    paragraph: str
    start: int
    end: int
    label: str
    original: str | None
    url: str | None


FEEDBACK_FIELDS = {"paragraph", "start", "end", "offset_unit", "label", "original", "url"}
MAX_ORIGINAL_CHARS = request_schema("FeedbackRequest")["original"]["maxLength"]
MAX_URL_CHARS = request_schema("SourceRequest")["url"]["maxLength"]


def _is_number(value) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _article(body: dict, max_chars: int, max_paragraphs: int) -> tuple[list[str], str | None, list[int] | None]:
    """The article of an analyze body: (its paragraphs, its `text` or None, where each paragraph
    starts in that text in code points or None). Raises ApiError: 400, or 413 over the limits."""
    text, starts = None, None
    if "paragraphs" in body:
        paragraphs = body["paragraphs"]
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            raise ApiError(400, "'paragraphs' must be a list of strings.")
        if len(paragraphs) > max_paragraphs:
            raise ApiError(413, f"Too many paragraphs: {len(paragraphs)} (limit {max_paragraphs}).")
        chars = sum(len(p) for p in paragraphs)
    else:
        text = body["text"]
        if not isinstance(text, str):
            raise ApiError(400, "'text' must be a string.")
        chars = len(text)
    if chars > max_chars:
        raise ApiError(413, f"Too much text: {chars} characters (limit {max_chars}).")
    if has_lone_surrogate(text if text is not None else "".join(paragraphs)):
        raise ApiError(400, "The text holds an unpaired UTF-16 surrogate; it has no exact offsets. "
                            "Send well-formed Unicode.")
    if text is not None:
        paragraphs = split_paragraphs(text)
        if len(paragraphs) > max_paragraphs:
            raise ApiError(413, f"Too many paragraphs: {len(paragraphs)} (limit {max_paragraphs}).")
        starts, pos = [], 0
        for paragraph in paragraphs:  # paragraphs are stripped substrings of the text, in order
            pos = text.index(paragraph, pos)
            starts.append(pos)
            pos += len(paragraph)
    return paragraphs, text, starts


def parse_analyze(body: object, max_chars: int, max_paragraphs: int, fields: set[str] = FIELDS) -> AnalyzeRequest:
    """Check the body of an analyze request against the v1 contract and the size limits
    (fields: those allowed, as the operation's schema in openapi.json says)."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    unknown = sorted(set(body) - fields)
    if unknown:
        raise ApiError(400, f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(fields))}.")
    if ("paragraphs" in body) == ("text" in body):
        raise ApiError(400, "Send exactly one of 'paragraphs' (a list of strings) or 'text' (a string).")
    paragraphs, text, starts = _article(body, max_chars, max_paragraphs)
    threshold = body.get("threshold")
    if "threshold" in body and not (_is_number(threshold) and 0 <= threshold <= 1):
        raise ApiError(400, "'threshold' must be a number from 0 to 1.")
    max_suggestions = body.get("max_suggestions", DEFAULT_SUGGESTIONS)
    # JSON Schema's "integer" is any number with a zero fraction: 10.0 is an integer.
    if not (_is_number(max_suggestions) and float(max_suggestions).is_integer()
            and 1 <= max_suggestions <= MAX_SUGGESTIONS):
        raise ApiError(400, f"'max_suggestions' must be an integer from 1 to {MAX_SUGGESTIONS}.")
    offset_unit = body.get("offset_unit", "utf16")
    if offset_unit not in OFFSET_UNITS:
        raise ApiError(400, "'offset_unit' must be 'utf16' or 'codepoint'.")
    ignore = body.get("ignore", [])
    if not (isinstance(ignore, list) and len(ignore) <= MAX_IGNORE
            and all(isinstance(w, str) and 0 < len(w) <= MAX_IGNORE_CHARS for w in ignore)):
        raise ApiError(400, f"'ignore' must be a list of at most {MAX_IGNORE} words or phrases "
                            f"of 1 to {MAX_IGNORE_CHARS} characters.")
    if has_lone_surrogate("".join(ignore)):
        raise ApiError(400, "'ignore' holds an unpaired UTF-16 surrogate.")
    partition = body.get("partition", "")
    if not (isinstance(partition, str) and len(partition) <= MAX_PARTITION_CHARS and PARTITION_RE.fullmatch(partition)):
        raise ApiError(400, f"'partition' must be a site name: at most {MAX_PARTITION_CHARS} ASCII letters, digits "
                            "and . _ : -")
    for flag in ("suggestions", "stream"):
        if not isinstance(body.get(flag, False), bool):
            raise ApiError(400, f"'{flag}' must be true or false.")
    first = body.get("first", [])
    if not (isinstance(first, list) and len(first) <= max_paragraphs
            and all(_is_index(i, max_paragraphs) for i in first)):
        raise ApiError(400, f"'first' must be a list of at most {max_paragraphs} paragraph indices (0-based).")
    return AnalyzeRequest(paragraphs, None if threshold is None else float(threshold),
                          int(max_suggestions), offset_unit, text, starts, tuple(ignore), partition,
                          body.get("suggestions", True), body.get("stream", False),
                          tuple(int(i) for i in first if i < len(paragraphs)))  # a hint: others mean nothing


def text_body(text: str, threshold: float | None = None, max_suggestions: int = DEFAULT_SUGGESTIONS,
              ignore: list[str] | tuple[str, ...] = ()) -> dict:
    """The v1 analyze request of one text (paragraphs separated by blank lines), its offsets in
    code points: what `unspin analyze` sends a server, and what it and the scan answer here."""
    body = {"text": text, "offset_unit": "codepoint", "max_suggestions": max_suggestions}
    if threshold is not None:
        body["threshold"] = threshold
    if ignore:
        body["ignore"] = list(ignore)
    return body


def text_request(body: dict) -> AnalyzeRequest:
    """A `text_body` checked as the API checks it, without its size limits (a program on this
    machine sets its own: the scan counts LM tokens). Raises ApiError."""
    return parse_analyze(body, max_chars=sys.maxsize, max_paragraphs=sys.maxsize)


def _is_index(value, n: int) -> bool:
    """An integer (JSON Schema's: 2.0 is one) from 0 to n - 1."""
    return _is_number(value) and float(value).is_integer() and 0 <= value < n


def parse_suggest(body: object, max_chars: int, max_paragraphs: int) -> SuggestRequest:
    """Check the body of a suggestions request: an article as for analyze (without suggestions,
    stream and first) and `spans`, [{paragraph, start, end}] in offset_unit, turned into code
    points."""
    article = parse_analyze(body, max_chars, max_paragraphs, SUGGEST_FIELDS)
    assert isinstance(body, dict), "parse_analyze refuses any other body"
    spans = body.get("spans")
    if not (isinstance(spans, list) and 0 < len(spans) <= MAX_SPANS):
        raise ApiError(400, f"'spans' must be a list of 1 to {MAX_SPANS} {{paragraph, start, end}} objects.")
    out = []
    offsets: dict[int, Offsets] = {}  # made once per paragraph (2,000 spans of one long paragraph)
    for span in spans:
        if not (isinstance(span, dict) and set(span) == {"paragraph", "start", "end"}
                and _is_index(span["paragraph"], len(article.paragraphs))):
            raise ApiError(400, "Each of 'spans' must be {paragraph, start, end}: a paragraph index of this article "
                                "and offsets in it.")
        index = int(span["paragraph"])
        if index not in offsets:
            offsets[index] = Offsets(article.paragraphs[index], article.offset_unit)
        try:
            if not all(_is_index(span[k], 2 * len(article.paragraphs[index]) + 1) for k in ("start", "end")):
                raise ValueError
            start, end = offsets[index].span(int(span["start"]), int(span["end"]))
        except ValueError:
            raise ApiError(400, "'start' and 'end' of each of 'spans' must mark a non-empty span of its "
                                "paragraph.") from None
        out.append((index, start, end))
    return SuggestRequest(article, out)


def http_address(url: object, kept: bool = True) -> bool:
    """Whether `url` is an http(s) address of at most MAX_URL_CHARS characters; one that is
    `kept` (stored, shown again) holds nothing hidden either."""
    return isinstance(url, str) and len(url) <= MAX_URL_CHARS and url.startswith(("http://", "https://")) \
        and not (kept and hidden_characters(url))


def parse_source(body: object) -> str:
    """Check the body of a source request (see openapi.json): the page's address, only looked up
    (never kept or shown: an address with hidden characters simply matches none)."""
    if not isinstance(body, dict) or set(body) != {"url"} or not http_address(body["url"], kept=False):
        raise ApiError(400, f"The body must be {{\"url\": an http(s) address of at most {MAX_URL_CHARS} characters}}.")
    return body["url"]


def parse_feedback(body: object, max_chars: int) -> FeedbackRequest:
    """Check the body of a feedback request (see openapi.json) and turn its offsets into code points."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    unknown = sorted(set(body) - FEEDBACK_FIELDS)
    if unknown:
        raise ApiError(400, f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(FEEDBACK_FIELDS))}.")
    paragraph = body.get("paragraph")
    if not isinstance(paragraph, str) or not paragraph.strip():
        raise ApiError(400, "'paragraph' must be the paragraph's text.")
    if len(paragraph) > max_chars:
        raise ApiError(413, f"Too much text: {len(paragraph)} characters (limit {max_chars}).")
    if has_lone_surrogate(paragraph):
        raise ApiError(400, "The text holds an unpaired UTF-16 surrogate. Send well-formed Unicode.")
    if body.get("label") not in LABELS:
        raise ApiError(400, "'label' must be 'spun' or 'not_spun'.")
    offset_unit = body.get("offset_unit", "utf16")
    if offset_unit not in OFFSET_UNITS:
        raise ApiError(400, "'offset_unit' must be 'utf16' or 'codepoint'.")
    start, end = body.get("start"), body.get("end")
    if not (_is_int(start) and _is_int(end)):
        raise ApiError(400, "'start' and 'end' must be integers.")
    try:
        start, end = Offsets(paragraph, offset_unit).span(start, end)
    except ValueError:
        raise ApiError(400, "'start' and 'end' must mark a non-empty span of the paragraph.") from None
    if unsafe({"span": paragraph[start:end]}):
        raise ApiError(400, "The span holds control or invisible characters; mark plain text.")
    original, url = body.get("original"), body.get("url")
    if original is not None and not (isinstance(original, str) and 0 < len(original.strip()) <= MAX_ORIGINAL_CHARS
                                     and not has_lone_surrogate(original)):
        raise ApiError(400, f"'original' must be null or the original wording (1 to {MAX_ORIGINAL_CHARS} characters).")
    hidden = hidden_characters(original) if original is not None else []
    if hidden:
        named = ", ".join(f"U+{ord(ch):04X}" for ch in hidden[:5])
        raise ApiError(400, f"'original' holds control or invisible characters ({named}); send the wording as "
                            "plain text.")
    if original is not None and body["label"] != "spun":
        raise ApiError(400, "Only a 'spun' correction has an 'original'.")
    if url is not None and not http_address(url):
        raise ApiError(400, f"'url' must be null or an http(s) address of at most {MAX_URL_CHARS} characters.")
    return FeedbackRequest(paragraph, start, end, body["label"], original.strip() if original else None, url)
