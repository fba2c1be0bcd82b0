"""The inference engine: one article in, spun spans with suggested originals out.

Every caller (the HTTP API, `unspin analyze`, evaluation, training's dev check, the benchmark)
goes through the same four stages:

    score      the LM pass and each site's features (score.py; cacheable, no threshold)
    decide     P(spun) per site and the article-level decision -> marked sites (decide.py)
    restore    ranked originals for the marked sites, both sides of context (restore.py)
    summarize  the article's figures and verdict (this module owns the verdict)

`Engine.analyze` runs them in order. The paragraphs of one call are one article: its marks
depend on the whole article and on nothing else (not on how it is split into paragraphs, nor on
other calls). Offsets are code points; the API layer converts them. Scored articles and whole
answers are cached (LRU); `analyze` is safe to call from many threads: LM passes are serialised
(each already uses every core) and the caches are locked.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .decide import decide, word_scores
from .model import LoadedModel, load_model
from .restore import restore
from .score import Scored, score
from .text import covers_ignored, visible, wording_key

VERDICTS = ("likely spun", "possibly spun", "no sign of spinning")


@dataclass
class Decided:
    """What `decide` returns: P(spun) per site [N], the marked site indices, the threshold used
    and the article's evidence (share of words likely spun, smoothed; see decide.py)."""

    probabilities: np.ndarray
    marked: list[int]
    threshold: float
    evidence: float
    spun_article: bool  # the evidence reached the model's cut-off


def paragraph_score(word_probabilities: np.ndarray) -> float:
    """Mean of the top tenth of a paragraph's word probabilities (0 for an empty paragraph)."""
    if len(word_probabilities) == 0:
        return 0.0
    k = max(1, math.ceil(0.1 * len(word_probabilities)))
    return float(np.sort(word_probabilities)[::-1][:k].mean())


def headline_metrics(metrics: dict) -> dict:
    """The few figures of the model card worth sending with every answer (the card has the rest)."""
    test = metrics.get("test", {})
    headline = {
        group: {
            "word_f1": test[group]["f1"],
            "false_highlights_per_1000_words": test["false_highlights_per_1000_words"],
            "restoration_top1_detected": test["restoration"][group]["top1"],
        }
        for group in ("training profiles", "held-out profile")
        if group in test
    }
    real = metrics.get("real_inputs", {}).get("real paragraph")
    if real:
        headline["real paragraph"] = {"detected": real["substitutions_detected"], "of": real["of"]}
    if "bench" in metrics:
        headline["analysis_ms_per_1000_words"] = metrics["bench"]["analysis_median_ms"]
    return headline


class Engine:
    """A loaded model plus the four stages and the caches."""

    def __init__(self, loaded: LoadedModel, cache_size: int = 64):
        self.loaded = loaded
        self.cache_size = cache_size
        self._scored: OrderedDict[tuple, Scored] = OrderedDict()
        self._answers: OrderedDict[tuple, dict] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._model_lock = threading.Lock()
        self._hits = self._misses = 0

    @classmethod
    def load(cls, model_dir: str | Path, threads: int | None = None, cache_size: int = 64, quantize: bool = True):
        """Load a model folder (see model.load_model for the errors raised)."""
        return cls(load_model(model_dir, quantize=quantize, threads=threads), cache_size)

    @property
    def info(self) -> dict:
        meta = self.loaded.meta
        return {
            "name": meta.name,
            "version": meta.version,
            "base": meta.base,
            "threshold": meta.threshold,
            "metrics": headline_metrics(meta.metrics),
        }

    def cache_info(self) -> dict:
        with self._cache_lock:
            return {"hits": self._hits, "misses": self._misses, "size": len(self._answers)}

    # --- the stages ---------------------------------------------------------------------------

    def score(self, paragraphs: list[str], keep_states: bool = False, caller: str = "") -> Scored:
        """Stage 1 (cached per article and caller). keep_states: a fresh pass keeps what `restore`
        reuses. caller: see `analyze`."""
        key = (caller, tuple(paragraphs))
        with self._cache_lock:
            cached = self._scored.get(key)
            if cached is not None:
                self._scored.move_to_end(key)
                return cached
        with self._model_lock:
            scored = score(self.loaded.lm, self.loaded.candidates, paragraphs, keep_states, self.loaded.continuation)
        kept = Scored(scored.paragraphs, scored.words, scored.windows, scored.sites)  # no transient states
        self._remember(self._scored, key, kept)
        return scored

    def decide(self, scored: Scored, threshold: float | None = None, ignore: frozenset[str] = frozenset()) -> Decided:
        """Stage 2. threshold: the user's sensitivity (None: the model's), see Decision.scaled.
        ignore: wordings the reader never wants flagged (text.wording_key form): a site that is
        or contains one gets P(spun) 0, so it is neither marked nor counted as evidence."""
        decision = self.loaded.decision.scaled(threshold)
        features = np.stack([s.features for s in scored.sites]) if scored.sites else np.zeros((0, 0))
        p = self.loaded.detector.predict(features)
        skip = {k for k, site in enumerate(scored.sites) if covers_ignored(site.text, ignore)}
        p[list(skip)] = 0.0
        marked, used, ev = decide([len(w) for w in scored.words], scored.sites, p, decision, skip)
        return Decided(p, marked, used, ev, ev >= decision.evidence)

    def restore(self, scored: Scored, decided: Decided, limit: int) -> list[list[dict]]:
        """Stage 3: suggestions for each marked site, best first."""
        if not decided.marked:
            return []
        with self._model_lock:
            return restore(self.loaded.lm, scored, decided.marked, limit)

    @staticmethod
    def summarize(paragraphs: list[dict], decided: Decided) -> dict:
        """Stage 4: the article's figures. The verdict follows the marks: "likely spun" when the
        article-level evidence was reached and something is marked, "possibly spun" when
        something is marked, else "no sign of spinning"."""
        total = sum(p["words"] for p in paragraphs)
        spun_words = sum(p["spun_words"] for p in paragraphs)
        spans = sum(len(p["spans"]) for p in paragraphs)
        verdict = VERDICTS[0] if spans and decided.spun_article else VERDICTS[1] if spans else VERDICTS[2]
        return {
            "paragraphs": len(paragraphs),
            "words": total,
            "spans": spans,
            "spun_words": spun_words,
            "spun_ratio": round(spun_words / total, 4) if total else 0.0,
            "score": round(decided.evidence, 4),
            "verdict": verdict,
        }

    # --- all together -------------------------------------------------------------------------

    def analyze(self, paragraphs: list[str], threshold: float | None = None, max_suggestions: int = 3,
                caller: str = "", ignore: tuple[str, ...] = ()) -> dict:
        """Analyse one article: {"paragraphs": [{index, score, words, spun_words, spans}], "summary"}.

        Each span: {start, end (code points in its paragraph), text, score (P(spun)),
        suggestions: [{text, score}] best first}.

        caller: who asks (the HTTP API passes the request's Origin). Cached answers are only
        reused for the same caller, so one caller cannot time whether another analysed a text.
        ignore: words and phrases never to flag (see `decide`)."""
        ignored = frozenset(filter(None, map(wording_key, ignore)))
        key = (caller, tuple(paragraphs), threshold, max_suggestions, ignored)
        with self._cache_lock:
            cached = self._answers.get(key)
            if cached is not None:
                self._answers.move_to_end(key)
                self._hits += 1
                return cached
            self._misses += 1
        # Soft hyphens and zero-width characters inside words are read past, and marks cover
        # the whole word of the original text, invisible characters included.
        seen = [visible(p) for p in paragraphs]
        scored = self.score([v.text for v in seen], keep_states=True, caller=caller)
        decided = self.decide(scored, threshold, ignored)
        suggestions = self.restore(scored, decided, max_suggestions)
        scored.hidden = scored.states = None
        answer = self.report(scored, decided, suggestions)
        for paragraph, seen_as, result in zip(paragraphs, seen, answer["paragraphs"]):
            for span in result["spans"]:
                span["start"], span["end"] = seen_as.original(span["start"], span["end"])
                span["text"] = paragraph[span["start"]:span["end"]]
        self._remember(self._answers, key, answer)
        return answer

    def report(self, scored: Scored, decided: Decided, suggestions: list[list[dict]]) -> dict:
        """Per-paragraph results and the summary of a decided, restored article."""
        spans: list[list[dict]] = [[] for _ in scored.paragraphs]
        spun_words = [0] * len(scored.paragraphs)
        for k, suggested in zip(decided.marked, suggestions):
            site = scored.sites[k]
            spans[site.paragraph].append({
                "start": site.start,
                "end": site.end,
                "text": site.text,
                "score": round(float(decided.probabilities[k]), 4),
                "suggestions": suggested,
            })
            spun_words[site.paragraph] += site.words[1] - site.words[0]
        word_p = word_scores([len(w) for w in scored.words], scored.sites, decided.probabilities)
        results = [
            {"index": i, "score": round(paragraph_score(word_p[i]), 4), "words": len(scored.words[i]),
             "spun_words": spun_words[i], "spans": spans[i]}
            for i in range(len(scored.paragraphs))
        ]
        return {"paragraphs": results, "summary": self.summarize(results, decided)}

    def _remember(self, cache: OrderedDict, key, value) -> None:
        with self._cache_lock:
            cache[key] = value
            cache.move_to_end(key)
            while len(cache) > self.cache_size:
                cache.popitem(last=False)

