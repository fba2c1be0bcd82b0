"""Measure a model on a dataset split: detection, restoration, false highlights, page separation.

    unspin evaluate --data data/spun-v1 --model models/unspin-minilm [--split test] [--out metrics.json]

Per spinner profile (the held-out profile reported on its own line):
- word-level and span-level (exact boundaries) precision / recall / F1;
- restoration top-1 / top-3 exact match (case-insensitive), over gold spans and over the
  detected spans that match a gold span exactly;
- false highlights (spans) per 1,000 words of clean paragraphs;
- paragraph-level AUC of the paragraph score, clean vs spun.
Optionally, real tortured-phrase pairs (--tortured FILE): each tortured phrase put in a neutral
sentence, the share whose expected phrase is suggested first / in the top 3.
The same functions calibrate the threshold on dev at the end of training.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

# A real spun news paragraph (issue pairs: spun -> original), the acceptance check of the model.
REAL_PARAGRAPH = (
    "WASHINGTON — Russia requested China to provide it army gear and help for the warfare in Ukraine after "
    "President Vladimir V. Putin started a full-scale invasion final month, in accordance with U.S. officers."
)
REAL_PAIRS = {
    "requested": ("asked",),
    "army gear": ("military equipment",),
    "help": ("support", "aid"),
    "warfare": ("war",),
    "final month": ("last month",),
    "in accordance with": ("according to",),
    "officers": ("officials",),
}
THRESHOLDS = [round(0.05 * i, 2) for i in range(4, 20)] + [0.96, 0.97, 0.98, 0.99]  # fine near the top, where
# the false-highlight target usually binds
MAX_FALSE_HIGHLIGHTS = 0.5  # per 1,000 clean words: the calibration target
NEUTRAL_SENTENCE = "In the report, the authors describe the {} in some detail."


def add_arguments(parser) -> None:
    parser.add_argument("--data", required=True, help="dataset folder")
    parser.add_argument("--model", required=True, help="model folder")
    parser.add_argument("--split", default="test", help="split file name without .jsonl (default test)")
    parser.add_argument("--threshold", type=float, help="override the model's threshold")
    parser.add_argument("--limit", type=int, help="evaluate on the first N records only")
    parser.add_argument("--tortured", help="tortured_phrases.tsv for the real-pairs restoration test")
    parser.add_argument("--out", help="write the metrics as JSON here")
    parser.add_argument("--update-card", action="store_true", help="store the metrics in the model folder and card")
    parser.add_argument("--calibrate", action="store_true",
                        help="choose the model's threshold on this split (use dev) and store it with the figures")


def read_records(path: Path, limit: int | None = None) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    return records[:limit] if limit else records


def score_records(engine, records: list[dict]) -> list[dict]:
    """One encoder pass per record: word scores plus what restoration needs, independent of threshold."""
    scored = []
    texts = [r["text"] for r in records]
    for i in range(0, len(texts), 64):
        encoded = engine.encode(texts[i : i + 64])
        for record, enc in zip(records[i : i + 64], encoded):
            paragraph_words, tokens, spun, begins = engine.score_words(record["text"], enc)
            gold = [
                [w for w, word in enumerate(paragraph_words) if s["start"] <= word.start < s["end"]]
                for s in record["spans"]
            ]
            scored.append(
                {"record": record, "words": paragraph_words, "tokens": tokens, "spun": spun,
                 "begins": begins, "gold": gold, "enc": enc}
            )
    return scored


def auc(negatives: list[float], positives: list[float]) -> float | None:
    """Probability that a random positive outscores a random negative (ties count half)."""
    if not negatives or not positives:
        return None
    ranked = sorted([(v, 0) for v in negatives] + [(v, 1) for v in positives])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        rank_sum += sum(1 for k in range(i, j) if ranked[k][1]) * (i + j + 1) / 2
        i = j
    n_pos = len(positives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * len(negatives))


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def restoration_hits(engine, item: dict, word_groups: list[list[int]]) -> list[tuple[bool, bool]]:
    """(top-1, top-3) exact match of the suggestions for spans given as word groups that are gold spans."""
    gold_by_words = {tuple(g): s for g, s in zip(item["gold"], item["record"]["spans"])}
    hits = []
    for group in word_groups:
        span = gold_by_words.get(tuple(group))
        tokens = [t for w in group for t in item["tokens"][w]]
        if span is None or not tokens:
            continue
        suggestions = [s["text"].lower() for s in engine.suggest(span["text"], item["enc"].hidden[tokens].mean(0), 3)]
        original = span["original"].lower()
        hits.append((suggestions[:1] == [original], original in suggestions))
    return hits


def metrics_at(engine, scored: list[dict], threshold: float, restoration: bool = True) -> dict:
    """All figures for one group of scored records at one threshold."""
    from unspin.engine import group_spans, paragraph_score

    tp_words = pred_words = gold_words = 0
    tp_spans = pred_spans = gold_spans = 0
    clean_words = clean_spans = 0
    clean_scores, spun_scores = [], []
    gold_hits, detected_hits = [], []
    for item in scored:
        groups = group_spans(item["record"]["text"], item["words"], item["spun"], item["begins"], threshold)
        predicted = {w for g in groups for w in g}
        if item["record"]["profile"] == "clean":
            clean_words += len(item["words"])
            clean_spans += len(groups)
            clean_scores.append(paragraph_score(item["spun"]))
            continue
        spun_scores.append(paragraph_score(item["spun"]))
        gold = {w for g in item["gold"] for w in g}
        tp_words += len(predicted & gold)
        pred_words += len(predicted)
        gold_words += len(gold)
        gold_groups = {tuple(g) for g in item["gold"]}
        tp_spans += sum(1 for g in groups if tuple(g) in gold_groups)
        pred_spans += len(groups)
        gold_spans += len(gold_groups)
        if restoration:
            gold_hits += restoration_hits(engine, item, item["gold"])
            detected_hits += restoration_hits(engine, item, groups)

    def rate(hits: list[tuple[bool, bool]]) -> dict:
        n = len(hits)
        return {"n": n, "top1": round(sum(h[0] for h in hits) / n, 4) if n else None,
                "top3": round(sum(h[1] for h in hits) / n, 4) if n else None}

    result = {
        "threshold": threshold,
        "word": prf(tp_words, pred_words, gold_words),
        "span": prf(tp_spans, pred_spans, gold_spans),
        "false_highlights_per_1000_words": round(1000 * clean_spans / clean_words, 3) if clean_words else None,
        "clean_words": clean_words,
        "paragraph_auc": (round(a, 4) if (a := auc(clean_scores, spun_scores)) is not None else None),
    }
    if restoration:
        result["restoration_gold_spans"] = rate(gold_hits)
        result["restoration_detected_spans"] = rate(detected_hits)
    return result


def calibrate(engine, scored: list[dict]) -> dict:
    """Pick the threshold with the best word F1 whose false highlights stay under the target.

    scored: `score_records` output; records of held-out spinner profiles are left out.
    """
    scored = [s for s in scored if not s["record"].get("heldout")]
    sweep = [metrics_at(engine, scored, t, restoration=False) for t in THRESHOLDS]
    allowed = [m for m in sweep if (m["false_highlights_per_1000_words"] or 0) <= MAX_FALSE_HIGHLIGHTS]
    best = max(allowed, key=lambda m: m["word"]["f1"]) if allowed else sweep[-1]
    return metrics_at(engine, scored, best["threshold"])


def by_profile(engine, scored: list[dict], threshold: float) -> dict:
    """Metrics per spinner profile, each against all clean records; plus trained and held-out totals."""
    clean = [s for s in scored if s["record"]["profile"] == "clean"]
    groups = defaultdict(list)
    for s in scored:
        if s["record"]["profile"] != "clean":
            groups[s["record"]["profile"]].append(s)
            groups["held-out profiles" if s["record"].get("heldout") else "training profiles"].append(s)
    return {name: metrics_at(engine, items + clean, threshold) for name, items in sorted(groups.items())}


def tortured_pairs(engine, path: Path, limit: int = 2000) -> dict:
    """Restoration of real tortured phrases placed in a neutral sentence, the span given."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[0].strip() and cols[1].strip():
                pairs.append((cols[0].strip(), cols[1].strip()))
    pairs = pairs[:limit]
    texts = [NEUTRAL_SENTENCE.format(t) for t, _ in pairs]
    top1 = top3 = 0
    for i in range(0, len(texts), 64):
        for (tortured, expected), text, enc in zip(pairs[i : i + 64], texts[i : i + 64], engine.encode(texts[i : i + 64])):
            start = text.index(tortured)
            tokens = [t for t, (s, _) in enumerate(enc.offsets) if start <= s < start + len(tortured)]
            suggestions = [s["text"].lower() for s in engine.suggest(tortured, enc.hidden[tokens].mean(0), 3)]
            top1 += suggestions[:1] == [expected.lower()]
            top3 += expected.lower() in suggestions
    n = len(pairs)
    return {"n": n, "top1": round(top1 / n, 4), "top3": round(top3 / n, 4)}


def operating_points(engine, scored: list[dict]) -> list[dict]:
    """Word precision/recall and clean false highlights at each threshold (all spinner profiles)."""
    return [
        {"threshold": m["threshold"], "word_precision": m["word"]["precision"], "word_recall": m["word"]["recall"],
         "false_highlights_per_1000_words": m["false_highlights_per_1000_words"]}
        for m in (metrics_at(engine, scored, t, restoration=False) for t in THRESHOLDS)
    ]


def restoration_designs(engine, scored: list[dict]) -> dict:
    """Top-1 / top-3 over gold spans for three restorers that all reuse the detection pass:
    the trained head over candidate-table wordings (+ vocabulary fallback) - what ships -,
    the table's own prior order (no model), and the vocabulary head alone (single words; the engine's
    fallback for spans the table does not know)."""
    import torch

    hits = {"head over candidates (shipped)": [], "table prior only": [], "vocabulary head only": []}
    model = engine.loaded.model
    for item in scored:
        for group, span in zip(item["gold"], item["record"]["spans"]):
            tokens = [t for w in group for t in item["tokens"][w]]
            if not tokens:
                continue
            hidden = item["enc"].hidden[tokens].mean(0)
            original = span["original"].lower()
            table = [c for c, _ in engine.loaded.candidates.candidates(span["text"])]
            with torch.inference_mode():
                [guesses] = engine.vocabulary_guesses([span["text"]], model.span_queries(hidden[None]), 3)
            vocab = [word for word, _ in guesses]
            for name, ranked in (
                ("head over candidates (shipped)", [s["text"].lower() for s in engine.suggest(span["text"], hidden, 3)]),
                ("table prior only", table[:3]),
                ("vocabulary head only", vocab),
            ):
                hits[name].append((ranked[:1] == [original], original in ranked))
    return {
        name: {"n": len(h), "top1": round(sum(a for a, _ in h) / len(h), 4) if h else None,
               "top3": round(sum(b for _, b in h) / len(h), 4) if h else None}
        for name, h in hits.items()
    }


def real_paragraph(engine, threshold: float) -> dict:
    """Which of the real spinner's substitutions are detected, and restored within the top 3."""
    [result] = engine.analyze([REAL_PARAGRAPH], threshold=threshold)
    found = {}
    for spun, originals in REAL_PAIRS.items():
        start = REAL_PARAGRAPH.index(spun)
        overlapping = [s for s in result["spans"] if s["start"] < start + len(spun) and start < s["end"]]
        suggestions = [x["text"].lower() for s in overlapping for x in s["suggestions"][:3]]
        found[spun] = {"detected": bool(overlapping), "restored_top3": any(o in suggestions for o in originals)}
    return {
        "spans": [{"text": s["text"], "score": s["score"], "suggestions": [x["text"] for x in s["suggestions"]]}
                  for s in result["spans"]],
        "expected": found,
        "detected": sum(v["detected"] for v in found.values()),
        "restored_top3": sum(v["restored_top3"] for v in found.values()),
        "of": len(found),
    }


def format_table(results: dict) -> str:
    """A fixed-width table of the per-profile metrics."""
    header = f"{'profile':28} {'wordP':>6} {'wordR':>6} {'wordF1':>6} {'spanF1':>6} {'rest@1':>6} {'rest@3':>6} {'det@1':>6} {'FH/1k':>6} {'AUC':>6}"
    lines = [header, "-" * len(header)]
    for name, m in results.items():
        g, d = m["restoration_gold_spans"], m["restoration_detected_spans"]
        lines.append(
            f"{name:28} {m['word']['precision']:6.3f} {m['word']['recall']:6.3f} {m['word']['f1']:6.3f} "
            f"{m['span']['f1']:6.3f} {g['top1'] or 0:6.3f} {g['top3'] or 0:6.3f} {d['top1'] or 0:6.3f} "
            f"{m['false_highlights_per_1000_words'] or 0:6.2f} {m['paragraph_auc'] or 0:6.3f}"
        )
    return "\n".join(lines)


def main(args) -> int:
    from unspin.engine import Engine
    from unspin.scripts.model_card import update_metrics

    engine = Engine.load(args.model, cache_size=0)
    records = read_records(Path(args.data) / f"{args.split}.jsonl", args.limit)
    scored = score_records(engine, records)  # word scores do not depend on the threshold: one pass serves all
    if args.calibrate:
        calibrated = calibrate(engine, scored)
        update_metrics(Path(args.model), {args.split: calibrated}, threshold=calibrated["threshold"])
        engine.loaded.meta.threshold = calibrated["threshold"]
        print(f"calibrated on {args.split}: threshold {calibrated['threshold']}; {json.dumps(calibrated)}")
    threshold = args.threshold if args.threshold is not None else engine.loaded.meta.threshold
    print(f"{len(records):,} {args.split} records, threshold {threshold}")
    results = {"split": args.split, "threshold": threshold, "profiles": by_profile(engine, scored, threshold)}
    print(format_table(results["profiles"]))
    results["operating_points"] = operating_points(engine, scored)
    for point in results["operating_points"]:
        print("  at threshold {threshold}: word precision {word_precision}, recall {word_recall}, "
              "false highlights {false_highlights_per_1000_words} per 1,000 clean words".format(**point))
    results["restoration_designs"] = restoration_designs(engine, scored)
    print("restoration designs over gold spans:", json.dumps(results["restoration_designs"]))
    results["real_paragraph"] = real_paragraph(engine, threshold)
    print("real spun paragraph:", json.dumps(results["real_paragraph"]))
    if args.tortured:
        results["tortured_pairs"] = tortured_pairs(engine, Path(args.tortured))
        print(f"real tortured pairs: {json.dumps(results['tortured_pairs'])}")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    if args.update_card:
        update_metrics(Path(args.model), {args.split: results})
    return 0
