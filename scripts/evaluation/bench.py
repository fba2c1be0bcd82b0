"""Measure analysis speed, memory and cold start on a 1,000-word article.

    unspin bench --model models/unspin-lm [--text FILE] [--runs 5] [--update-card]

In one run:
- a server-like child process loads the engine (its wall time from start to ready is the cold
  start, after the one-time LM conversion), then analyses the article end to end (all four
  stages, caches off) `runs` times, each time with its sentences in another order, so no run
  sees a text it saw before; it reports the median, and its peak resident memory;
- this process then runs the yardstick: a raw fp32 forward pass of the same LM (body and full
  LM head at every position) over the same text, in the engine's own windows, median of `runs`.
The target is analysis <= 0.5x the yardstick.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_TEXT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "articles" / "spun_1000_words.txt"


def add_arguments(parser) -> None:
    parser.add_argument("--model", required=True, help="model folder")
    parser.add_argument("--text", default=str(DEFAULT_TEXT), help="article text, paragraphs separated by blank lines")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each kind (median reported)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--update-card", action="store_true", help="store the figures in the model folder and card")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # the engine side (internal)


def variants(text: str, runs: int) -> list[list[str]]:
    """The article once per run with its sentences shuffled (seeded): same words, new text."""
    from unspin.score import sentences
    from unspin.text import split_paragraphs

    paragraphs = split_paragraphs(text)
    out = []
    for run in range(runs + 1):  # one more for the warm-up
        rng = random.Random(run)
        shuffled = []
        for p in paragraphs:
            parts = [p[a:b] for a, b in sentences(p)]
            rng.shuffle(parts)
            shuffled.append(" ".join(parts))
        rng.shuffle(shuffled)
        out.append(shuffled)
    return out


def child(args) -> int:
    """The engine side, in its own process: prints one JSON line."""
    import resource

    from unspin.engine import Engine

    started = time.perf_counter()
    engine = Engine.load(args.model, threads=args.threads, cache_size=0)
    cold = time.perf_counter() - started
    docs = variants(Path(args.text).read_text(encoding="utf-8"), args.runs)
    engine.analyze(docs[0])  # warm-up
    times, marks = [], []
    for doc in docs[1:]:
        t = time.perf_counter()
        answer = engine.analyze(doc)
        times.append(1000 * (time.perf_counter() - t))
        marks.append(answer["summary"]["spans"])
    print(json.dumps({
        "cold_start_s": round(cold, 2),
        "analysis_median_ms": round(statistics.median(times), 1),
        "analysis_runs_ms": [round(t) for t in times],
        "marks_per_run": marks,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))
    return 0


def yardstick_ms(text: str, runs: int, threads: int | None) -> tuple[float, int]:
    """Median ms of a raw fp32 forward (body + full LM head) over the text, and its token count."""
    import torch

    from unspin.lm import load_lm
    from unspin.score import build_windows, lm_pass

    lm = load_lm(quantize=False, threads=threads)
    docs = variants(text, runs)
    times, tokens = [], 0
    for n, doc in enumerate(docs):
        windows = build_windows(lm, doc)
        t = time.perf_counter()
        hidden, _ = lm_pass(lm, windows)
        with torch.inference_mode():
            for h in hidden:
                (h @ lm.head.T).log_softmax(-1)
        if n:
            times.append(1000 * (time.perf_counter() - t))
        tokens = sum(len(w.ids) for w in windows)
    return round(statistics.median(times), 1), tokens


def main(args) -> int:
    if args.child:
        return child(args)
    from unspin.scripts.evaluation.model_card import update_metrics
    from unspin.text import words

    text = Path(args.text).read_text(encoding="utf-8")
    cmd = [sys.executable, "-m", "unspin.cli", "bench", "--child", "--model", args.model, "--text", args.text,
           "--runs", str(args.runs)] + (["--threads", str(args.threads)] if args.threads else [])
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    engine = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"engine process done in {time.perf_counter() - started:.0f} s: {json.dumps(engine)}")
    yard, tokens = yardstick_ms(text, args.runs, args.threads)
    figures = {
        "words": len(words(text)),
        "tokens": tokens,
        **{k: engine[k] for k in ("cold_start_s", "analysis_median_ms", "peak_rss_mb")},
        "fp32_forward_median_ms": yard,
        "ratio_to_fp32_forward": round(engine["analysis_median_ms"] / yard, 3),
        "runs": args.runs,
    }
    print(json.dumps(figures, indent=2))
    if args.update_card:
        update_metrics(Path(args.model), {"bench": figures})
    return 0
