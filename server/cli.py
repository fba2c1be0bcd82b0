"""The `unspin` command: one subcommand per module, each exposing `add_arguments` and `main`."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, one-line help). A module is imported only when its command runs,
# so `unspin serve` never pays for the training code and vice versa.
COMMANDS = {
    "serve": ("unspin.serve", "serve the HTTP API with waitress"),
    "analyze": ("unspin.analyze", "analyse a text file or stdin from the terminal"),
    "dataset": ("unspin.scripts.data.dataset", "build spun/clean training data from a news corpus"),
    "train": ("unspin.scripts.training.train", "train the detector on spun data and write a model folder (resumable)"),
    "evaluate": ("unspin.scripts.evaluation.evaluate", "measure a model on unseen articles and the real inputs"),
    "bench": ("unspin.scripts.evaluation.bench", "measure analysis speed, memory and cold start"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="unspin", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    command = parser.parse_args(argv[:1]).command
    module = importlib.import_module(COMMANDS[command][0])
    command_parser = argparse.ArgumentParser(
        prog=f"unspin {command}", description=module.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    module.add_arguments(command_parser)
    return module.main(command_parser.parse_args(argv[1:])) or 0


if __name__ == "__main__":
    sys.exit(main())
