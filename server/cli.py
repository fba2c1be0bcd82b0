"""The `unspin` command: one subcommand per module, each exposing `add_arguments` and `main`."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, one-line help). Modules are imported only when their command runs.
COMMANDS = {
    "serve": ("unspin.serve", "serve the HTTP API with waitress"),
    "analyze": ("unspin.analyze", "analyse a text file or stdin from the terminal"),
    "dataset": ("unspin.scripts.dataset", "build spun/clean training data from a news corpus"),
    "train": ("unspin.scripts.train", "train (or resume training) the detection and restoration model"),
    "evaluate": ("unspin.scripts.evaluate", "measure a model on a dataset split"),
    "bench": ("unspin.scripts.bench", "measure analysis speed and memory"),
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
    parser = argparse.ArgumentParser(prog="unspin", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=help_text, description=module.__doc__))
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    return modules[args.command].main(args) or 0


if __name__ == "__main__":
    sys.exit(main())
