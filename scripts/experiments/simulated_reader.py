"""A simulated reader's corrections, to measure what retraining on feedback does.

    python -m unspin.scripts.experiments.simulated_reader --data data/spun --model models/unspin-lm \
        --articles 60 --out runs/reader
    unspin train --data data/spun --out runs/reader/model --feedback runs/reader
    unspin evaluate --data data/spun --model runs/reader/model --baseline models/unspin-lm \
        --feedback runs/reader --articles 100

The reader reads dev-split articles that the training's decision step does not use (those after
the first `--skip` of the same seeded order), with the model's marks at its default settings,
and corrects every mark as a reader who knows the source would: a mark on untouched words gets
"Not spun"; a mark that is exactly one substitution gets "Spun — restore as" its original; a
mark that overlaps a substitution otherwise gets "Spun" without an original. Substitutions the
model did not mark cannot be corrected from a card, so they give nothing. The corrections go
into OUT/feedback.sqlite3 through the store the server uses (unspin.feedback).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from tqdm import tqdm


def add_arguments(parser) -> None:
    parser.add_argument("--data", required=True, help="dataset folder (unspin dataset)")
    parser.add_argument("--model", required=True, help="the model the reader reads with")
    parser.add_argument("--articles", type=int, default=60, help="dev articles the reader reads")
    parser.add_argument("--skip", type=int, default=150,
                        help="dev articles left to the training's decision step (its --dev-articles)")
    parser.add_argument("--out", required=True, help="data folder for the corrections")


def corrections(record: dict, spans: list[dict]) -> list[tuple[int, int, str, str | None]]:
    """(start, end, label, original) for each mark of one paragraph, against its gold spans."""
    out = []
    for mark in spans:
        hits = [g for g in record["spans"] if g["start"] < mark["end"] and mark["start"] < g["end"]]
        if not hits:
            out.append((mark["start"], mark["end"], "not_spun", None))
        elif len(hits) == 1 and (hits[0]["start"], hits[0]["end"]) == (mark["start"], mark["end"]):
            out.append((mark["start"], mark["end"], "spun", hits[0]["original"]))
        else:
            out.append((mark["start"], mark["end"], "spun", None))
    return out


def main(args) -> int:
    from unspin.engine.engine import Engine
    from unspin.feedback import FeedbackStore
    from unspin.scripts.data.split import choose, read_split

    articles = read_split(Path(args.data) / "dev.jsonl")
    chosen = choose(articles, args.skip + args.articles, 1, None)[args.skip:]
    engine = Engine.load(args.model, cache_size=0)
    store = FeedbackStore(args.out)
    if store.records():
        raise SystemExit(f"{store.path} already holds corrections; choose another --out")
    labels = Counter()
    for aid in tqdm(chosen, unit="article", desc="reading"):
        records = articles[aid]
        answer = engine.answer([r["text"] for r in records])
        for record, result in zip(records, answer["paragraphs"]):
            for start, end, label, original in corrections(record, result["spans"]):
                store.add(record["text"], start, end, label, original)
                labels[label, original is not None] += 1
    print(f"{len(chosen)} articles read; corrections: {labels['not_spun', False]} not spun, "
          f"{labels['spun', True]} spun with the original, {labels['spun', False]} spun without -> {store.path}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    raise SystemExit(main(parser.parse_args()))
