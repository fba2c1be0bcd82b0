"""Measure analysis speed, memory and cold start, against a raw fp32 pass of the same LM.

    unspin bench --model models/unspin-lm [--text FILE] [--runs 5] [--precision PATH]
                 [--long-words 5000] [--soak 300] [--update-card]
    unspin bench --model models/unspin-lm --write-spun spun.jsonl --runs 30

In one run, each engine measurement in a fresh server-like child process (caches off):
- cold start: wall time from process start to a loaded engine (after the one-time conversion),
  and the numeric path the engine chose (precision.py) and why;
- the article (`--text`, default a 1,000-word news article with a few spun paragraphs) and the
  same article spun by the data factory's spinner (profile moby-common: every paragraph, a fifth
  of its content words; needs the [train] extra's Moby thesaurus), each analysed end to end
  `runs` times, each run with its sentences in another order (and newly spun), so no run sees a
  text it saw before: median ms and marks; and, as a reader meets them, the marks alone
  (`suggestions: false`) and the suggestions of one mark asked on its own with the article
  scored (a warm server);
- peak resident memory (the process's maximum RSS, start included) while analysing a spun
  article of `--long-words` words;
- with `--soak N`: RSS after 10 and after N analyses of different spun articles (growth, %);
- with `--token-limit`: a request of just under the server's token limit (config MAX_TOKENS) in
  each of LIMIT_SCRIPTS, analysed with the server's deadline: seconds, answered or abandoned,
  peak RSS;
- the yardstick: a raw fp32 forward pass of the same LM (body, and the LM head at every
  position) over the same text in the engine's own windows, timed in the same process just
  before each analysis (so that both see the machine in the same state: on shared machines the
  speed of one process drifts by 20 % or more over minutes). Reported: the medians of each, and
  the median of the per-text ratios.
Targets (the project's speed issue): the marks of the spun article <= 1.0x the yardstick on a
CPU whose fast path is fp32 (<= 0.5x where a faster path is accepted), its full answer <= 2.0x, one
mark's suggestions <= 0.1x; peak RSS <= 900 MB, flat over a soak, cold start <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

DEFAULT_TEXT = Path(__file__).resolve().parent / "articles" / "news_1000_words.txt"
SPIN_PROFILE = "moby-common"
SPIN_RATE = 0.2
# Scripts of a request at the token limit: English news wording (about 5 characters a token), CJK
# (about 1) and CJK Extension B of plane 2 (several tokens a character: the costliest text).
LIMIT_SCRIPTS = {
    "english": "The officers said the final month was calm in the nationwide safety sector. ",
    "cjk": "俄罗斯要求中国为其在乌克兰的战争提供军事装备和援助，美国官员说。",
    "plane 2": "𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇𠀈𠀉。",
}


def add_arguments(parser) -> None:
    parser.add_argument("--model", required=True, help="model folder")
    parser.add_argument("--text", default=str(DEFAULT_TEXT), help="article text, paragraphs separated by blank lines")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each kind (median reported)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--precision", help="force the engine's numeric path (fp32, bf16, autocast, int8); "
                                            "default: chosen by measurement, as the server does")
    parser.add_argument("--long-words", type=int, default=5000, help="words of the long spun article (peak memory)")
    parser.add_argument("--soak", type=int, default=0, help="also analyse this many different articles (RSS growth)")
    parser.add_argument("--token-limit", action="store_true",
                        help="also analyse a request at the server's token limit in each script (time, peak RSS)")
    parser.add_argument("--update-card", action="store_true", help="store the figures in the model folder and card")
    parser.add_argument("--write-spun", metavar="FILE", help="only write --runs spun versions of the article as JSONL "
                                                             "(the input of `unspin scan`'s speed measurement) and stop")
    parser.add_argument("--child", choices=("speed", "long", "soak", "limit"), help=argparse.SUPPRESS)  # engine side
    parser.add_argument("--documents", help=argparse.SUPPRESS)  # the child's texts (JSON), made by the parent


def shuffled(paragraphs: list[str], seed: int) -> list[str]:
    """The article with its sentences and paragraphs in a seeded new order: same words, new text."""
    from unspin.engine.score import sentences

    rng = random.Random(seed)
    out = []
    for p in paragraphs:
        parts = [p[a:b] for a, b in sentences(p)]
        rng.shuffle(parts)
        out.append(" ".join(parts))
    rng.shuffle(out)
    return out


@lru_cache(maxsize=1)
def spinner():
    """spin(paragraphs, seed) -> the paragraphs spun by the data factory (profile SPIN_PROFILE)."""
    from unspin.scripts.data import thesauri
    from unspin.scripts.data.spinner import PROFILES, Spinner, build_table, proper_nouns

    profile = next(p for p in PROFILES if p.name == SPIN_PROFILE)
    spin = Spinner(profile, build_table(profile, {"moby": thesauri.load_moby()}))

    def spun(paragraphs: list[str], seed: int) -> list[str]:
        rng, proper = random.Random(seed), proper_nouns(paragraphs)
        return [spin.spin(p, rng, SPIN_RATE, proper)[0] for p in paragraphs]

    return spun


def documents(text: str, kind: str, count: int, first_seed: int = 0) -> list[list[str]]:
    """`count` different versions of the article: "article" reordered, "spun" reordered and spun."""
    from unspin.text import split_paragraphs

    paragraphs = split_paragraphs(text)
    spin = spinner() if kind == "spun" else None
    docs = []
    for seed in range(first_seed, first_seed + count):
        doc = shuffled(paragraphs, seed)
        docs.append(spin(doc, seed) if spin else doc)
    return docs


def long_document(text: str, words: int, seed: int) -> list[str]:
    """A spun article of at least `words` words: the article's versions one after another."""
    from unspin.text import words as split_words

    out, n, k = [], 0, 0
    while n < words:
        doc = documents(text, "spun", 1, seed + k)[0]
        out += doc
        n += sum(len(split_words(p)) for p in doc)
        k += 1
    return out


def at_token_limit(unit: str) -> list[str]:
    """Paragraphs of `unit` repeated, as many as stay within the server's token limit (each
    paragraph is counted on its own, so their tokens add up)."""
    from unspin.config import DEFAULTS
    from unspin.lm.load import count_tokens, load_tokenizer

    paragraph = unit * 20
    return [paragraph] * (DEFAULTS["MAX_TOKENS"] // count_tokens(load_tokenizer(), [paragraph]))


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process, MB: Linux's VmRSS and VmHWM (the peak of
    this program: getrusage's maxrss also counts the parent's memory at fork)."""
    status = {line.split(":")[0]: line.split()[1] for line in open("/proc/self/status") if line.startswith("Vm")}
    return round(int(status["VmRSS"]) / 1024, 1), round(int(status["VmHWM"]) / 1024, 1)


def child(args) -> int:
    """The engine side, in its own process (the texts come made: the spinner's thesaurus would
    count in its memory): prints one JSON line."""
    from unspin.engine.engine import Engine

    started = time.perf_counter()
    engine = Engine.load(args.model, threads=args.threads, cache_size=0, precision=args.precision)
    out = {"cold_start_s": round(time.perf_counter() - started, 2), "precision": engine.precision}
    given = json.loads(Path(args.documents).read_text(encoding="utf-8"))
    if args.child == "speed":
        from unspin.lm.load import load_lm

        fp32 = load_lm(precision="fp32", threads=args.threads)
        for kind, docs in given.items():
            engine.answer(docs[0])  # warm-up, of both
            forward_ms(fp32, docs[0])
            times, yard, marks, detect, one = [], [], [], [], []
            for doc in docs[1:]:
                yard.append(forward_ms(fp32, doc))
                t = time.perf_counter()
                answer = engine.answer(doc)
                times.append(1000 * (time.perf_counter() - t))
                marks.append(answer["summary"]["spans"])
                t = time.perf_counter()
                first = engine.answer(doc, suggest=False)
                detect.append(1000 * (time.perf_counter() - t))
                one.append(one_mark_ms(engine, doc, first))
            out[kind] = {"median_ms": round(statistics.median(times), 1), "runs_ms": [round(t) for t in times],
                         "fp32_forward_median_ms": round(statistics.median(yard), 1),
                         "fp32_forward_runs_ms": [round(t) for t in yard],
                         "ratio_median": ratio(times, yard),
                         "marks_only_median_ms": round(statistics.median(detect), 1),
                         "marks_only_ratio_median": ratio(detect, yard),
                         "one_mark_median_ms": round(statistics.median([x for x in one if x is not None] or [0]), 1),
                         "one_mark_ratio_median": ratio([x or 0.0 for x in one], yard),
                         "marks": marks, "tokens": engine.count_tokens(docs[1])}
    elif args.child == "long":
        t = time.perf_counter()
        answer = engine.answer(given)
        out["long"] = {"words": answer["summary"]["words"], "tokens": engine.count_tokens(given),
                       "ms": round(1000 * (time.perf_counter() - t)), "marks": answer["summary"]["spans"]}
    elif args.child == "limit":
        from unspin.engine.engine import Abandoned
        from unspin.config import DEFAULTS

        t = time.perf_counter()
        try:
            answer = engine.answer(given, deadline=time.monotonic() + DEFAULTS["ANALYSIS_DEADLINE_S"])
            outcome = f"answered ({answer['summary']['spans']} marks)"
        except Abandoned as exc:
            outcome = f"abandoned: {exc.reason}"
        out["limit"] = {"tokens": engine.count_tokens(given), "chars": sum(map(len, given)),
                        "s": round(time.perf_counter() - t, 1), "outcome": outcome}
    else:
        for n, doc in enumerate(given, 1):
            engine.answer(doc)
            if n == 10:
                out["rss_after_10_mb"] = rss_mb()[0]
        out["rss_after_all_mb"] = rss_mb()[0]
        out["analyses"] = len(given)
    out["rss_mb"], out["peak_rss_mb"] = rss_mb()
    print(json.dumps(out))
    return 0


def ratio(ms: list[float], yard: list[float]) -> float:
    """The median of the per-text ratios of `ms` to the yardstick's."""
    return round(statistics.median(a / b for a, b in zip(ms, yard)), 3)


def one_mark_ms(engine, doc: list[str], answer: dict) -> float | None:
    """ms to restore one mark of a marks-only `answer` (the middle one) on its own, the article
    scored as a warm server holds it (Engine.suggest without the cache lookup); None: no mark."""
    spans = [(p["index"], s["start"], s["end"]) for p in answer["paragraphs"] for s in p["spans"]]
    if not spans:
        return None
    scored = engine.score(doc, decision=engine.loaded.decision, restoring=False)
    decided = engine.decide(scored)
    t = time.perf_counter()
    p, start, end = spans[len(spans) // 2]
    engine.restore_within(scored, decided, [(p, *scored.seen[p].seen(start, end))], 3)
    return 1000 * (time.perf_counter() - t)


def forward_ms(lm, doc: list[str]) -> float:
    """ms of a raw forward of `lm` (body + full LM head at every position) over one document, in
    the engine's windows and batches."""
    import torch

    from unspin.engine.score import build_windows, lm_passes

    windows = build_windows(lm, doc)
    t = time.perf_counter()
    with torch.inference_mode():
        for batch in lm_passes(lm, windows):
            for r, w in enumerate(batch.windows):
                lm.log_probs(batch.hidden[r, : len(windows[w].ids)])
    return 1000 * (time.perf_counter() - t)


def run_child(args, kind: str, documents) -> dict:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
        json.dump(documents, f)
        f.flush()
        cmd = [sys.executable, "-m", "unspin.cli", "bench", "--child", kind, "--model", args.model,
               "--documents", f.name]
        cmd += ["--threads", str(args.threads)] if args.threads else []
        cmd += ["--precision", args.precision] if args.precision else []
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(args) -> int:
    if args.child:
        return child(args)
    from unspin.scripts.evaluation.model_card import update_metrics
    from unspin.text import words

    text = Path(args.text).read_text(encoding="utf-8")
    if args.write_spun:
        with open(args.write_spun, "w", encoding="utf-8") as handle:
            for k, doc in enumerate(documents(text, "spun", args.runs)):
                handle.write(json.dumps({"id": f"spun-{k}", "text": "\n\n".join(doc)}, ensure_ascii=False) + "\n")
        return 0
    docs = {kind: documents(text, kind, args.runs + 1) for kind in ("article", "spun")}
    speed = run_child(args, "speed", docs)
    print(f"speed: {json.dumps(speed)}", flush=True)
    long = run_child(args, "long", long_document(text, args.long_words, 1000))
    print(f"long article: {json.dumps(long)}", flush=True)
    figures = {
        "words": len(words(text)),
        "precision": speed["precision"]["path"],
        "precision_why": speed["precision"]["why"],
        "cold_start_s": speed["cold_start_s"],
    }
    for kind in ("article", "spun"):
        figures[kind] = {
            "tokens": speed[kind]["tokens"],
            "marks_median": statistics.median(speed[kind]["marks"]),
            "analysis_median_ms": speed[kind]["median_ms"],
            "fp32_forward_median_ms": speed[kind]["fp32_forward_median_ms"],
            "ratio_to_fp32_forward": speed[kind]["ratio_median"],
            "marks_only_median_ms": speed[kind]["marks_only_median_ms"],
            "marks_only_ratio_to_fp32_forward": speed[kind]["marks_only_ratio_median"],
            "one_mark_suggestions_median_ms": speed[kind]["one_mark_median_ms"],
            "one_mark_suggestions_ratio_to_fp32_forward": speed[kind]["one_mark_ratio_median"],
        }
    figures["long"] = {**long["long"], "peak_rss_mb": long["peak_rss_mb"]}
    if args.soak:
        soak = run_child(args, "soak", documents(text, "spun", args.soak, 2000))
        figures["soak"] = {"analyses": soak["analyses"], "rss_after_10_mb": soak["rss_after_10_mb"],
                           "rss_after_all_mb": soak["rss_after_all_mb"], "peak_rss_mb": soak["peak_rss_mb"],
                           "growth_pct": round(100 * (soak["rss_after_all_mb"] / soak["rss_after_10_mb"] - 1), 1)}
    if args.token_limit:
        figures["token_limit"] = {script: {**(done := run_child(args, "limit", at_token_limit(unit)))["limit"],
                                           "peak_rss_mb": done["peak_rss_mb"]}
                                  for script, unit in LIMIT_SCRIPTS.items()}
    figures["runs"] = args.runs
    print(json.dumps(figures, indent=2))
    if args.update_card:
        update_metrics(Path(args.model), {"bench": figures})
    return 0
