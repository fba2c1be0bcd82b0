"""Analyse a text file (or stdin) from the terminal: spun spans and their likely originals."""

from __future__ import annotations

import argparse
import json
import sys


def _threshold(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("must be from 0 to 1")
    return number


def _suggestions(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 10:
        raise argparse.ArgumentTypeError("must be from 1 to 10")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", metavar="FILE|-",
                        help="text to analyse, paragraphs separated by blank lines (default: stdin)")
    parser.add_argument("--json", action="store_true", help="print the API's JSON response (code-point offsets)")
    parser.add_argument("--threshold", type=_threshold, default=None, help="detection threshold 0..1 (default: the model's)")
    parser.add_argument("--max-suggestions", type=_suggestions, default=3, help="suggestions per span, 1..10 (default 3)")
    parser.add_argument("--model", default=None,
                        help="model folder (default: $UNSPIN_MODEL, else the shipped models/unspin-lm)")
    parser.add_argument("--threads", type=int, default=None, help="inference (torch) threads")


def mark_spans(paragraph: str, spans: list[dict]) -> str:
    """'… final month …' -> '… [final month → last month | past month] …' (code-point spans)."""
    out, pos = [], 0
    for span in spans:
        out.append(paragraph[pos:span["start"]])
        ideas = " | ".join(s["text"] for s in span["suggestions"]) or "?"
        out.append(f"[{paragraph[span['start']:span['end']]} → {ideas}]")
        pos = span["end"]
    out.append(paragraph[pos:])
    return "".join(out)


def render_text(response: dict, paragraphs: list[str]) -> str:
    lines = []
    for paragraph, result in zip(paragraphs, response["paragraphs"]):
        lines.append(mark_spans(paragraph, result["spans"]))
        lines.append(f"    (paragraph {result['index'] + 1}: score {result['score']:.2f}, "
                     f"{len(result['spans'])} spun span(s))")
        lines.append("")
    s = response["summary"]
    lines.append(f"{s['verdict']}: {s['spans']} spun span(s), {s['spun_words']} of {s['words']} words "
                 f"({s['spun_ratio']:.0%}) in {s['paragraphs']} paragraph(s); page score {s['score']:.2f}")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from .config import default_model_path
    from .engine import Engine
    from .report import analysis_response
    from .text import has_lone_surrogate, split_paragraphs
    from .validation import AnalyzeRequest

    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    if has_lone_surrogate(text):
        print("error: the text holds unpaired surrogates", file=sys.stderr)
        return 2
    model = args.model or default_model_path()
    try:
        engine = Engine.load(model, threads=args.threads)
    except (FileNotFoundError, ValueError) as exc:  # no model, no LM package, or a model of another version
        print(f"error: cannot load the model from {model}: {exc}", file=sys.stderr)
        return 2
    paragraphs = split_paragraphs(text)
    request = AnalyzeRequest(paragraphs, args.threshold, args.max_suggestions, "codepoint")
    response = analysis_response(engine, request)
    if args.json:
        print(json.dumps(response, ensure_ascii=False, indent=2))
    else:
        print(render_text(response, paragraphs))
    return 0
