"""A split of the data set (`unspin dataset`) as training and evaluation read it: its articles,
a seeded choice of them, their gold spans and strata."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from random import Random


def read_split(path: Path) -> dict[str, list[dict]]:
    """A split of the data set (SPLIT.jsonl: one record per paragraph): article id -> its records, in order."""
    articles: dict[str, list[dict]] = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            articles[record["article"]].append(record)
    return articles


def span_originals(records: list[dict]) -> list[dict[tuple[int, int], str]]:
    """Per paragraph of an article: (start, end) of each gold span (code points) -> its original,
    lower-cased."""
    return [{(g["start"], g["end"]): g["original"].lower() for g in r["spans"]} for r in records]


def choose(articles: dict[str, list[dict]], n: int, seed: int, spun_share: float | None) -> list[str]:
    """A seeded choice of n article ids; with spun_share, that share of them spun (by the held-out
    profile in a split that has one, the test split; else by any profile) and the rest clean."""
    ids = sorted(articles)
    Random(seed).shuffle(ids)
    if spun_share is None:
        return ids[:n]
    spun = [a for a in ids if any(r["heldout"] for r in articles[a])] or [
        a for a in ids if any(r["profile"] != "clean" for r in articles[a])]
    clean = [a for a in ids if all(r["profile"] == "clean" for r in articles[a])]
    k = round(n * spun_share)
    return spun[:k] + clean[: n - k]


def strata(records: list[dict]) -> dict:
    """The article's strata (unspin dataset): {"short": 60-300 words, "density": "normal", "light",
    "partial" or "none" for a clean page}."""
    return {"short": records[0]["short"], "density": records[0]["density"]}
