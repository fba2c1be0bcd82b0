"""Measure a SmolLM2 teacher signal against the trained model's word scores on the same words.

The question behind it: is a small causal LM's "a likely original is far likelier here than this
word" signal worth distilling into the fast model? For each word the teacher reads the left
context once (one forward pass per paragraph) and compares the log-probability of the word's
first token with that of the best candidate original from the model's candidate table (first
token too). The script prints word-level AUC (spun words vs words of clean paragraphs) for the
teacher, the model and a logistic mix of both fitted on one half of the paragraphs and measured
on the other, plus recall at the model's calibrated false-highlight rate.

    python -m unspin.scripts.teacher_signal --data data/spun-v4 --model models/unspin-minilm --limit 600
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

import torch

from unspin.scripts.evaluate import auc
from unspin.scripts.teacher import fit_mix, load_teacher, teacher_contrasts


def recall_at_fh(spun: list[float], clean: list[float], per_1000: float) -> float:
    """Recall of spun words at the cut-off that lets `per_1000` clean words per 1,000 through."""
    allowed = int(len(clean) * per_1000 / 1000)
    cut = sorted(clean, reverse=True)[allowed] if allowed < len(clean) else -math.inf
    return sum(s > cut for s in spun) / len(spun)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="dataset folder (dev.jsonl is used)")
    parser.add_argument("--model", required=True, help="trained Unspin model folder")
    parser.add_argument("--limit", type=int, default=600, help="dev paragraphs to score")
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args(argv)

    from tqdm import tqdm

    from unspin.engine import Engine

    engine = Engine.load(args.model, cache_size=0)
    with open(Path(args.data) / "dev.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    random.Random(0).shuffle(records)
    records = records[: args.limit]
    tokenizer, teacher = load_teacher()
    rows = []  # (paragraph index, label, model logit, teacher contrast); clean words of spun paragraphs left out
    encoded = engine.encode([r["text"] for r in records])
    for p, (record, enc) in enumerate(tqdm(list(zip(records, encoded)), desc="teacher", unit="paragraph")):
        paragraph_words, _, scores, _ = engine.score_words(record["text"], enc)
        contrasts = teacher_contrasts(tokenizer, teacher, record["text"], paragraph_words, engine.loaded.candidates)
        for word, score, contrast in zip(paragraph_words, scores, contrasts):
            contrast = -10.0 if contrast is None else contrast  # no candidate original: nothing likelier
            spun = any(s["start"] <= word.start < s["end"] for s in record["spans"])
            if spun or not record["spans"]:
                logit = math.log(max(score, 1e-6) / max(1 - score, 1e-6))
                rows.append((p, int(spun), logit, contrast))

    # A logistic mix fitted on even paragraphs, measured on odd ones.
    fit = [r for r in rows if r[0] % 2 == 0]
    test = [r for r in rows if r[0] % 2 == 1]
    weights = fit_mix(torch.tensor([[r[2], r[3]] for r in fit]), torch.tensor([float(r[1]) for r in fit]))
    mixed = (torch.tensor([[r[2], r[3], 1.0] for r in test]) @ weights).tolist()
    signals = {
        "model": [r[2] for r in test],
        "teacher": [r[3] for r in test],
        "model + teacher": mixed,
    }
    figures = {"paragraphs": len(records), "spun_words": sum(r[1] for r in test), "clean_words": sum(1 - r[1] for r in test)}
    print(f"{'signal':18} {'AUC':>6} {'R@0.5FH':>8} {'R@5FH':>7}   (held-out half: {figures['spun_words']} spun, {figures['clean_words']} clean words)")
    for name, values in signals.items():
        spun = [v for v, r in zip(values, test) if r[1]]
        clean = [v for v, r in zip(values, test) if not r[1]]
        figures[name] = {
            "auc": round(auc(clean, spun), 4),
            "recall_at_0.5_fh": round(recall_at_fh(spun, clean, 0.5), 4),
            "recall_at_5_fh": round(recall_at_fh(spun, clean, 5), 4),
        }
        f = figures[name]
        print(f"{name:18} {f['auc']:6.3f} {f['recall_at_0.5_fh']:8.3f} {f['recall_at_5_fh']:7.3f}")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
