"""Text units shared by the spinner, the model and the API: paragraphs, words, offset units.

Python strings index code points; JavaScript strings index UTF-16 code units. Every
offset inside Unspin is a code-point offset; conversion to UTF-16 happens only at the
API boundary, with the helpers below.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from array import array
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .config import cache_dir

# What counts as a word: words.json, which the extension reads too (one owner for both).
WORD_RULES = json.loads(resources.files("unspin").joinpath("words.json").read_text(encoding="utf-8"))
# A word: letters/digits (with their combining marks), optionally joined by an apostrophe or
# hyphen ("don't", "full-scale").
_LETTER = rf"(?:[^\W_]|[{WORD_RULES['combining_marks']}])"
WORD_RE = re.compile(rf"[^\W_]{_LETTER}*(?:[{WORD_RULES['joiners']}][^\W_]{_LETTER}*)*")
# Invisible characters that sit inside words in web pages (soft hyphen, zero-width characters).
# Analysis reads past them.
INVISIBLE_RE = re.compile(f"[{WORD_RULES['invisible']}]")
_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v]*\n")
# Text that is not prose and must never be marked or rewritten: URLs, e-mail addresses,
# @handles, #hashtags and `code`.
# Each alternative starts at a fixed character or at the start of a run (the look-behinds), so
# a long run without a match is scanned once: linear time on hostile input.
PROTECTED_RE = re.compile(r"https?://\S+|www\.\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<!\w)[@#]\w+|`[^`]*`")


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a paragraph with its code-point offsets."""

    text: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """Split a paragraph into words, keeping exact code-point offsets."""
    return [Word(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text)]


@dataclass(frozen=True, slots=True)
class Visible:
    """A paragraph as analysis reads it (without INVISIBLE_RE characters), with the way back."""

    text: str
    source: tuple[int, ...] | None  # for each code point of `text`, its index in the original

    def original(self, start: int, end: int) -> tuple[int, int]:
        """A non-empty code-point span of `text` -> the span of the original that covers it
        (invisible characters inside it included)."""
        if self.source is None:
            return start, end
        return self.source[start], self.source[end - 1] + 1

    def seen(self, start: int, end: int) -> tuple[int, int]:
        """The inverse: a code-point span of the original -> the span of `text` it shows as."""
        if self.source is None:
            return start, end
        return bisect.bisect_left(self.source, start), bisect.bisect_left(self.source, end)


def visible(paragraph: str) -> Visible:
    """`paragraph` without its invisible in-word characters: "pro\u00adgress" reads "progress"."""
    if not INVISIBLE_RE.search(paragraph):
        return Visible(paragraph, None)
    kept = tuple(i for i, ch in enumerate(paragraph) if not INVISIBLE_RE.match(ch))
    return Visible("".join(paragraph[i] for i in kept), kept)


def wording_key(text: str) -> str:
    """How a wording is compared with a reader's ignore list: its words, lower-case, joined by
    single spaces, invisible characters dropped ("Final\u00ad  Month" -> "final month")."""
    return " ".join(w.text for w in words(INVISIBLE_RE.sub("", text).lower()))


def covers_ignored(text: str, ignore: frozenset[str]) -> bool:
    """True when `text` is, or contains as whole words, a wording of `ignore` (wording_key form)."""
    if not ignore:
        return False
    parts = wording_key(text).split(" ")
    return any(" ".join(parts[i:j]) in ignore for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))


def split_paragraphs(text: str) -> list[str]:
    """Split a document into paragraphs on blank lines; drops empty ones, keeps inner text as is."""
    return [p.strip() for p in _BLANK_LINE_RE.split(text) if p.strip()]


# Characters a wording typed by a reader never needs, and which would break a line-based file
# or fool a reader's eye: controls (C0, C1: tab, newline), format characters (bidi overrides
# and isolates, zero-width characters, soft hyphen, tags), line and paragraph separators,
# private-use, surrogate and unassigned code points (Unicode general categories).
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def hidden_characters(text: str) -> list[str]:
    """The characters of `text` in HIDDEN_CATEGORIES, each once, in order ("a\\tb" -> ["\\t"])."""
    return list(dict.fromkeys(ch for ch in text if unicodedata.category(ch) in HIDDEN_CATEGORIES))


def escape_hidden(text: str) -> str:
    """`text` (JSON) with every HIDDEN_CATEGORIES character written as a JSON escape (\\u202e;
    beyond the BMP a surrogate pair, \\udb40\\udc41), so that printing it cannot steer a
    terminal or reorder what a reader sees, and parsing it gives the same string back."""
    return "".join(json.dumps(ch)[1:-1] if unicodedata.category(ch) in HIDDEN_CATEGORIES else ch for ch in text)


def has_lone_surrogate(text: str) -> bool:
    """True when the text holds an unpaired surrogate (JSON can carry them from JavaScript)."""
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def match_case(template: str, replacement: str) -> str:
    """Give `replacement` the capitalisation pattern of `template` ("Final month" -> "Last month")."""
    return case_of(template)(replacement)


def case_of(template: str):
    """The capitalisation pattern of `template` as a function giving it to a replacement (one
    pattern for many candidates: `match_case`)."""
    letters = [c for c in template if c.isalpha()]
    if not letters:
        return _as_is
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return str.upper
    if letters[0].isupper():
        return _capitalised
    return _as_is


def _as_is(text: str) -> str:
    return text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def protected_ranges(text: str) -> list[tuple[int, int]]:
    """Sorted code-point ranges of `PROTECTED_RE` matches."""
    return [(m.start(), m.end()) for m in PROTECTED_RE.finditer(text)]


class ZipfTable:
    """wordfreq's "best" English list (321k words) as one sorted string, its word starts and
    their Zipf values: 3 MB where the dict of `wordfreq.get_frequency_dict` takes 31 MB. Built
    once into the cache folder (`folder`), then read in milliseconds without making 321k
    Python strings (their freed memory would stay with the process)."""

    def __init__(self, folder: Path):
        from importlib.metadata import version

        folder = folder / f"wordfreq-{version('wordfreq')}-en"
        if not (folder / "values.f32").exists():
            self._build(folder)
        self._text = (folder / "words.txt").read_text(encoding="utf-8")
        self._starts, self._values = array("I"), array("f")
        for name, values in (("starts.u32", self._starts), ("values.f32", self._values)):
            with open(folder / name, "rb") as f:
                values.frombytes(f.read())

    @staticmethod
    def _build(folder: Path) -> None:
        import wordfreq

        # Bucket i of the frequency list holds the words of frequency 10^(-i/100), Zipf 9 - i/100.
        pairs = sorted((w, 9.0 - i / 100) for i, bucket in enumerate(wordfreq.get_frequency_list("en")) for w in bucket)
        tmp = folder.with_name(folder.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "words.txt").write_text("\n".join(w for w, _ in pairs), encoding="utf-8")
        (tmp / "starts.u32").write_bytes(array("I", accumulate((len(w) + 1 for w, _ in pairs[:-1]), initial=0)).tobytes())
        (tmp / "values.f32").write_bytes(array("f", [v for _, v in pairs]).tobytes())
        tmp.replace(folder)

    def _word(self, index: int) -> str:
        start = self._starts[index]
        end = self._text.find("\n", start)
        return self._text[start : end if end >= 0 else len(self._text)]

    def get(self, word: str) -> float | None:
        i = bisect.bisect_left(range(len(self._starts)), word, key=self._word)
        return self._values[i] if i < len(self._starts) and self._word(i) == word else None


@lru_cache(maxsize=1)
def zipf_table() -> ZipfTable:
    return ZipfTable(cache_dir())


@lru_cache(maxsize=1 << 16)
def zipf(term: str) -> float:
    """Zipf frequency (log10 per billion words; wordfreq's "best" English list) of a word; of a
    phrase, its rarest word. 0.0 for unknown words.

    Read straight from wordfreq's table (1000x faster than `zipf_frequency`, which
    re-tokenises): hyphenated words fall back to their rarest part.
    """
    table = zipf_table()
    best = 9.0
    for word in term.lower().replace("’", "'").split():
        f = table.get(word)
        if f is None:
            parts = [p for p in word.split("-") if p]
            f = min((table.get(p) or 0.0 for p in parts), default=0.0) if len(parts) > 1 else 0.0
        best = min(best, f)
    return round(best, 2)
