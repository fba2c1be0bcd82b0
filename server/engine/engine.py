"""The inference engine: one article in, spun spans with suggested originals out.

Every caller (the HTTP API, `unspin analyze`, evaluation, training's dev check, the benchmark)
goes through the same four stages, run in order by `Engine.run`:

    score      the LM pass and each site's features (score.py; cacheable, no threshold)
    decide     P(spun) per site (decide.py; second_look.py for unsure sites) and the article-level
               decision -> marked sites
    restore    ranked originals for the marked sites, both sides of context (restore.py)
    summarize  the article's figures and verdict (this module owns the verdict)

The stages are pipelined by batch of LM windows: after each batched pass the detector scores
that batch's sites, the sites it is unsure of get their second look (second_look.py), and the
sites the decision will likely mark are restored, all while the batch's KV cache is alive
(`Engine._on_batch`), so memory does not grow with the article's length.

The paragraphs of one call are one article: its marks depend on the whole article and on
nothing else (not on how it is split into paragraphs, nor on other calls). Offsets are code
points; the API layer converts them. Scored articles and whole answers are cached (LRU, bounded
in entries and in bytes); `answer` is safe to call from many threads: analyses are serialised
(each already uses every core) and the caches are locked. A call can be given a deadline and a
cancellation test, checked between batched passes (`Abandoned`).
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .decide import Decision, best_first, decide, evidence_words, select, word_scores
from .model import PROFILE_GROUPS, LoadedModel, load_model
from .restore import Mark, merge, restore, restore_sites, runs, unrestored
from .score import WINDOW_TOKENS, Scored, Site, score
from .second_look import in_band, look
from ..text import Visible, covers_ignored, visible, wording_key, words
from ..config import DEFAULT_SUGGESTIONS

SCORED_CACHE_BYTES = 16 * 1024 * 1024  # estimated bytes of the caches: scored articles (a spun 1,000-word
ANSWER_CACHE_BYTES = 4 * 1024 * 1024  # article is about 5 MB scored, 50 kB answered), answers
# bytes: larger blocks are mapped, so freeing them returns them to the system. Every tensor of an
# analysis is smaller (the largest, 128 x 8,192 fp32 logits, is 4 MB), so they come from the heap,
# which malloc_trim empties after each batch. Measured (1,000-word article, median of 40; 5,000-word
# spun article): at 1 MB each tensor was a fresh mapping, 3.09 s and 24.2 s, peak 733 MB; at 32 MB
# 2.38 s and 17.8 s, peak 761 MB; RSS flat over 40 analyses either way.
_MMAP_THRESHOLD = 32 << 20


def _libc():
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: its allocator keeps its own policy
        return None


_LIBC = _libc()
if _LIBC is not None:
    # By default glibc raises its mmap threshold after each freed mapping, and its trim threshold
    # with it, after which the tensors of every analysis come from a heap it never gives back: RSS
    # grew with each article. A fixed threshold turns that adjustment off.
    _LIBC.mallopt(-3, _MMAP_THRESHOLD)  # M_MMAP_THRESHOLD


def release_memory() -> None:
    """Give the allocator's free memory back to the system (glibc; after each analysis)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


VERDICTS = ("likely spun", "possibly spun", "no sign of spinning")


class Abandoned(Exception):
    """An analysis stopped before its end (Engine.run): its deadline passed, or its client went away."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Decided:
    """What `decide` returns: P(spun) per site [N], the marked site indices, the threshold used
    and the article's evidence (share of words likely spun, smoothed; see decide.py)."""

    probabilities: np.ndarray
    marked: list[int]
    threshold: float
    evidence: float
    spun_article: bool  # the evidence reached the model's cut-off
    spun_words_by_threshold: list[dict]  # [{threshold, spun_words}] at each point of the scale


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
        for group in PROFILE_GROUPS
        if group in test
    }
    real = metrics.get("real_inputs", {}).get("real paragraph")
    if real:
        headline["real paragraph"] = {"detected": real["substitutions_detected"], "of": real["of"]}
    if "spun" in metrics.get("bench", {}):
        headline["analysis_ms_per_1000_words"] = metrics["bench"]["spun"]["analysis_median_ms"]
    return headline


@dataclass
class Result:
    """One article through the stages (`Engine.run`): the scored document, the decision and the
    marks with their suggestions (restore.Mark, in text order)."""

    scored: Scored
    decided: Decided
    marks: list[Mark]


def _bytes(value) -> int:
    """A rough size in bytes of a cached Scored or answer (bounds the caches)."""
    if isinstance(value, Scored):
        return 1000 + sum(400 + 120 * len(s.candidates) for s in value.sites) + 80 * sum(map(len, value.words)) \
            + 2 * sum(map(len, value.paragraphs)) + 16 * sum(len(w.ids) for w in value.windows)
    return 500 + sum(300 + 200 * len(s["suggestions"] or ()) for p in value["paragraphs"] for s in p["spans"]) \
        + 100 * len(value["paragraphs"])


class _Cache:
    """An LRU cache bounded in entries and in estimated bytes (thread-safe)."""

    def __init__(self, entries: int, max_bytes: int):
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value) -> None:
        size = _bytes(value)
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            if self.entries <= 0 or size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                self._bytes -= self._items.popitem(last=False)[1][1]

    def __len__(self) -> int:
        return len(self._items)


class Engine:
    """A loaded model plus the four stages and the caches."""

    window_tokens = WINDOW_TOKENS  # LM tokens of a window at most: what one mark's suggestions pass again

    def __init__(self, loaded: LoadedModel, cache_size: int = 64):
        self.loaded = loaded
        # the second look at unsure sites (second_look.py): when the model has one (training turns
        # it on to fit one)
        self.looks = bool(loaded.second_look)
        self.cache_size = cache_size
        self._scored = _Cache(cache_size, SCORED_CACHE_BYTES)
        self._answers = _Cache(cache_size, ANSWER_CACHE_BYTES)
        self._model_lock = threading.Lock()
        self._hits = self._misses = 0
        release_memory()  # what loading parsed and dropped (the tokenizer's JSON, the table's gzip)

    @classmethod
    def load(cls, model_dir: str | Path, threads: int | None = None, cache_size: int = 64,
             precision: str | None = None):
        """Load a model folder (see model.load_model for the errors raised; precision: see lm.load_lm)."""
        return cls(load_model(model_dir, precision=precision, threads=threads), cache_size)

    @classmethod
    def scorer(cls, lm, candidates, continuation: dict[str, float], ranker=None) -> "Engine":
        """An engine with the `score` stage only (no detector yet: training scores its data
        with it; ranker: the candidate ranker, if there is one yet), caches off."""
        from .model import ModelMeta

        return cls(LoadedModel(lm, candidates, continuation, None, ModelMeta(), Path(), ranker), cache_size=0)

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

    @property
    def precision(self) -> dict:
        """The LM's numeric path and why it was chosen (see precision.py)."""
        return self.loaded.lm.precision

    def count_tokens(self, paragraphs: list[str]) -> int:
        """LM tokens of an article as the engine reads it (the unit of the request limits)."""
        return self.loaded.lm.count_tokens([visible(p).text for p in paragraphs])

    def cache_info(self) -> dict:
        return {"hits": self._hits, "misses": self._misses, "size": len(self._answers)}

    # --- the stages ---------------------------------------------------------------------------

    def score(self, paragraphs: list[str], caller: str = "", decision: Decision | None = None,
              ignore: frozenset[str] = frozenset(), check=None, restoring: bool = True,
              first: frozenset[int] = frozenset(), progress=None) -> Scored:
        """Stage 1 (cached per article and caller): the paragraphs as read (soft hyphens and
        zero-width characters inside words read past: text.visible; `Scored.seen` maps offsets
        back), scored. With `looks`, the sites the detector is unsure of get their second look
        during the pass (second_look.look). decision: the call's (Decision.scaled); with it and
        `restoring`, the sites it is likely to mark are restored during the pass (`_on_batch`),
        except those covering an `ignore` wording. check: see score.score. caller: see `answer`.
        first: paragraphs read first (score.reading_order). progress(marks, seen): with a decision,
        called after each batched pass with that batch's provisional marks ([(restore.Mark, its
        P(spun))], their suggestions None; see `_on_batch`) and the paragraphs as read (`Scored.seen`, made once
        here); not called for a cached article."""
        key = (caller, tuple(paragraphs))
        cached = self._scored.get(key)
        if cached is not None:
            return cached
        seen = [visible(p) for p in paragraphs]
        merged: dict = {}
        on_batch = self._on_batch(seen, decision, ignore, merged, restoring, progress) \
            if decision is not None or self.looks else None
        with self._model_lock:
            scored = score(self.loaded.lm, self.loaded.candidates, [v.text for v in seen], self.loaded.continuation,
                           on_batch, check, self.loaded.ranker, related=self.loaded.related, first=first)
        scored.seen, scored.merged = seen, merged
        self._scored.put(key, scored)
        return scored

    def _on_batch(self, seen, decision: Decision | None, ignore: frozenset[str], merged: dict, restoring: bool,
                  progress):
        """The scoring pass's on_batch, while the batch's KV cache is alive: with `looks`, the second
        look at the batch's sites whose P(spun) is in second_look.BAND; with a decision, the sites
        that `decide` would mark there (`select`: a batch holds whole sentences, so its choice among
        overlapping sites is the article's) at the threshold the article will likely get: the
        spun-article one once the evidence so far (the words likely spun, words counted in
        proportion to the tokens passed) reaches the cut-off, else the plain one. These are the
        batch's provisional marks (`progress`); their runs of adjacent sites (restore.runs, into
        `merged` by (paragraph, first word, last word + 1)) are restored, and with `restoring`
        every one of them. A marked site this guess left out is restored after the decision (its
        window passed again): the guess costs time when wrong, never a different answer, and a
        provisional mark the article's decision drops is withdrawn by the final answer."""
        texts = [v.text for v in seen]
        n_words = sum(len(words(t)) for t in texts)
        hits: set[tuple[int, int]] = set()
        passed = [0]

        def on_batch(sites, batch):
            p = self.loaded.detect(sites)
            if self.looks:
                look(self.loaded.lm, [s for s, band in zip(sites, in_band(p)) if band], batch, self.loaded.continuation)
            p = self.loaded.second_look.apply(sites, p)
            for site, value in zip(sites, p.tolist()):
                site.probability = value  # predicted once: `decide` reads it
            if decision is None:
                return
            skip = {k for k, s in enumerate(sites) if covers_ignored(s.text, ignore)}
            hits.update(evidence_words(sites, p, skip))
            passed[0] += sum(len(batch.document[w].ids) for w in batch.windows)
            share = passed[0] / sum(len(w.ids) for w in batch.document)
            spun = decision.is_spun(len(hits), n_words * share)
            taken = select(sites, p, decision.threshold_for(spun), skip)
            grouped = runs(texts, sites, taken, ignore)
            joint: dict[tuple[int, ...], Site] = {run: merge([sites[k] for k in run], self.loaded.continuation)
                                                  for run in grouped if len(run) > 1}
            if progress is not None:  # before any restoration: what the reader waits for
                progress([(Mark(run, joint[run] if run in joint else sites[run[0]], None), float(max(p[k] for k in run)))
                          for run in grouped], seen)
            # a run's sites too (restore.joined); without `restoring`, the runs' only: whether a run
            # is one mark or a mark per word depends on them, so the marks are final without the rest
            alone = [sites[k] for run in grouped if restoring or len(run) > 1 for k in run]
            if alone:
                restore_sites(self.loaded.lm, alone + list(joint.values()), batch, self.loaded.continuation)  # one pass
            merged.update(((s.paragraph, *s.words), s) for s in joint.values())
            release_memory()  # the batch's KV cache and activations, before the next pass

        return on_batch

    def decide(self, scored: Scored, threshold: float | None = None, ignore: frozenset[str] = frozenset()) -> Decided:
        """Stage 2. threshold: the user's sensitivity (None: the model's), see Decision.scaled.
        ignore: wordings the reader never wants flagged (text.wording_key form): a site that is
        or contains one gets P(spun) 0, so it is neither marked nor counted as evidence."""
        decision = self.loaded.decision.scaled(threshold)
        known = [site.probability for site in scored.sites]
        if None not in known:  # the scoring pass predicted them (`_on_batch`)
            p = np.array(known, dtype=np.float64)
        else:
            p = self.loaded.second_look.apply(scored.sites, self.loaded.detect(scored.sites))
        skip = {k for k, site in enumerate(scored.sites) if covers_ignored(site.text, ignore)}
        p[list(skip)] = 0.0
        marked, used, ev, spun = decide([len(w) for w in scored.words], scored.sites, p, decision, skip)
        return Decided(p, marked, used, ev, spun, self._spun_words_by_threshold(scored.sites, p, skip, spun, threshold))

    def _spun_words_by_threshold(self, sites, p: np.ndarray, skip: set[int], spun: bool,
                                 threshold: float | None) -> list[dict]:
        """The words marked at each point of the sensitivity scale (Decision.scale, highest
        threshold first): those of the sites `select` takes there (the article's evidence, and so
        which of the two thresholds applies, does not depend on it). Words, not marks: whether a
        run of marked words is one mark is known only once it is restored (restore.joined)."""
        counts = []
        order = best_first(p)
        for t in self.loaded.decision.scale(threshold):
            decision = self.loaded.decision.scaled(t)
            taken = select(sites, p, decision.threshold_for(spun), skip, order)
            counts.append({"threshold": t, "spun_words": sum(sites[k].words[1] - sites[k].words[0] for k in taken)})
        return counts

    def restore(self, scored: Scored, decided: Decided, limit: int, ignore: frozenset[str] = frozenset(),
                marked: list[int] | None = None) -> list[Mark]:
        """Stage 3: the marks (a marked site, or a run of adjacent ones as one wording, never one
        covering an `ignore` wording) with their suggestions, best first. marked: those of the
        decision's marked sites to restore, whole runs (default: all)."""
        marked = decided.marked if marked is None else marked
        if not marked:
            return []
        with self._model_lock:
            meta = self.loaded.meta
            return restore(self.loaded.lm, scored, marked, limit, self.loaded.continuation,
                           self.loaded.candidates, meta.restoration_temperature, meta.restoration_calibration, ignore,
                           meta.min_suggestion_chance)

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
            "spun_words_by_threshold": decided.spun_words_by_threshold,
        }

    # --- all together -------------------------------------------------------------------------

    def run(self, paragraphs: list[str], threshold: float | None = None, max_suggestions: int = DEFAULT_SUGGESTIONS,
            caller: str = "", ignore: frozenset[str] = frozenset(), deadline: float | None = None,
            cancelled=None, suggest: bool = True, first: frozenset[int] = frozenset(), progress=None) -> Result:
        """Score, decide and restore one article (what `answer`, evaluation and training run).

        suggest: False for detection only: the same marks, whose suggestions are None (`suggest`
        gives them later) except in runs of adjacent marks (their restoration decides whether a
        run is one mark or a mark per word). first, progress: see `score`. deadline: time.monotonic() value; cancelled(): true
        once the caller has gone. Both are checked between batched LM passes. Raises Abandoned."""
        check = self._check(deadline, cancelled)
        scored = self.score(paragraphs, caller, self.loaded.decision.scaled(threshold), ignore, check,
                            restoring=suggest, first=first, progress=progress)
        decided = self.decide(scored, threshold, ignore)
        if suggest:
            return Result(scored, decided, self.restore(scored, decided, max_suggestions, ignore))
        # Detection only: the runs of adjacent marks restored (one mark, or a mark per word:
        # restore.joined), so that the marks are the full answer's; the other marks' suggestions None.
        grouped = runs(scored.paragraphs, scored.sites, decided.marked, ignore)
        in_runs = [k for run in grouped if len(run) > 1 for k in run]
        marks = self.restore(scored, decided, max_suggestions, ignore, in_runs) + unrestored(
            scored, [k for run in grouped if len(run) == 1 for k in run], self.loaded.continuation, ignore)
        marks.sort(key=lambda mark: (mark.site.paragraph, mark.site.start))
        return Result(scored, decided, marks)

    @staticmethod
    def _check(deadline: float | None, cancelled):
        def check():
            if cancelled is not None and cancelled():
                raise Abandoned("the client went away")
            if deadline is not None and time.monotonic() > deadline:
                raise Abandoned("the analysis took longer than its deadline")

        return check

    def answer(self, paragraphs: list[str], threshold: float | None = None, max_suggestions: int = DEFAULT_SUGGESTIONS,
                caller: str = "", ignore: tuple[str, ...] = (), deadline: float | None = None,
                cancelled=None, suggest: bool = True, first: tuple[int, ...] = (), progress=None) -> dict:
        """Analyse one article: {"paragraphs": [{index, score, words, spun_words, spans}], "summary"}.

        Each span: {start, end (code points in its paragraph), text, score (P(spun)),
        suggestions: [{text, score}] best first, or None with `suggest` False (detection only,
        see `run`: `suggest` restores them on demand)}.

        caller: who asks (the HTTP API passes the request's Origin and the partition it names:
        the extension's is the asking page's site). Cached answers are only reused for the same
        caller, so one caller (or one site's page) cannot time whether another analysed a text.
        ignore: words and phrases never to flag (see `decide`). first: paragraph indices read
        first (the reader's screenful: the answer is the same). progress(spans): called after
        each batched pass with that batch's provisional spans, [(paragraph, span)] as above
        (suggestions None); a provisional span the article-level decision drops is not in the
        answer. deadline, cancelled: see `run`. Raises Abandoned."""
        ignored = frozenset(filter(None, map(wording_key, ignore)))
        key = (caller, tuple(paragraphs), threshold, max_suggestions, ignored, suggest)
        cached = self._answers.get(key)
        if cached is not None:
            self._hits += 1
            return cached
        self._misses += 1

        def provisional(marks: list[tuple[Mark, float]], seen: list[Visible]) -> None:
            if progress is not None:
                progress([(mark.site.paragraph, self._span(paragraphs, seen, mark, score)) for mark, score in marks])

        try:
            result = self.run(paragraphs, threshold, max_suggestions, caller, ignored, deadline, cancelled, suggest,
                              frozenset(first), provisional if progress is not None else None)
        finally:
            release_memory()
        answer = self.answer_of(result.scored, result.decided, result.marks, paragraphs)
        self._answers.put(key, answer)
        return answer

    def suggest(self, paragraphs: list[str], within: list[tuple[int, int, int]], threshold: float | None = None,
                max_suggestions: int = DEFAULT_SUGGESTIONS, caller: str = "", ignore: tuple[str, ...] = (),
                deadline: float | None = None, cancelled=None) -> list[tuple[int, dict]]:
        """Suggestions on demand: the marks of an article (as `answer` gives them for the same
        arguments) that overlap the (paragraph, start, end) code-point ranges `within`, restored:
        [(paragraph, span)] in text order, spans as `answer`'s. The article is scored again only
        when the cache no longer holds it. Raises Abandoned."""
        ignored = frozenset(filter(None, map(wording_key, ignore)))
        check = self._check(deadline, cancelled)
        scored = self.score(paragraphs, caller, self.loaded.decision.scaled(threshold), ignored, check, restoring=False)
        decided = self.decide(scored, threshold, ignored)
        read = [(p, *scored.seen[p].seen(start, end)) for p, start, end in within if 0 <= p < len(paragraphs)]
        try:
            marks = self.restore_within(scored, decided, read, max_suggestions, ignored)
        finally:
            release_memory()
        return [(mark.site.paragraph, self._span(paragraphs, scored.seen, mark,
                                                 max(decided.probabilities[k] for k in mark.sites)))
                for mark in marks]

    def restore_within(self, scored: Scored, decided: Decided, within: list[tuple[int, int, int]], limit: int,
                       ignore: frozenset[str] = frozenset()) -> list[Mark]:
        """Stage 3 for some marks only: those overlapping the (paragraph, start, end) code-point
        ranges `within` of the text as read, restored (their runs with them)."""
        ranges: dict[int, tuple[list[int], list[int]]] = {}  # paragraph -> starts, running max of ends
        for p, a, b in sorted(within):
            starts, ends = ranges.setdefault(p, ([], []))
            starts.append(a)
            ends.append(max(b, ends[-1]) if ends else b)

        def overlaps(paragraph: int, start: int, end: int) -> bool:  # a range starts before `end`, ends after `start`
            starts, ends = ranges.get(paragraph, ((), ()))
            before = bisect.bisect_left(starts, end)
            return before > 0 and ends[before - 1] > start

        wanted = [k for run in runs(scored.paragraphs, scored.sites, decided.marked, ignore)
                  if overlaps(scored.sites[run[0]].paragraph, scored.sites[run[0]].start, scored.sites[run[-1]].end)
                  for k in run]
        return [mark for mark in self.restore(scored, decided, limit, ignore, wanted)
                if overlaps(mark.site.paragraph, mark.site.start, mark.site.end)]

    @staticmethod
    def _span(paragraphs: list[str], seen: list[Visible], mark: Mark, score: float) -> dict:
        """One mark as a span of the answer: offsets in the original paragraph (a mark covers the
        whole word, invisible characters included: text.Visible), code points."""
        site = mark.site
        start, end = seen[site.paragraph].original(site.start, site.end)
        return {"start": start, "end": end, "text": paragraphs[site.paragraph][start:end],
                "score": round(float(score), 4), "suggestions": mark.suggestions}

    def answer_of(self, scored: Scored, decided: Decided, marks: list[Mark], paragraphs: list[str]) -> dict:
        """Per-paragraph results and the summary of a decided article (spans as `answer`'s;
        paragraphs: the article as given). A mark's score: the highest P(spun) of its sites."""
        spans: list[list[dict]] = [[] for _ in scored.paragraphs]
        spun_words = [0] * len(scored.paragraphs)
        for mark in marks:
            site = mark.site
            spans[site.paragraph].append(self._span(paragraphs, scored.seen, mark,
                                                    max(decided.probabilities[k] for k in mark.sites)))
            spun_words[site.paragraph] += site.words[1] - site.words[0]
        word_p = word_scores([len(w) for w in scored.words], scored.sites, decided.probabilities)
        results = [
            {"index": i, "score": round(paragraph_score(word_p[i]), 4), "words": len(scored.words[i]),
             "spun_words": spun_words[i], "spans": spans[i]}
            for i in range(len(scored.paragraphs))
        ]
        return {"paragraphs": results, "summary": self.summarize(results, decided)}
