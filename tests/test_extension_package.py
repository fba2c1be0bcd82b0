"""The extension's own checks, run by the same test command: unit tests of its pure helpers
(node --test), `web-ext lint` of the Firefox package (errors fail; the two warnings are
Readability's own innerHTML use on its detached document clone), and the packages build.sh makes."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parent.parent / "extension"

@pytest.fixture(scope="module")
def built():
    subprocess.run(["sh", str(EXTENSION / "build.sh")], check=True, stdout=subprocess.DEVNULL)
    return EXTENSION / "dist"


def npm(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["npm", "run", "--silent", script], cwd=EXTENSION, capture_output=True, text=True)


def test_unit_tests_pass(built):
    result = npm("test:unit")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"# fail 0\b", result.stdout)


def test_firefox_package_lints_without_errors(built):
    result = npm("lint")
    summary = re.search(r"errors\s+(\d+)\s+notices\s+(\d+)\s+warnings\s+(\d+)", result.stdout)
    assert summary, result.stdout + result.stderr
    assert summary.group(1) == "0", result.stdout


def test_test_hooks_stay_out_of_the_shipped_build(built):
    """The hovercard's description (content/describe-overlay.js) is in the test build only."""
    subprocess.run(["sh", str(EXTENSION / "build.sh"), "--test"], check=True, stdout=subprocess.DEVNULL)
    for browser in ("chromium", "firefox"):
        assert "function describeOverlay" not in (built / browser / "content.js").read_text(encoding="utf-8")
        assert "function describeOverlay" in (built / "test" / browser / "content.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_build_packages_what_a_reader_installs(built, browser):
    """dist/packages holds each browser's zip of its shipped build: the browser host's permission
    optional (asked on the first-run page), the test hooks left out."""
    version = json.loads((EXTENSION / "src" / "manifest.json").read_text())["version"]
    with zipfile.ZipFile(built / "packages" / f"unspin-{browser}-{version}.zip") as package:
        names = {name for name in package.namelist() if not name.endswith("/")}
        assert names == {str(p.relative_to(built / browser)) for p in (built / browser).rglob("*") if p.is_file()}
        manifest = json.loads(package.read("manifest.json"))
        assert "function describeOverlay" not in package.read("content.js").decode()
    assert manifest["optional_permissions"] == ["nativeMessaging"]
    assert "nativeMessaging" not in manifest["permissions"]
    assert ("key" in manifest) == (browser == "chromium")  # the fixed Chromium id the server allows
