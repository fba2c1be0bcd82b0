"""The inference engine: paragraphs in, spun spans with suggested originals out.

The CLI and the HTTP API both call `Engine.analyze`. Offsets here are code points; the API layer
converts them. The paragraphs of one call share one encoder pass (in batches for the fp32 model,
window by window for the int8 one, see QUANTISED_BATCH_SIZE); paragraphs longer than one window
are split into overlapping windows so no text is truncated; results are cached per (model
version, options, paragraph) so re-analysing a page is instant. `analyze` is safe to call from
many threads: forward passes are serialised (they already use every core) and the cache is locked.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import torch

from .model import LoadedModel, load_model
from .text import Word, match_case, words

BATCH_SIZE = 16  # windows per forward pass of the fp32 encoder
# Dynamic int8 quantisation scales activations per tensor, i.e. over the whole batch, so a window's
# scores would depend on its batch-mates (and the cache would keep whichever came first). The
# quantised engine therefore runs each window alone: ~1.6x the batched time, still within budget.
QUANTISED_BATCH_SIZE = 1
FALLBACK_CANDIDATES = 10  # vocabulary guesses when the candidate table knows no original
# Page score cut-offs, from dev paragraph scores of the shipped model: clean paragraphs have a
# median of 0.18 (90th percentile 0.37), spun ones a median of 0.45.
VERDICTS = ((0.4, "likely spun"), (0.3, "possibly spun"), (0.0, "no sign of spinning"))


@dataclass
class Encoded:
    """Per-paragraph output of the encoder, windows merged back into one sequence."""

    offsets: list[tuple[int, int]]  # code-point offsets of each real token (no [CLS]/[SEP])
    hidden: torch.Tensor  # [T,H]
    probs: torch.Tensor  # [T,3] detection probabilities (O, B, I)


def windows(n_tokens: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Overlapping [start, end) token windows covering n_tokens, neighbours sharing `stride` tokens."""
    if n_tokens <= size:
        return [(0, n_tokens)]
    step = size - stride
    starts = list(range(0, n_tokens - size, step)) + [n_tokens - size]
    return [(s, s + size) for s in starts]


def encode_paragraphs(loaded: LoadedModel, paragraphs: list[str], batch_size: int = BATCH_SIZE) -> list[Encoded]:
    """Run the encoder over paragraphs, windowing long ones; each token keeps its most central window."""
    tokenizer, meta, model = loaded.tokenizer, loaded.meta, loaded.model
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    size = meta.max_length - 2
    encodings = tokenizer.encode_batch(paragraphs, add_special_tokens=False)
    chunks = []  # (paragraph index, window start, token ids)
    for p, enc in enumerate(encodings):
        for start, end in windows(len(enc.ids), size, meta.stride):
            chunks.append((p, start, [cls_id, *enc.ids[start:end], sep_id]))
    hidden_size = model.encoder.config.hidden_size
    outputs = [
        Encoded(list(enc.offsets), torch.zeros(len(enc.ids), hidden_size), torch.zeros(len(enc.ids), 3))
        for enc in encodings
    ]
    best_margin = [torch.full((len(enc.ids),), -1) for enc in encodings]
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i][2]))
    device = next(model.parameters()).device
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            batch = [chunks[i] for i in order[b : b + batch_size]]
            width = max(len(ids) for _, _, ids in batch)
            input_ids = torch.zeros(len(batch), width, dtype=torch.long)
            mask = torch.zeros(len(batch), width, dtype=torch.long)
            for row, (_, _, ids) in enumerate(batch):
                input_ids[row, : len(ids)] = torch.tensor(ids)
                mask[row, : len(ids)] = 1
            hidden, logits = model(input_ids.to(device), mask.to(device))
            hidden, probs = hidden.float().cpu(), logits.float().softmax(-1).cpu()
            for row, (p, start, ids) in enumerate(batch):
                n = len(ids) - 2
                positions = torch.arange(n)
                margin = torch.minimum(positions, n - 1 - positions)  # distance to the window edge
                target = slice(start, start + n)
                better = margin > best_margin[p][target]
                outputs[p].hidden[target][better] = hidden[row, 1 : n + 1][better]
                outputs[p].probs[target][better] = probs[row, 1 : n + 1][better]
                best_margin[p][target] = torch.maximum(margin, best_margin[p][target])
    return outputs


def word_tokens(paragraph_words: list[Word], offsets: list[tuple[int, int]]) -> list[list[int]]:
    """Indices of the tokens that start inside each word (tokens of punctuation belong to none)."""
    result: list[list[int]] = [[] for _ in paragraph_words]
    w = 0
    for t, (start, end) in enumerate(offsets):
        while w < len(paragraph_words) and paragraph_words[w].end <= start:
            w += 1
        if w < len(paragraph_words) and paragraph_words[w].start <= start < paragraph_words[w].end:
            result[w].append(t)
    return result


def group_spans(
    text: str, paragraph_words: list[Word], spun: list[float], begins: list[bool], threshold: float
) -> list[list[int]]:
    """Group flagged words into spans: neighbours separated only by spaces, split where a span begins."""
    spans: list[list[int]] = []
    for i, word in enumerate(paragraph_words):
        if spun[i] < threshold:
            continue
        joined = (
            spans
            and spans[-1][-1] == i - 1
            and not begins[i]
            and text[paragraph_words[i - 1].end : word.start].strip() == ""
        )
        if joined:
            spans[-1].append(i)
        else:
            spans.append([i])
    return spans


def paragraph_score(spun: list[float]) -> float:
    """Mean of the top tenth of word scores: spun paragraphs change >= 10 % of words, clean ones ~0."""
    if not spun:
        return 0.0
    k = max(1, math.ceil(0.1 * len(spun)))
    return sum(sorted(spun, reverse=True)[:k]) / k


def headline_metrics(metrics: dict) -> dict:
    """The few figures of the model card worth sending with every answer (the card has the rest)."""
    test = metrics.get("test", {})
    headline = {
        name: {
            "word_f1": m["word"]["f1"],
            "restoration_top1_detected": m["restoration_detected_spans"]["top1"],
            "false_highlights_per_1000_words": m["false_highlights_per_1000_words"],
            "paragraph_auc": m["paragraph_auc"],
        }
        for name, m in test.get("profiles", {}).items()
        if name in ("training profiles", "held-out profiles")
    }
    if "bench" in metrics:
        headline["analysis_ms_per_1000_words"] = metrics["bench"]["analysis_median_ms"]
    return headline


def verdict(score: float) -> str:
    return next(label for bound, label in VERDICTS if score >= bound)


class Engine:
    """A loaded model plus batching, windowing, span decoding, suggestions and a cache."""

    def __init__(self, loaded: LoadedModel, cache_size: int = 4096, batch_size: int = BATCH_SIZE):
        self.loaded = loaded
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple, dict] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._model_lock = threading.Lock()
        self._hits = self._misses = 0
        vocab = loaded.tokenizer.get_vocab()
        # Whole-word alphabetic tokens: what the vocabulary fallback may propose.
        self.word_token_ids = torch.tensor(sorted(i for t, i in vocab.items() if t.isalpha() and len(t) > 1))

    @classmethod
    def load(cls, model_dir: str | Path, threads: int | None = None, cache_size: int = 4096, quantize: bool = True):
        """Load a model folder once; int8 dynamic quantisation of the encoder's linear layers for speed."""
        if threads:
            torch.set_num_threads(threads)
        loaded = load_model(model_dir)
        if quantize:
            with warnings.catch_warnings():  # the quantised-tensor API warns of a future deprecation
                warnings.simplefilter("ignore", UserWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                # In place: each fp32 layer is freed as its int8 twin is made (lower peak memory).
                torch.ao.quantization.quantize_dynamic(
                    loaded.model.encoder, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
                )
        return cls(loaded, cache_size, QUANTISED_BATCH_SIZE if quantize else BATCH_SIZE)

    def encode(self, paragraphs: list[str]) -> list[Encoded]:
        """The encoder pass over paragraphs, with this engine's batch size."""
        return encode_paragraphs(self.loaded, paragraphs, self.batch_size)

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
            return {"hits": self._hits, "misses": self._misses, "size": len(self._cache)}

    def analyze(self, paragraphs: list[str], threshold: float | None = None, max_suggestions: int = 3) -> list[dict]:
        """Analyse paragraphs; see the module docstring for the result's shape and units."""
        threshold = self.loaded.meta.threshold if threshold is None else threshold
        keys = [(self.loaded.meta.version, threshold, max_suggestions, p) for p in paragraphs]
        results: dict[int, dict] = {}
        with self._cache_lock:
            for i, key in enumerate(keys):
                if key in self._cache:
                    self._cache.move_to_end(key)
                    results[i] = self._cache[key]
                    self._hits += 1
                else:
                    self._misses += 1
        todo = sorted({paragraphs[i] for i in range(len(paragraphs)) if i not in results})
        if todo:
            with self._model_lock:
                encoded = self.encode(todo)
                fresh = {p: self._decode(p, enc, threshold, max_suggestions) for p, enc in zip(todo, encoded)}
            with self._cache_lock:
                for p, result in fresh.items():
                    self._cache[(self.loaded.meta.version, threshold, max_suggestions, p)] = result
                    while len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
            for i, p in enumerate(paragraphs):
                results.setdefault(i, fresh.get(p))
        return [{"index": i, **results[i]} for i in range(len(paragraphs))]

    @staticmethod
    def score_words(text: str, enc: Encoded) -> tuple[list[Word], list[list[int]], list[float], list[bool]]:
        """Per word: its tokens, P(spun) and whether it rather begins a span than continues one."""
        paragraph_words = words(text)
        tokens = word_tokens(paragraph_words, enc.offsets)
        spun, begins = [], []
        for toks in tokens:
            if not toks:
                spun.append(0.0)
                begins.append(True)
                continue
            _, b, i = enc.probs[toks[0]].tolist()
            spun.append(b + i)
            begins.append(b > i)
        return paragraph_words, tokens, spun, begins

    def _decode(self, text: str, enc: Encoded, threshold: float, max_suggestions: int) -> dict:
        """Word scores -> spans -> ranked suggestions for one paragraph."""
        paragraph_words, tokens, spun, begins = self.score_words(text, enc)
        groups = group_spans(text, paragraph_words, spun, begins, threshold)
        bounds = [(paragraph_words[g[0]].start, paragraph_words[g[-1]].end) for g in groups]
        suggestions = (
            self.suggest_many(
                [text[a:b] for a, b in bounds],
                torch.stack([enc.hidden[[t for w in g for t in tokens[w]]].mean(0) for g in groups]),
                max_suggestions,
            )
            if groups
            else []
        )
        spans = [
            {
                "start": a,
                "end": b,
                "text": text[a:b],
                "score": round(sum(spun[w] for w in g) / len(g), 4),
                "suggestions": s,
            }
            for g, (a, b), s in zip(groups, bounds, suggestions)
        ]
        return {
            "score": round(paragraph_score(spun), 4),
            "words": len(paragraph_words),
            "spun_words": sum(len(group) for group in groups),
            "spans": spans,
        }

    def suggest(self, spun_text: str, span_hidden: torch.Tensor, limit: int) -> list[dict]:
        """Rank likely originals of one span (see `suggest_many`)."""
        return self.suggest_many([spun_text], span_hidden[None], limit)[0]

    def suggest_many(self, spun_texts: list[str], span_hidden: torch.Tensor, limit: int) -> list[list[dict]]:
        """Rank likely originals of spans: candidate-table wordings, else vocabulary guesses.

        span_hidden: [N,H] mean hidden state of each span. Spans the table does not know share
        one vocabulary-sized product, so a page full of them costs one matrix multiply.
        """
        model, tokenizer = self.loaded.model, self.loaded.tokenizer
        ranked: list[list[tuple[str, float]]] = [[] for _ in spun_texts]
        unknown = []
        with torch.inference_mode():
            queries = model.span_queries(span_hidden)
            for n, spun in enumerate(spun_texts):
                table = self.loaded.candidates.candidates(spun)
                if not table:
                    unknown.append(n)
                    continue
                ids = [e.ids or [0] for e in tokenizer.encode_batch([c for c, _ in table], add_special_tokens=False)]
                scores = model.candidate_scores(queries[n], ids, torch.tensor([p for _, p in table]))
                ranked[n] = list(zip([c for c, _ in table], scores.float().softmax(0).tolist()))
            if unknown:
                guesses = self.vocabulary_guesses([spun_texts[n] for n in unknown], queries[unknown], FALLBACK_CANDIDATES)
                for n, guessed in zip(unknown, guesses):
                    ranked[n] = guessed
        return [
            [{"text": match_case(spun, t), "score": round(p, 4)} for t, p in sorted(r, key=lambda x: -x[1])[:limit]]
            for spun, r in zip(spun_texts, ranked)
        ]

    def vocabulary_guesses(self, spun_texts: list[str], queries: torch.Tensor, limit: int) -> list[list[tuple[str, float]]]:
        """The `limit` best whole words of the vocabulary head for each span, never one of the span's own
        tokens, with probabilities over those guesses. One matrix multiply for all spans."""
        tokenizer = self.loaded.tokenizer
        with torch.inference_mode():
            logits = self.loaded.model.vocab_scores(queries)[:, self.word_token_ids].float()
        owns = [set(e.ids) for e in tokenizer.encode_batch(spun_texts, add_special_tokens=False)]
        # Enough words that `limit` remain once each span's own tokens are dropped.
        top = logits.topk(min(logits.shape[1], limit + max(len(own) for own in owns)), dim=1)
        guesses = []
        for row, own in enumerate(owns):
            pairs = [
                (int(self.word_token_ids[i]), s)
                for s, i in zip(top.values[row].tolist(), top.indices[row].tolist())
                if int(self.word_token_ids[i]) not in own
            ][:limit]
            probs = torch.tensor([s for _, s in pairs]).softmax(0).tolist()
            guesses.append([(tokenizer.id_to_token(t), p) for (t, _), p in zip(pairs, probs)])
        return guesses

    @staticmethod
    def summarize(results: list[dict]) -> dict:
        """Page-level figures; the score is the word-weighted mean of paragraph scores."""
        total_words = sum(r["words"] for r in results)
        spun_words = sum(r["spun_words"] for r in results)
        score = sum(r["score"] * r["words"] for r in results) / total_words if total_words else 0.0
        return {
            "paragraphs": len(results),
            "words": total_words,
            "spans": sum(len(r["spans"]) for r in results),
            "spun_words": spun_words,
            "spun_ratio": round(spun_words / total_words, 4) if total_words else 0.0,
            "score": round(score, 4),
            "verdict": verdict(score),
        }
