"""Offsets in the caller's unit: the one place they change unit.

The engine speaks code points (Python's string indices); JavaScript speaks UTF-16 code units,
where a character outside the Basic Multilingual Plane (an emoji) counts two. A request's
offsets are turned into code points here, and an answer's leave in the request's `offset_unit`
from here, so the API, `unspin analyze --json` and the scan agree.
"""

from __future__ import annotations

import bisect

OFFSET_UNITS = ("utf16", "codepoint")


def utf16_offsets(text: str) -> list[int]:
    """Map each code-point index 0..len(text) to its UTF-16 code-unit index: len(text) + 1 ints."""
    table = [0] * (len(text) + 1)
    unit = 0
    for i, ch in enumerate(text):
        table[i] = unit
        unit += 2 if ord(ch) > 0xFFFF else 1
    table[len(text)] = unit
    return table


class Offsets:
    """The offsets of one text in `unit` (one of OFFSET_UNITS): its UTF-16 table is made once,
    however many offsets of the text are changed (2,000 spans of one long paragraph)."""

    def __init__(self, text: str, unit: str):
        self.text = text
        self._table = utf16_offsets(text) if unit == "utf16" else None

    def outward(self, codepoint: int) -> int:
        """Code-point offset `codepoint` (0..len(text)) in the caller's unit."""
        return codepoint if self._table is None else self._table[codepoint]

    def inward(self, offset: int) -> int:
        """The code-point offset of `offset`, in the caller's unit. Raises ValueError when it is
        outside the text or falls between the two halves of a surrogate pair."""
        if self._table is None:
            if not 0 <= offset <= len(self.text):
                raise ValueError(f"offset {offset} is outside the text")
            return offset
        position = bisect.bisect_left(self._table, offset)
        if position >= len(self._table) or self._table[position] != offset:
            raise ValueError(f"UTF-16 offset {offset} is not a character boundary of the text")
        return position

    def span(self, start: int, end: int) -> tuple[int, int]:
        """(start, end) in the caller's unit as code points. Raises ValueError unless they mark a
        non-empty span of the text."""
        start, end = self.inward(start), self.inward(end)
        if not start < end:
            raise ValueError(f"span {start}..{end} is empty")
        return start, end
