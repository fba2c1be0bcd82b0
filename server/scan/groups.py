"""Spun copies grouped with their source: MinHash LSH (datasketch) over the *restored* texts.

Spun copies of one story share little of their spun wording (each spinner swaps other words)
but much of their restored text, which is what they are compared on. Each article's signature
(`signature`, NUM_PERM MinHash values over its word SHINGLE-grams, lower-cased) is made with its
row; `group_articles` then joins every pair whose estimated Jaccard similarity reaches
THRESHOLD (candidates from LSH, each pair checked on the signatures) into groups (connected
components). A group's likely source is its least spun member (lowest article score) among
those not judged "likely spun"; every other member names it, with their estimated overlap. A
group of likely spun pages only has no source in the collection.

SHINGLE, THRESHOLD and MIN_WORDS were chosen on one test crawl and measured on another
(`unspin crawl`: sources spun 3-5 times by different profiles among unrelated news; the figures
are in docs/scan.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import numpy as np

NUM_PERM = 128
SCHEME = "affine32"  # datasketch's hashing scheme: a stored signature is read back with the same
SHINGLE = 2  # words per shingle
THRESHOLD = 0.3  # estimated Jaccard similarity of restored texts that joins two articles
MIN_WORDS = 40  # shorter texts (captions, teasers) are not grouped: they match too easily
# Tokens of shingles: runs of word characters joined by ' ’ . - ("U.S.", "1.9", "full-scale"). Not
# the engine's words (text.WORD_RE): with those, crawl 1 grouped 3.5 % of its pages wrongly, not 1 %.
_WORD_RE = re.compile(r"\w+(?:['’.-]\w+)*")


def shingles(text: str) -> set[bytes]:
    """The text's word SHINGLE-grams, lower-cased (UTF-8 bytes); empty below MIN_WORDS words."""
    tokens = _WORD_RE.findall(text.lower())
    if len(tokens) < MIN_WORDS:
        return set()
    return {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}


def signature(text: str) -> bytes | None:
    """The MinHash signature of a text (NUM_PERM uint64 values as bytes), None when too short."""
    from datasketch import MinHash

    grams = shingles(text)
    if not grams:
        return None
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch(list(grams))
    return minhash.hashvalues.astype("<u8").tobytes()


@dataclass
class Grouping:
    """Per article of `group_articles`' input (same order): its group (None: alone), its likely
    source (an article id, None when none) and the estimated overlap with it (0..1)."""

    group: list[int | None]
    likely_source: list[str | None]
    source_overlap: list[float | None]


def group_articles(ids: list[str], signatures: list[bytes | None], scores: list[float | None],
                   can_be_source: list[bool]) -> Grouping:
    """Groups of near-duplicate restored texts. ids: article ids; signatures: `signature`
    values; scores: article scores (share of words likely spun); can_be_source: the article was
    not judged likely spun. Groups are numbered from 0 in the order of their first article.
    Memory: O(articles x NUM_PERM)."""
    from datasketch import MinHash, MinHashLSH

    n = len(ids)
    values = [None if s is None else np.frombuffer(s, dtype="<u8") for s in signatures]
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def similarity(i: int, j: int) -> float:
        return float(np.mean(values[i] == values[j]))

    for i, value in enumerate(values):
        if value is None:
            continue
        minhash = MinHash(num_perm=NUM_PERM, hashvalues=value, scheme=SCHEME)
        for j in cast(list[int], lsh.query(minhash)):  # the keys inserted: indices of `values`
            if similarity(i, j) >= THRESHOLD:
                parent[root(i)] = root(j)
        lsh.insert(i, minhash)

    members: dict[int, list[int]] = {}
    for i in range(n):
        if values[i] is not None:
            members.setdefault(root(i), []).append(i)
    grouping = Grouping([None] * n, [None] * n, [None] * n)
    for number, group in enumerate(sorted((g for g in members.values() if len(g) > 1), key=min)):
        sources = [j for j in group if can_be_source[j]]
        source = min(sources, key=lambda j: (scores[j], j)) if sources else None
        for i in group:
            grouping.group[i] = number
            if source is not None and i != source:
                grouping.likely_source[i] = ids[source]
                grouping.source_overlap[i] = round(similarity(i, source), 4)
    return grouping
