"""Marks first, then the originals on demand, the screenful first: the same answer as one whole
analysis? Measured on test articles the model never saw.

    python -m unspin.scripts.experiments.two_phases --data data/spun --model models/unspin-lm [--articles 60]

For each test article (its paragraphs, at the model's threshold): the whole answer (`analyze`);
the marks alone (`suggestions: false`) with the middle paragraph read first, as the extension
sends a page opened part-way down; then the originals of those marks asked as the extension asks
them (ranges of CHUNK marks in reading order, `Engine.suggest`). Printed: the share of articles
whose marks (offsets, P(spun)) and summary are the whole answer's, and the share of marks whose
best suggestion, and whose suggestion list, is the whole answer's (restoration on demand passes
a mark's window again, in another batch: on a bf16 path its rounding differs), with the times.
Each engine has its own cache, as two servers would.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

CHUNK = 12  # marks per suggestions request, as the extension's background asks (suggestions.js)


def add_arguments(parser) -> None:
    parser.add_argument("--data", required=True, help="data set folder (its test.jsonl)")
    parser.add_argument("--model", required=True, help="model folder")
    parser.add_argument("--articles", type=int, default=60, help="test articles to compare")
    parser.add_argument("--precision", help="the engine's numeric path (default: chosen by measurement)")


def main(args) -> int:
    from unspin.engine.engine import Engine

    paragraphs: dict[str, list[str]] = {}
    with open(Path(args.data) / "test.jsonl", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            paragraphs.setdefault(record["article"], []).append(record["text"])
    whole_engine = Engine.load(args.model, precision=args.precision)
    phased = Engine.load(args.model, precision=args.precision)
    same_marks = same_summary = marks = best = lists = 0
    times = {"whole": 0.0, "marks": 0.0, "suggestions": 0.0}
    chosen = list(paragraphs.values())[: args.articles]
    for article in chosen:
        t = time.perf_counter()
        whole = whole_engine.answer(article)
        times["whole"] += time.perf_counter() - t
        t = time.perf_counter()
        first = phased.answer(article, suggest=False, first=(len(article) // 2,))
        times["marks"] += time.perf_counter() - t
        spans = lambda answer: [(r["index"], s["start"], s["end"], s["score"])  # noqa: E731
                                for r in answer["paragraphs"] for s in r["spans"]]
        same_marks += spans(first) == spans(whole)
        same_summary += first["summary"] == whole["summary"]
        restored = {(r["index"], s["start"], s["end"]): s["suggestions"] for r in first["paragraphs"] for s in r["spans"]}
        pending = [key for key, value in restored.items() if value is None]
        t = time.perf_counter()
        for k in range(0, len(pending), CHUNK):
            for p, span in phased.suggest(article, pending[k : k + CHUNK]):
                restored[(p, span["start"], span["end"])] = span["suggestions"]
        times["suggestions"] += time.perf_counter() - t
        for r in whole["paragraphs"]:
            for s in r["spans"]:
                got = restored.get((r["index"], s["start"], s["end"])) or []
                marks += 1
                best += [x["text"] for x in got[:1]] == [x["text"] for x in s["suggestions"][:1]]
                lists += [x["text"] for x in got] == [x["text"] for x in s["suggestions"]]
    n = len(chosen)
    print(json.dumps({
        "articles": n, "precision": phased.precision["path"], "marks": marks,
        "same_marks_share": round(same_marks / n, 4), "same_summary_share": round(same_summary / n, 4),
        "same_best_suggestion_share": round(best / max(marks, 1), 4),
        "same_suggestion_list_share": round(lists / max(marks, 1), 4),
        "seconds": {k: round(v, 1) for k, v in times.items()},
    }, indent=2))
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    raise SystemExit(main(parser.parse_args()))
