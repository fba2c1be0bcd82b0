"""The `unspin` command: one subcommand per module, each exposing `add_arguments` and `main`
(the module's docstring is its `--help` text). A command that needs an extra which is not
installed says which one and how to install it (`extras_providing`), not a traceback."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys

DESCRIPTION = """\
Unspin finds wording in a news article that looks machine-spun (synonyms swapped in by an
"article spinner") and suggests the likely original. Everything runs on this computer.

Start the server for the browser extension with `unspin serve`; check a text from the
terminal with `unspin analyze FILE`. The other commands rebuild and measure the model.
`unspin COMMAND --help` tells more about each."""

# subcommand -> (module, one-line help for users). A module is imported only when its command
# runs, so `unspin serve` never pays for the training code and vice versa.
COMMANDS = {
    "serve": ("unspin.serve", "start the local server the browser extension talks to"),
    "analyze": ("unspin.analyze", "mark spun wording in a text file (or stdin) and suggest originals"),
    "scan": ("unspin.scan.command", "scan a crawl (WARC), JSONL or folders of pages: Parquet results and a report"),
    "token": ("unspin.secret", "print the secret programs send to the server (Authorization: Bearer)"),
    "browser-host": ("unspin.browser_host", "let the browser extension start the server (install, uninstall, status)"),
    "service": ("unspin.service", "start the server at login (systemd user unit, launchd agent): install, uninstall"),
    "feedback": ("unspin.feedback", "export, count or delete the corrections readers made (kept locally)"),
    "crawl": ("unspin.scripts.data.crawl", "make a test crawl for scan: stories spun several times among other pages"),
    "grouping": ("unspin.scripts.evaluation.grouping", "measure how scan grouped a test crawl's copies"),
    "dataset": ("unspin.scripts.data.dataset", "make training data: spin clean news articles"),
    "train": ("unspin.scripts.training.train", "train a model on that data (resumable)"),
    "evaluate": ("unspin.scripts.evaluation.evaluate", "measure a model on articles it never saw"),
    "bench": ("unspin.scripts.evaluation.bench", "measure speed, memory and start-up time"),
    "load": ("unspin.scripts.evaluation.load", "load a running server with concurrent clients"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="unspin", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    command = parser.parse_args(argv[:1]).command
    try:
        module = importlib.import_module(COMMANDS[command][0])
        command_parser = argparse.ArgumentParser(
            prog=f"unspin {command}", description=module.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        module.add_arguments(command_parser)
        return module.main(command_parser.parse_args(argv[1:])) or 0
    except ModuleNotFoundError as exc:
        extras = sorted(extras_providing(exc.name or ""), key=lambda extra: extra != command)  # scan's own first
        if not extras:
            raise
        print(f"error: `unspin {command}` needs {exc.name}, which comes with Unspin's {extras[0]} extra: "
              f"pip install 'unspin[{extras[0]}]' (in a checkout: .venv/bin/pip install -e '.[{extras[0]}]')",
              file=sys.stderr)
        return 2


# Modules whose distribution has another name.
DISTRIBUTIONS = {"sklearn": "scikit-learn"}


def extras_providing(module: str) -> list[str]:
    """The extras of the installed Unspin (its metadata: pyproject.toml's optional-dependencies)
    that install the distribution of `module` (its top-level name), in their order there; []
    when none does (or Unspin's metadata cannot be read)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    top = module.split(".")[0]
    wanted = canonicalize_name(DISTRIBUTIONS.get(top, top))
    try:
        metadata = importlib.metadata.metadata("unspin")
    except importlib.metadata.PackageNotFoundError:
        return []
    requirements = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
    return [extra for extra in metadata.get_all("Provides-Extra") or []
            if any(canonicalize_name(r.name) == wanted and r.marker is not None and r.marker.evaluate({"extra": extra})
                   for r in requirements)]


if __name__ == "__main__":
    sys.exit(main())
