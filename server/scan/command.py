"""Scan a collection of news articles for machine-spun wording: a crawl (WARC), an export (JSONL
with a `text` field) or folders of .html / .txt pages.

    unspin scan crawl.warc.gz more.jsonl pages/ --out scan-1
    unspin scan crawl.warc.gz --out scan-1 --ray [--ray-address ADDRESS] [--workers 4]

Writes, in the --out folder:
  articles.parquet  one row per article: id, url, title, date, words, verdict, score, spans
                    (code-point offsets with the top suggestions), restored text, group,
                    likely_source (the id of the unspun article a spun copy was made from, when
                    the collection holds it) and source_overlap, model_version, error (why a
                    document could not be analysed: no article in the page, not UTF-8, too long)
  report.html       a report to open in a browser: scores, spun share per site, the most frequent
                    substitutions, the groups of copies and the worst articles with their marks
  parts/, scan.json the work so far: a scan that is stopped (Ctrl-C, a crash, kill -9) and
                    started again with the same command skips what is done and loses nothing

HTML pages are reduced to their article text by trafilatura. The model is loaded once (once per
worker with --ray). See docs/scan.md for running it on a Ray cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


class ModelUnavailable(Exception):
    """The model could not be loaded (the message says where from and why)."""


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..config import DEFAULTS

    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="JSONL (.jsonl, .jsonl.gz), WARC (.warc, .warc.gz), .html/.txt files or folders of them")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (a scan there is resumed)")
    parser.add_argument("--model", default=None,
                        help="model folder (default: $UNSPIN_MODEL, else the shipped models/unspin-lm)")
    parser.add_argument("--max-tokens", type=_positive, default=DEFAULTS["MAX_TOKENS"],
                        help="longer articles, in language-model tokens, are recorded as errors "
                             f"(default {DEFAULTS['MAX_TOKENS']}, the server's limit)")
    parser.add_argument("--threads", type=_positive, default=None,
                        help="inference threads (default: torch's choice; with --ray: 1 per worker)")
    parser.add_argument("--precision", choices=("fp32", "bf16", "autocast", "int8"), default=None,
                        help="the LM's numeric path (default: chosen by measurement at start, as the server does)")
    parser.add_argument("--no-report", action="store_true", help="write articles.parquet only")
    ray = parser.add_argument_group("Ray (needs the scan and ray extras: pip install 'unspin[scan,ray]')")
    ray.add_argument("--ray", action="store_true", help="run on Ray Data: a local Ray instance, or --ray-address's")
    ray.add_argument("--ray-address", metavar="ADDR", default=None,
                     help="a running Ray cluster (e.g. ray://head:10001 or auto); implies --ray")
    ray.add_argument("--workers", type=_positive, default=2, help="Ray actors, one model each (default 2)")
    ray.add_argument("--batch-size", type=_positive, default=4, help="documents per actor call (default 4)")


def main(args: argparse.Namespace) -> int:
    """The scan; its folders are made 0700 and its files 0600 whatever the umask (they hold
    whole article texts): a folder given with --out that exists keeps its own mode."""
    mask = os.umask(0o077)
    try:
        return _scan(args)
    finally:
        os.umask(mask)


def _scan(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..config import default_model_path
    from ..engine.model import read_meta
    from .inputs import KEYS, InputError, check_inputs, read_documents
    from .store import Parts, ScanMismatch, claim, finish

    model_dir = Path(args.model or default_model_path())
    try:
        inputs = check_inputs(args.inputs)
        version = read_meta(model_dir).version
        out = Path(args.out)
        claim(out, {"inputs": [str(p) for p in inputs], "model": str(model_dir.resolve()), "model_version": version,
                    "max_tokens": args.max_tokens, "precision": args.precision, "document_keys": KEYS,
                    "started": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        parts = Parts(out)
        done = parts.done()
    except (InputError, ScanMismatch, OSError, ValueError) as exc:  # OSError: --out cannot be written
        print(f"error: {exc}", file=sys.stderr)
        return 2
    skip = out.resolve()
    progress = None
    try:
        total = sum(1 for _ in read_documents(inputs, skip))
        pending = (d for d in read_documents(inputs, skip) if d.key not in done)
        print(f"{total} documents in {len(inputs)} input(s); {len(done)} already scanned in {out}", file=sys.stderr)
        if not total:
            print("note: the inputs hold no document", file=sys.stderr)
        started = time.monotonic()
        progress = tqdm(total=total, initial=len(done), unit="article", desc="scan", smoothing=0.1, file=sys.stderr)
        if args.ray or args.ray_address:
            from .cluster import scan_on_ray

            scan_on_ray(pending, parts, progress, model_dir=str(model_dir), max_tokens=args.max_tokens,
                        workers=args.workers, threads=args.threads or 1, batch_size=args.batch_size,
                        precision=args.precision, address=args.ray_address)
        else:
            from .rows import RowMaker

            maker = None
            for document in pending:
                if maker is None:
                    try:
                        maker = RowMaker(model_dir, args.max_tokens, threads=args.threads, precision=args.precision)
                    except (FileNotFoundError, ValueError) as exc:  # no model there, no LM package, ...
                        raise ModelUnavailable(f"cannot load the model from {model_dir}: {exc}") from exc
                parts.add([maker(document)])
                progress.update(1)
        parts.flush()
        progress.close()
        wall = time.monotonic() - started
        articles = finish(out)
        summary = figures(parts.totals(), total - len(done), wall, version)
        (out / "summary.json").write_text(json.dumps(summary, indent=2))
        if not args.no_report:
            from .report import write_report

            write_report(articles, out / "report.html", summary)
    except KeyboardInterrupt:
        parts.flush()
        print("\nstopped: what was scanned is kept; run the same command to go on", file=sys.stderr)
        return 130
    except ModelUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if progress is not None:
            progress.close()
    print(json.dumps(summary, indent=2))
    print(f"results: {articles}" + ("" if args.no_report else f"\nreport:  {out / 'report.html'}"), file=sys.stderr)
    return 0


def figures(totals: dict, scanned_now: int, wall_s: float, version: str) -> dict:
    """The scan's figures: rows, errors, and speed. articles_per_minute_per_engine: analysed
    articles per minute of one engine's analysis time (all runs of this scan); lm_share: the
    share of that time spent in the language model (rows.LMClock); this_run: documents and
    wall-clock articles per minute of the last run (with --ray: all workers together)."""
    analysed = totals["rows"] - totals["errors"]
    return {
        "model_version": version,
        "articles": totals["rows"],
        "analysed": analysed,
        "errors": totals["errors"],
        "articles_per_minute_per_engine": round(60_000 * analysed / totals["analysis_ms"], 2) if totals["analysis_ms"] else None,
        "lm_share": round(totals["lm_ms"] / totals["analysis_ms"], 3) if totals["analysis_ms"] else None,
        "this_run": {"documents": scanned_now, "wall_s": round(wall_s, 1),
                     "articles_per_minute": round(60 * scanned_now / wall_s, 2) if wall_s > 0 else None},
    }
