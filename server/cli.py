"""The `unspin` command: one subcommand per module, each exposing `add_arguments` and `main`
(the module's docstring is its `--help` text). A command that needs an extra which is not
installed says which one and how to install it (`extras_providing`), not a traceback."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import shlex
import sys
from pathlib import Path

DESCRIPTION = """\
Unspin finds wording in a news article that looks machine-spun (synonyms swapped in by an
"article spinner") and suggests the likely original. Everything runs on this computer.

Start the server for the browser extension with `unspin serve`; check a text from the
terminal with `unspin analyze FILE`. The other commands rebuild and measure the model.
`unspin COMMAND --help` tells more about each."""

# subcommand -> (module, one-line help for users). A module is imported only when its command
# runs, so `unspin serve` never pays for the training code and vice versa.
COMMANDS = {
    "serve": ("unspin.commands.serve", "start the local server the browser extension talks to"),
    "analyze": ("unspin.commands.analyze", "mark spun wording in a text file (or stdin) and suggest originals"),
    "scan": ("unspin.scan.command", "scan a crawl (WARC), JSONL or folders of pages: Parquet results and a report"),
    "token": ("unspin.api.secret", "print the secret programs send to the server (Authorization: Bearer)"),
    "browser-host": ("unspin.commands.browser_host", "let the browser extension start the server (install, uninstall, status)"),
    "service": ("unspin.commands.service", "start the server at login (systemd user unit, launchd agent): install, uninstall"),
    "feedback": ("unspin.feedback", "export, count or delete the corrections readers made (kept locally)"),
    "crawl": ("unspin.scripts.data.crawl", "make a test crawl for scan: stories spun several times among other pages"),
    "grouping": ("unspin.scripts.evaluation.grouping", "measure how scan grouped a test crawl's copies"),
    "dataset": ("unspin.scripts.data.dataset", "make training data: spin clean news articles"),
    "train": ("unspin.scripts.training.train", "train a model on that data (resumable)"),
    "evaluate": ("unspin.scripts.evaluation.evaluate", "measure a model on articles it never saw"),
    "bench": ("unspin.scripts.evaluation.bench", "measure speed, memory and start-up time"),
    "load": ("unspin.scripts.evaluation.load", "load a running server with concurrent clients"),
}


# The extras (pyproject.toml's optional-dependencies) each command needs: extra -> None when it
# always does, else the option (its argparse dest) that needs it. The README's table of commands
# says the same (tests/test_cli_extras.py checks it).
EXTRAS: dict[str, dict[str, str | None]] = {
    "serve": {"scan": "scan"},
    "scan": {"scan": None, "ray": "ray"},
    "crawl": {"scan": None, "train": None, "glove": "glove"},
    "grouping": {"scan": None},
    "dataset": {"train": None, "glove": "glove"},
    "train": {"train": None},
    "evaluate": {"train": None},
    "bench": {"train": None},
}


def parser() -> argparse.ArgumentParser:
    """The parser of `unspin` itself: one subcommand per entry of COMMANDS, without its options
    (those are its own parser's, `command_parser`, built once the command is known)."""
    top = argparse.ArgumentParser(prog="unspin", description=DESCRIPTION,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return top


def command_parser(command: str, module) -> argparse.ArgumentParser:
    """The parser of `unspin COMMAND`, whose module is `module`: its docstring is the --help text,
    its add_arguments the options. (docs/command-line.md pastes what both parsers print.)"""
    own = argparse.ArgumentParser(
        prog=f"unspin {command}", description=module.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    module.add_arguments(own)
    return own


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = parser().parse_args(argv[:1]).command
    needs = EXTRAS.get(command, {})
    try:
        module = importlib.import_module(COMMANDS[command][0])
        args = command_parser(command, module).parse_args(argv[1:])
        # Checked before the command starts, so that a long run (train) does not end in a missing import.
        missing = missing_extras([extra for extra, option in needs.items() if option is None or getattr(args, option)])
        if missing:
            absent = " and ".join(dict.fromkeys(missing.values()))
            print(f"error: `unspin {command}` needs Unspin's {_words(list(missing))} "
                  f"extra{'s' if len(missing) > 1 else ''} ({absent} not installed): {install_line(list(missing))}",
                  file=sys.stderr)
            return 2
        return module.main(args) or 0
    except ModuleNotFoundError as exc:  # a module the check above did not know of
        order = list(needs)
        extras = sorted(extras_providing(exc.name or ""), key=lambda extra: order.index(extra) if extra in order else len(order))
        if not extras:
            raise
        print(f"error: `unspin {command}` needs {exc.name}, which comes with Unspin's {extras[0]} extra: "
              f"{install_line(extras[:1])}", file=sys.stderr)
        return 2


def _words(names: list[str]) -> str:
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]


def install_line(extras: list[str]) -> str:
    """How to install `extras`: pip, and in a checkout (this file in server/ beside the Makefile and
    the extras' locks) the make targets that install their locks with hashes."""
    line = f"pip install 'unspin[{','.join(extras)}]'"
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "Makefile").is_file() and all((checkout / "requirements" / f"{extra}.lock").is_file()
                                                 for extra in extras):
        targets = " ".join(f"install-{extra}" for extra in extras)
        line += f" (in this checkout: make -C {shlex.quote(str(checkout))} {targets})"
    return line


# Modules whose distribution has another name.
DISTRIBUTIONS = {"sklearn": "scikit-learn"}


def _extra_requirements():
    """(extra, Requirement) for every requirement of an extra of the installed Unspin (its
    metadata: pyproject.toml's optional-dependencies), in their order there; [] when Unspin's
    metadata cannot be read."""
    from packaging.requirements import Requirement

    try:
        metadata = importlib.metadata.metadata("unspin")
    except importlib.metadata.PackageNotFoundError:
        return []
    requirements = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
    return [(extra, r) for extra in metadata.get_all("Provides-Extra") or [] for r in requirements
            if r.marker is not None and r.marker.evaluate({"extra": extra})]


def extras_providing(module: str) -> list[str]:
    """The extras of the installed Unspin that install the distribution of `module` (its top-level
    name), in their order in pyproject.toml; [] when none does (or Unspin's metadata cannot be read)."""
    from packaging.utils import canonicalize_name

    top = module.split(".")[0]
    wanted = canonicalize_name(DISTRIBUTIONS.get(top, top))
    return list(dict.fromkeys(extra for extra, r in _extra_requirements() if canonicalize_name(r.name) == wanted))


def installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def missing_extras(extras: list[str]) -> dict[str, str]:
    """extra -> the first of its distributions that is not installed, for each of `extras` that is
    not wholly installed ({} when Unspin's metadata cannot be read)."""
    missing: dict[str, str] = {}
    for extra, requirement in _extra_requirements():
        if extra in extras and extra not in missing and not installed(requirement.name):
            missing[extra] = requirement.name
    return {extra: missing[extra] for extra in extras if extra in missing}


if __name__ == "__main__":
    sys.exit(main())
