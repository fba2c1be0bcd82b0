"""The first `unspin serve` with the default data folder installs the browser host for this user,
once, in one line: never again after `unspin browser-host uninstall`, never over a host installed
by hand, never with a data folder given (tests, the host's and the service's own starts) or when
skipped, and never at the cost of the server's start. Every test has a home folder of its own."""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from unspin.commands import browser_host, serve
from unspin.cli import main

UNSPIN = Path(sys.executable).with_name("unspin")
SAID = "Browser host installed for this user"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home folder of the test's own, with the default data folder in it (no $UNSPIN_DATA_DIR,
    no XDG folders)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in [name for name in os.environ if name.startswith("XDG_")] + ["UNSPIN_DATA_DIR", "UNSPIN_BROWSER_HOST"]:
        monkeypatch.delenv(name, raising=False)
    return home


def data(home: Path) -> Path:
    return home / ".local" / "share" / "unspin"


def manifests(home: Path) -> list[Path]:
    return [path for path in browser_host.manifest_paths(home).values() if path.exists()]


def test_the_first_serve_installs_it_once(home):
    line, good = browser_host.at_first_serve(home, data(home))
    assert good and line.startswith(SAID) and "\n" not in line
    assert "`unspin browser-host uninstall`" in line and "UNSPIN_BROWSER_HOST=off" in line
    assert all(browser_host.status(home, data(home)).values())
    assert (data(home) / browser_host.FIRST_SERVE).exists()
    assert browser_host.at_first_serve(home, data(home)) is None


def test_uninstall_is_remembered(home, capsys):
    browser_host.at_first_serve(home, data(home))
    assert main(["browser-host", "uninstall"]) == 0
    assert "removed" in capsys.readouterr().out and not manifests(home)
    assert browser_host.at_first_serve(home, data(home)) is None
    assert not manifests(home) and not (data(home) / browser_host.LAUNCHER).exists()


def test_an_uninstall_before_any_serve_is_remembered_too(home):
    assert main(["browser-host", "uninstall"]) == 0
    assert browser_host.at_first_serve(home, data(home)) is None
    assert not manifests(home)


def test_a_host_installed_by_hand_is_left_alone(home, tmp_path):
    other = tmp_path / "elsewhere"
    browser_host.install(home, other)
    before = {path: path.read_text() for path in manifests(home)}
    assert browser_host.at_first_serve(home, data(home)) is None
    assert {path: path.read_text() for path in manifests(home)} == before
    assert all(json.loads(text)["path"] == str(other / browser_host.LAUNCHER) for text in before.values())
    assert not (data(home) / browser_host.LAUNCHER).exists()


def test_a_folder_it_cannot_write_gets_one_line_and_nothing_is_left_behind(home):
    (home / ".mozilla").write_text("not a folder")  # as a read-only home would (root ignores modes)
    line, good = browser_host.at_first_serve(home, data(home))
    assert not good and line.startswith("note: could not install the browser host") and "\n" not in line
    assert "`unspin browser-host install` tries again" in line and ".mozilla" in line
    assert not manifests(home) and not (data(home) / browser_host.LAUNCHER).exists()
    assert not (data(home) / browser_host.FIRST_SERVE).exists()  # the next start tries again
    (home / ".mozilla").unlink()
    assert browser_host.at_first_serve(home, data(home))[1]


def test_other_platforms_have_nothing_to_install(home):
    assert browser_host.at_first_serve(home, data(home), "win32") is None
    assert not data(home).exists()


def serve_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.parametrize("argv,env", [
    (["--data-dir", "DATA"], {}),
    ([], {"UNSPIN_DATA_DIR": "DATA"}),
    (["--no-browser-host"], {}),
    ([], {"UNSPIN_BROWSER_HOST": "off"}),
    ([], {"UNSPIN_BROWSER_HOST": "0"}),
])
def test_serve_leaves_the_browsers_alone_with_a_data_folder_given_or_when_skipped(home, argv, env, monkeypatch, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value.replace("DATA", str(data(home))))
    serve._first_serve(serve_args(*[a.replace("DATA", str(data(home))) for a in argv]), data(home))
    assert capsys.readouterr() == ("", "")
    assert not manifests(home) and not data(home).exists()


def test_serve_says_it_in_one_line_and_a_failure_never_stops_it(home, monkeypatch, capsys):
    serve._first_serve(serve_args(), data(home))
    out, err = capsys.readouterr()
    assert out.startswith(SAID) and out.count("\n") == 1 and not err
    monkeypatch.setattr(browser_host, "at_first_serve", lambda home, data_dir: 1 / 0)
    serve._first_serve(serve_args(), data(home))
    out, err = capsys.readouterr()
    assert not out and err.startswith("note: could not install the browser host") and err.count("\n") == 1


def start(env: dict, model: Path, log: Path) -> tuple[subprocess.Popen, list[str]]:
    """`unspin serve --port 0` started, and its stdout up to the line "Listening on"."""
    process = subprocess.Popen([str(UNSPIN), "serve", "--port", "0", "--model", str(model), "--threads", "1"],
                               stdout=subprocess.PIPE, stderr=log.open("w"), text=True, env=env)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline and not (seen and seen[-1].startswith("Listening on")):
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            assert process.poll() is None, log.read_text()
    assert seen and seen[-1].startswith("Listening on"), (seen, log.read_text())
    return process, seen


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_make_serve_installs_it_at_the_first_start_only(home, tiny_model, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # HOME is the test's, with no data folder given
    process, first = start(env, tiny_model, tmp_path / "first.log")
    stop(process)
    assert [line for line in first if "browser host" in line.lower()] == [first[-2]]
    assert re.match(rf"{SAID}: .*\(undo: `unspin browser-host uninstall`; UNSPIN_BROWSER_HOST=off", first[-2])
    assert len(manifests(home)) == 4 and all(browser_host.status(home, data(home)).values())
    assert "Traceback" not in (tmp_path / "first.log").read_text()

    subprocess.run([str(UNSPIN), "browser-host", "uninstall"], env=env, check=True, capture_output=True, timeout=60)
    process, second = start(env, tiny_model, tmp_path / "second.log")
    stop(process)
    assert not any("browser host" in line.lower() for line in second) and not manifests(home)
