"""Stage 2, decide: site features -> P(spun) per site -> the article-level decision -> spans.

The detector is a gradient-boosted tree model (LightGBM) over `score.FEATURES`, trained on the
data factory's spun articles (`unspin train`), and calibrated on dev. The article-level decision
uses what spinning does to a whole article (a spinner changes 10-40 % of an article's content
words: the data factory's profiles, after real spinner output; a clean article, none): the share
of an article's words that the detector finds likely spun (smoothed: short texts need more) is
its *evidence*; an article whose evidence reaches `evidence` is marked at the lower
`spun_threshold`, any other at `threshold`. The same site score thus gives a mark in a clearly
spun article and none in a clean one, and the answer depends on the whole document only, never
on how it was split.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import numpy as np

from ..config import request_schema

EVIDENCE_P = 0.5  # a word counts as evidence of spinning when its best site reaches this
# The sensitivity scale a reader chooses from, fewest marks first (openapi.json owns it: the
# extension's slider offers these points; an answer counts the marks at each).
SCALE = tuple(request_schema("AnalyzeRequest")["threshold"]["x-scale"])


@dataclass(frozen=True)
class Decision:
    """Settings of the article-level decision: chosen on dev by `unspin train` and stored in the
    model folder's config.json, their only source (min_hits: 1 in models before 1.4, where the
    rule had no count)."""

    threshold: float  # calibrated P(spun) that marks a site in an article without evidence
    spun_threshold: float  # ... in an article whose evidence reaches `evidence` with `min_hits` words
    evidence: float
    prior_words: int  # evidence = evidence words / (words + prior_words): short texts need more
    min_hits: int = 1  # ... and at least this many evidence words: a page is not spun on one word

    def scaled(self, threshold: float | None) -> "Decision":
        """The decision at a user-chosen sensitivity: `threshold` replaces the default one and
        the spun-article threshold keeps its ratio to it."""
        if threshold is None:
            return self
        return replace(self, threshold=threshold,
                       spun_threshold=min(threshold, self.spun_threshold * threshold / self.threshold))

    def scale(self, requested: float | None = None) -> list[float]:
        """The thresholds an answer counts marks at (`SCALE`, the default threshold and
        `requested`), highest (fewest marks) first, each once."""
        points = {*SCALE, self.threshold, self.threshold if requested is None else requested}
        return sorted({round(float(t), 6) for t in points}, reverse=True)

    def evidence_of(self, hits: float, words: float) -> float:
        """The evidence of `hits` evidence words (best site P >= EVIDENCE_P) among `words`: their
        share, smoothed by prior_words (short texts need more)."""
        return hits / (words + self.prior_words)

    def is_spun(self, hits: float, words: float) -> bool:
        """The article-level rule, its one owner: enough evidence words, and a large enough share."""
        return hits >= self.min_hits and self.evidence_of(hits, words) >= self.evidence

    def threshold_for(self, spun: bool) -> float:
        """The P(spun) from which a site is marked in an article the rule finds `spun` (or not)."""
        return self.spun_threshold if spun else self.threshold


class Detector:
    """P(spun) of sites from their features: a LightGBM text model, then its isotonic calibration.

    calibration: {"raw": [...], "calibrated": [...]}, increasing points fitted on dev (`unspin
    train`: scikit-learn's IsotonicRegression), so that of the sites given P = 0.56 about 56 % are
    spun; {} leaves the trees' probability as it is."""

    def __init__(self, model_text: str, calibration: dict | None = None):
        import lightgbm

        self.booster = lightgbm.Booster(model_str=model_text)
        self.calibration = calibration or {}

    def raw(self, features: np.ndarray) -> np.ndarray:
        """features [N, len(FEATURES)] float32 -> the trees' uncalibrated P(spun) [N] float64."""
        if len(features) == 0:
            return np.zeros(0)
        return np.asarray(self.booster.predict(features, num_threads=1))

    def predict(self, features: np.ndarray) -> np.ndarray:
        """features [N, len(FEATURES)] float32 -> calibrated P(spun) [N] float64 (0..1)."""
        return calibrated(self.raw(features), self.calibration)


def calibrated(raw: np.ndarray, calibration: dict) -> np.ndarray:
    """raw P(spun) [N] -> calibrated [N]: linear between the calibration's points, flat outside."""
    if not calibration or len(raw) == 0:
        return raw
    return np.interp(raw, calibration["raw"], calibration["calibrated"])


def word_scores(n_words: list[int], sites, p: np.ndarray) -> list[np.ndarray]:
    """Per paragraph, each word's best site probability (0 for words in no site)."""
    out = [np.zeros(n) for n in n_words]
    for site, prob in zip(sites, p):
        a, b = site.words
        np.maximum(out[site.paragraph][a:b], prob, out=out[site.paragraph][a:b])
    return out


def evidence_words(sites, p: np.ndarray, skip: AbstractSet[int] = frozenset()) -> set[tuple[int, int]]:
    """The evidence words of `sites` as (paragraph, word index): the words of a site whose P(spun)
    `p` reaches EVIDENCE_P, but for sites in `skip`. What the article-level rule (Decision.is_spun)
    counts, over the whole article or as the scoring pass goes (engine.py)."""
    return {(site.paragraph, w) for k, site in enumerate(sites) if p[k] >= EVIDENCE_P and k not in skip
            for w in range(*site.words)}


def best_first(p: np.ndarray) -> list[int]:
    """Site indices by P(spun), highest first (ties in index order): the order `select` takes them."""
    return sorted(range(len(p)), key=lambda k: -p[k])


def select(sites, p: np.ndarray, threshold: float, skip: AbstractSet[int] = frozenset(), order: list[int] | None = None) -> list[int]:
    """The sites marked at `threshold`: indices into `sites` in text order. Sites are taken best
    first; a site overlapping one already taken is dropped, so spans never overlap. Sites in
    `skip` (the reader's ignore list) are never taken. Overlapping sites share a sentence, so the
    choice among the sites of some whole sentences is the choice the whole article makes there.
    order: `best_first(p)`, when the caller selects at several thresholds (sorted once)."""
    taken: list[int] = []
    used: set[tuple[int, int]] = set()
    for k in best_first(p) if order is None else order:
        if p[k] < threshold:
            break
        if k in skip:
            continue
        site = sites[k]
        cells = {(site.paragraph, w) for w in range(*site.words)}
        if cells & used:
            continue
        used |= cells
        taken.append(k)
    return sorted(taken, key=lambda k: (sites[k].paragraph, sites[k].words[0]))


def decide(n_words: list[int], sites, p: np.ndarray, decision: Decision,
           skip: AbstractSet[int] = frozenset()) -> tuple[list[int], float, float, bool]:
    """Choose the sites to mark (`select`): (indices into `sites`, the threshold used, the
    evidence, whether the article is spun by the article-level rule)."""
    hits, total = len(evidence_words(sites, p, skip)), sum(n_words)
    spun = decision.is_spun(hits, total)
    threshold = decision.threshold_for(spun)
    return select(sites, p, threshold, skip), threshold, decision.evidence_of(hits, total), spun
