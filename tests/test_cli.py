"""The `unspin serve` and `unspin analyze` commands, as a user runs them."""

from __future__ import annotations

import json
import os
import re
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

import unspin
from unspin.cli import main
from unspin.config import default_model_path

@pytest.fixture(autouse=True)
def no_running_server(monkeypatch):
    """`unspin analyze` tries a running server first: point it at a port where none listens, so
    a server that happens to run on this machine never answers these tests."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("UNSPIN_SERVER", f"http://127.0.0.1:{port}")


TEXT = "Russia requested China to provide it army gear.\n\n😀 Help for the warfare, final month."
UNSPIN = Path(sys.executable).with_name("unspin")  # the console script of this environment


def test_analyze_json_from_a_file(tmp_path, tiny_model, capsys, check_contract):
    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    assert main(["analyze", str(article), "--json", "--model", str(tiny_model), "--threshold", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    check_contract("POST", "/api/v1/analyze", 200, data)
    assert data["offset_unit"] == "codepoint"
    assert data["summary"]["paragraphs"] == 2
    second = TEXT.split("\n\n")[1]
    for span in data["paragraphs"][1]["spans"]:
        assert second[span["start"]:span["end"]] == span["text"]


def test_analyze_text_from_stdin_marks_spans(tiny_model, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(TEXT))
    assert main(["analyze", "-", "--model", str(tiny_model), "--threshold", "0", "--max-suggestions", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\[warfare → [^]|]+\]", out)  # span and its one suggestion
    assert re.search(r"\[[^]→]*\bfinal\b[^]→]* → [^]]*\b(last|concluding)\b", out)  # alone or in a run
    assert re.search(r"^(likely spun|possibly spun|no sign of spinning): \d+ spun span", out, re.M)


def test_analyze_uses_unspin_model_from_the_environment(tiny_model, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("UNSPIN_MODEL", str(tiny_model))
    article = tmp_path / "a.txt"
    article.write_text("One short paragraph.", encoding="utf-8")
    assert main(["analyze", str(article), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"]["name"] == "unspin-tiny-random"


def test_analyze_uses_a_running_server_and_answers_the_same(live_server, tiny_model, tmp_path, capsys,
                                                           monkeypatch):
    # The live server serves the same tiny model (the session's engine): same answer, no load.
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    options = ["--json", "--threshold", "0", "--max-suggestions", "2"]
    assert main(["analyze", str(article), "--model", str(tiny_model), *options]) == 0
    here = capsys.readouterr()
    assert "using the Unspin server" not in here.err
    monkeypatch.setenv("UNSPIN_SERVER", live_server)
    assert main(["analyze", str(article), *options]) == 0
    there = capsys.readouterr()
    assert f"using the Unspin server at {live_server}" in there.err
    assert json.loads(there.out) == json.loads(here.out)
    assert json.loads(there.out)["paragraphs"][0]["start"] == 0  # one article, sent as text


def test_analyze_local_skips_the_running_server(live_server, tiny_model, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("UNSPIN_SERVER", live_server)
    monkeypatch.setenv("UNSPIN_MODEL", str(tiny_model))
    article = tmp_path / "a.txt"
    article.write_text("One short paragraph.", encoding="utf-8")
    assert main(["analyze", str(article), "--json", "--local"]) == 0
    assert "using the Unspin server" not in capsys.readouterr().err


def test_analyze_reports_the_servers_refusal(live_server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("UNSPIN_SERVER", live_server)
    article = tmp_path / "a.txt"
    article.write_text("x" * 200_001, encoding="utf-8")  # over the server's limit
    assert main(["analyze", str(article)]) == 2
    assert "the server refused the text: Too much text" in capsys.readouterr().err


def test_default_model_is_the_shipped_one(monkeypatch):
    monkeypatch.delenv("UNSPIN_MODEL", raising=False)
    assert default_model_path() == Path(unspin.__file__).resolve().parent.parent / "models" / "unspin-lm"


@pytest.mark.parametrize("argv", [["--threshold", "1.5"], ["--threshold", "x"], ["--max-suggestions", "0"]])
def test_analyze_refuses_bad_options(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", "-", *argv])
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_analyze_reports_a_missing_model_or_file(tmp_path, tiny_model, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Text.", encoding="utf-8")
    assert main(["analyze", str(article), "--model", str(tmp_path / "nowhere")]) == 2
    assert "cannot load the model" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "missing.txt"), "--model", str(tiny_model)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_serve_warns_when_not_on_loopback(tmp_path, capsys):
    # The missing model stops it before it binds anything.
    assert main(["serve", "--host", "0.0.0.0", "--port", "0", "--model", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0" in err
    assert "cannot load the model" in err


def test_serve_defaults_to_loopback():
    import argparse

    from unspin.commands import serve

    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8765)


def stdout_lines(process) -> queue.Queue:
    """A queue of the process's stdout lines, filled by a thread so a silent process can't hang us."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    return lines


def wait_for_line(lines: queue.Queue, pattern: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            continue
        seen.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"no line matching {pattern!r} in {seen!r}")


def test_serve_answers_and_stops_cleanly_on_ctrl_c(tiny_model, tmp_path, auth):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # stderr goes to a file: an unread pipe that fills up would block the server.
    stderr = open(tmp_path / "stderr.txt", "w")
    process = subprocess.Popen([str(UNSPIN), "serve", "--port", "0", "--model", str(tiny_model), "--threads", "1"],
                               stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    try:
        lines = stdout_lines(process)
        url = re.search(r"http://127\.0\.0\.1:\d+", wait_for_line(lines, r"Listening on", 120)).group()
        health = requests.get(f"{url}/api/v1/health", headers=auth, timeout=30)
        assert health.status_code == 200
        assert health.json()["model"]["name"] == "unspin-tiny-random"
        analysis = requests.post(f"{url}/api/v1/analyze", json={"text": TEXT}, headers=auth, timeout=60)
        assert analysis.status_code == 200
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        process.wait(timeout=60)
        assert "Stopped." in wait_for_line(lines, "Stopped", 10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr.close()
    err = (tmp_path / "stderr.txt").read_text()
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_help_describes_the_commands_for_a_user(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "machine-spun" in out and "unspin serve" in out and "unspin analyze FILE" in out
    assert "module" not in out and "add_arguments" not in out


def test_analyze_takes_an_ignore_list_file(tiny_model, tmp_path, capsys):
    article, allow = tmp_path / "a.txt", tmp_path / "allow.txt"
    article.write_text(TEXT, encoding="utf-8")
    allow.write_text("# never flag these\nWarfare\n\nfinal month\n", encoding="utf-8")
    options = ["--json", "--threshold", "0", "--model", str(tiny_model)]
    assert main(["analyze", str(article), *options]) == 0
    before = [s["text"] for p in json.loads(capsys.readouterr().out)["paragraphs"] for s in p["spans"]]
    assert main(["analyze", str(article), *options, "--ignore", str(allow)]) == 0
    after = [s["text"] for p in json.loads(capsys.readouterr().out)["paragraphs"] for s in p["spans"]]
    words_before, words_after = ({w for t in spans for w in t.split()} for spans in (before, after))
    assert "warfare" in words_before and "warfare" not in words_after
    assert not any("final month" in t for t in after)  # nor inside a run of adjacent marks
    assert main(["analyze", str(article), *options, "--ignore", str(tmp_path / "none.txt")]) == 2
    assert "cannot read the ignore list" in capsys.readouterr().err


@pytest.mark.parametrize("hidden,command,extra", [("pyarrow", "scan", "scan"), ("ray", "scan", "ray")])
def test_a_command_without_its_extra_says_which_to_install(tmp_path, hidden, command, extra):
    # A reader who ran `make serve` (no extras) and then `unspin scan` got a ModuleNotFoundError
    # traceback.
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": "a", "text": "The officers said."}\n')
    args = [command, str(inputs), "--out", str(tmp_path / "out"), *(["--ray"] if hidden == "ray" else [])]
    code = (f"import sys; sys.modules[{hidden!r}] = None\n"  # as if it were not installed
            "from unspin.cli import main\n"
            f"sys.exit(main({args!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert f"needs {hidden}, which comes with Unspin's {extra} extra: pip install 'unspin[{extra}]'" in done.stderr
    assert "Traceback" not in done.stderr
