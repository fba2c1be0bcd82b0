"""Measure analysis speed and memory on a 1,000-word article.

    unspin bench --model models/unspin-minilm [--text FILE] [--runs 20] [--update-card]

Prints, from one process: the median time of a full `Engine.analyze` of the article (warm,
cache off) and, on the same text with the same windows, a raw fp32 forward pass of the base
encoder architecture alone (the yardstick: analysis should cost no more than it); their ratio;
the peak resident memory of the process while it held only the engine; the size of the model folder.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

DEFAULT_TEXT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "articles" / "spun_1000_words.txt"


def add_arguments(parser) -> None:
    parser.add_argument("--model", required=True, help="model folder")
    parser.add_argument("--text", default=str(DEFAULT_TEXT), help="article text, paragraphs separated by blank lines")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each kind (median reported)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--update-card", action="store_true", help="store the figures in the model folder and card")


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return round(statistics.median(times), 1)


def main(args) -> int:
    import resource

    import torch
    from transformers import AutoModel

    from unspin.engine import Engine, encode_paragraphs
    from unspin.model import encoder_options, load_model
    from unspin.scripts.model_card import update_metrics
    from unspin.text import split_paragraphs, words

    if args.threads:
        torch.set_num_threads(args.threads)
    paragraphs = split_paragraphs(Path(args.text).read_text(encoding="utf-8"))
    n_words = sum(len(words(p)) for p in paragraphs)

    engine = Engine.load(args.model, cache_size=0)
    analysis_ms = median_ms(lambda: engine.analyze(paragraphs), args.runs)
    # Peak so far = what a server process holding the engine needs (the yardstick is loaded after).
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    # The yardstick: the same encoder architecture in fp32, no heads, no quantisation.
    raw = load_model(args.model)
    config = raw.model.encoder.config
    raw.model.encoder = AutoModel.from_config(config, **encoder_options(config)).eval()
    encoder_ms = median_ms(lambda: encode_paragraphs(raw, paragraphs), args.runs)

    size = sum(f.stat().st_size for f in Path(args.model).iterdir() if f.is_file())
    figures = {
        "words": n_words,
        "paragraphs": len(paragraphs),
        "tokens": sum(len(e.offsets) for e in engine.encode(paragraphs)),
        "threads": torch.get_num_threads(),
        "runs": args.runs,
        "analysis_median_ms": analysis_ms,
        "raw_fp32_encoder_median_ms": encoder_ms,
        "ratio_analysis_to_encoder": round(analysis_ms / encoder_ms, 2),
        "peak_rss_mb": round(peak_rss / 2**20),
        "model_folder_mb": round(size / 2**20, 1),
    }
    print(json.dumps(figures, indent=2))
    if args.update_card:
        update_metrics(Path(args.model), {"bench": figures})
    return 0
