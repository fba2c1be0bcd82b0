"""Security review, third round: each finding reproduced against a live server or the real
reader (a test per finding, failing on the code before its fix)."""

from __future__ import annotations

import errno
import gzip
import http.client
import io
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pyarrow.parquet as pq
import pytest

from unspin.commands import browser_host, service
from unspin import instance, native_host
from unspin.lm import convert as conversion
from unspin.lm.weights import CHECKSUMS
from unspin.commands import serve as serve_module
from unspin.api.admission import ANALYSIS_PASSES, FIXED_MS, Admission, seed_ms_per_token
from unspin.api.app import create_app
from unspin.cli import main
from unspin.scan.inputs import MAX_PAGE_BYTES, MAX_WARC_LINE_BYTES, Document, read_documents
from unspin.scan.inputs import _unique as unique_id
from unspin.api.secret import fingerprint, load_or_create, new_nonce, proof, secret_path
from unspin.commands.serve import CONNECTION_CAP, make_server

from processes import free_port
from test_browser_host import FIREFOX_ORIGIN as FIREFOX
from test_browser_host import frame, host_env, run_host


def _ipv6_loopback() -> socket.socket | None:
    """A socket bound to [::1] on a free port, or None on a machine without IPv6 loopback."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        sock.bind(("::1", 0))
    except OSError:
        sock.close()
        return None
    return sock


def _health(address: str, port: int, host: str, nonce: str, timeout: float = 10) -> dict:
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request("GET", f"/api/v1/health?nonce={nonce}", headers={"Host": host})
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def test_no_relay_can_listen_on_the_other_loopback_family(live_app, data_dir):
    # Finding 1: the server held 127.0.0.1 only; another local program listened on [::1] at the
    # same port and relayed clients that reached "localhost" through IPv6, proof and all.
    app = live_app()
    port = app.config["PORT"]
    relay = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError) as refused:
            relay.bind(("::1", port))
        assert refused.value.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)
    finally:
        relay.close()
    probe = _ipv6_loopback()
    if probe is not None:  # this machine has IPv6 loopback: the server itself answers there, with its proof
        probe.close()
        nonce = new_nonce()
        answer = _health("::1", port, f"localhost:{port}", nonce)
        assert answer["proof"] == proof(load_or_create(data_dir), f"localhost:{port}", nonce)


def test_a_server_does_not_start_beside_a_relay_on_the_other_family(engine):
    relay = _ipv6_loopback()
    if relay is None:  # no IPv6 loopback: nobody can listen there, and the server starts on IPv4 alone
        app = create_app({}, engine=engine)
        make_server(app, "127.0.0.1", 0).close()
        return
    relay.listen()
    port = relay.getsockname()[1]
    try:
        with pytest.raises(OSError, match=r"another program listens on http://\[::1\]:\d+, where it could relay"):
            make_server(create_app({}, engine=engine), "127.0.0.1", port)
        listener = socket.socket()  # nothing of the refused server is left bound
        listener.bind(("127.0.0.1", port))
        listener.close()
    finally:
        relay.close()


def test_a_free_port_is_one_free_on_both_families(monkeypatch):
    # Port 0 picks a port free on 127.0.0.1 only; its [::1] side may be another program's (a
    # random test run once hit one): that port is given up for another, never refused.
    real, refused = serve_module._bound, []

    def bound(address, port):
        if ":" in address and not refused:
            refused.append(port)
            raise OSError(errno.EADDRINUSE, "taken")
        return real(address, port)

    monkeypatch.setattr(serve_module, "_bound", bound)
    sockets = serve_module.bind("127.0.0.1", 0)
    try:
        assert refused and sockets[0].getsockname()[1] != refused[0]
        assert {sock.getsockname()[1] for sock in sockets} == {sockets[0].getsockname()[1]}
        probe = _ipv6_loopback()
        assert len(sockets) == (1 if probe is None else 2)  # both families, where this machine has both
        if probe is not None:
            probe.close()
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.parametrize("half_sent", [False, True])
def test_idle_connections_cannot_lock_health_out(live_app, half_sent):
    # Finding 5: 110 idle sockets filled waitress's connection limit (100) and health timed out
    # until they closed.
    port = live_app().config["PORT"]
    idle = []
    try:
        for _ in range(CONNECTION_CAP + 46):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if half_sent:  # slowloris: headers begun, never finished
                sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(sock)
        started = time.monotonic()
        assert _health("127.0.0.1", port, f"127.0.0.1:{port}", new_nonce(), timeout=20)["status"] == "ok"
        assert time.monotonic() - started < 10
    finally:
        for sock in idle:
            sock.close()


# --- the secret file, and one server per data folder ---------------------------------------------

GOOD = "A" * 43


def _token(data_dir, capsys) -> tuple[int, str, str]:
    code = main(["token", "--data-dir", str(data_dir)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", ["short", "two lines", "non-ASCII", "folder", "fifo", "link to a file",
                                  "link to /dev/zero", "huge"])
def test_a_bad_secret_file_gets_one_clear_error_everywhere(tmp_path, capsys, kind):
    # Finding 9: a 1-character or two-line file was accepted, non-ASCII gave "cannot load the
    # model ... 'ascii' codec", a folder a traceback, a symlink had its target chmod-ed.
    data = tmp_path / "data"
    data.mkdir()
    path = data / "secret"
    target = tmp_path / "elsewhere"
    target.write_text(GOOD + "\n")
    target.chmod(0o644)
    make = {"short": lambda: path.write_text("x\n"), "two lines": lambda: path.write_text(f"{GOOD}\n{GOOD}\n"),
            "non-ASCII": lambda: path.write_text("é" * 40 + "\n"), "folder": path.mkdir,
            "fifo": lambda: os.mkfifo(path), "link to a file": lambda: path.symlink_to(target),
            "link to /dev/zero": lambda: path.symlink_to("/dev/zero"),
            "huge": lambda: path.write_text("A" * 100_000)}
    make[kind]()
    code, out, err = _token(data, capsys)
    assert (code, out) == (2, "")
    assert "is not an Unspin secret: delete it and start the server again" in err and "Traceback" not in err
    assert main(["serve", "--port", "0", "--data-dir", str(data), "--model", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "not an Unspin secret" in err and "cannot load the model" not in err
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # a link's target is never chmod-ed


def test_analyze_with_a_bad_secret_file_analyses_here(tmp_path, tiny_model, monkeypatch, capsys):
    (tmp_path / "secret").write_text("x\n")
    monkeypatch.setenv("UNSPIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("UNSPIN_MODEL", str(tiny_model))
    text = tmp_path / "a.txt"
    text.write_text("The officers said the final month was calm.")
    assert main(["analyze", str(text)]) == 0
    err = capsys.readouterr().err
    assert "not an Unspin secret" in err and "loading the model here" in err and "Traceback" not in err


def test_a_good_secret_file_is_read(tmp_path, capsys):
    (tmp_path / "secret").write_text(GOOD + "\n")
    assert _token(tmp_path, capsys)[:2] == (0, GOOD + "\n")


def test_the_host_answers_a_bad_secret_file_with_a_framed_error(tmp_path, tiny_model):
    data = tmp_path / "data"
    (data / "secret").mkdir(parents=True)
    answer = run_host(frame(json.dumps({"type": "start", "port": free_port()}).encode()),
                      host_env(tmp_path, data, tiny_model), timeout=60)
    assert set(answer) == {"type", "message"} and answer["type"] == "error"
    assert "not an Unspin secret" in answer["message"]


def test_a_replaced_secret_file_is_reported_not_handed_out(tmp_path, tiny_model, capsys):
    # Finding 8: after the file was replaced, the host said "port used by another program" and
    # `unspin token` printed a secret the running server refused.
    data = tmp_path / "data"
    old = load_or_create(data)
    with instance.hold(data):  # a server started with the old secret runs
        instance.publish(data, "http://127.0.0.1:9", fingerprint(old))
        (data / "secret").write_text(GOOD + "\n")
        code, out, err = _token(data, capsys)
        assert (code, out) == (1, "") and "started with another secret" in err and f"pid {os.getpid()}" in err
        answer = run_host(frame(json.dumps({"type": "start", "port": free_port()}).encode()),
                          host_env(tmp_path, data, tiny_model), timeout=60)
        assert answer["type"] == "error" and "started with another secret" in answer["message"]
        assert "secret" not in answer
    assert _token(data, capsys)[:2] == (0, GOOD + "\n")  # no server: the file's secret is the one


def test_a_second_start_reports_the_first_server(tmp_path, tiny_model):
    # Finding 6: a start while another loaded spawned another server.
    data = tmp_path / "data"
    command = [sys.executable, "-m", "unspin.cli", "serve", "--port", "0", "--model", str(tiny_model),
               "--threads", "1", "--data-dir", str(data)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while instance.running(data) is None:  # the first holds the lock (it is loading the model)
            assert first.poll() is None and time.monotonic() < deadline, "the first server did not start"
            time.sleep(0.05)
        second = subprocess.run(command, capture_output=True, text=True, timeout=120)
        line = ""
        while "Listening on" not in line:
            line = first.stdout.readline()
            assert line, "the first server stopped"
        url = line.split("Listening on ")[1].split()[0]
        assert second.returncode == 1
        assert "another Unspin server uses this data folder" in second.stderr
        third = subprocess.run(command, capture_output=True, text=True, timeout=120)  # once it listens
        assert third.returncode == 1 and f"at {url} (pid {first.pid})" in third.stderr
    finally:
        first.terminate()
        first.wait(30)
    assert instance.running(data) is None


def test_two_first_starts_convert_the_language_model_once(tmp_path, monkeypatch):
    # Finding 6: two first-run conversions collided and left only the .tmp folder.
    calls = []

    def slow_convert(out, log):
        calls.append(out)
        time.sleep(0.5)
        out.mkdir(parents=True)
        (out / CHECKSUMS).write_text("{}")
        return out

    monkeypatch.setattr(conversion, "_convert", slow_convert)
    out = tmp_path / "cache" / "converted"
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda _: conversion.convert(out), range(2))) == [out, out]
    assert calls == [out]


# --- the browser host --------------------------------------------------------------------------


def test_the_host_refuses_an_origin_the_running_server_does_not_let_in(live_app, data_dir, tiny_model, tmp_path):
    # Finding 7: the host answered `ready` with the secret for a Firefox origin the running server
    # was not started with; the extension then got 403.
    port = live_app().config["PORT"]
    start = {"type": "start", "port": port, "origin": FIREFOX}
    answer = run_host(frame(json.dumps(start).encode()), host_env(tmp_path, data_dir, tiny_model), timeout=60)
    assert answer["type"] == "error" and "started without this Firefox extension's origin" in answer["message"]
    assert "secret" not in answer
    allowed = live_app(ALLOWED_ORIGINS=(FIREFOX,)).config["PORT"]
    answer = run_host(frame(json.dumps({**start, "port": allowed}).encode()), host_env(tmp_path, data_dir, tiny_model),
                      timeout=60)
    assert answer["type"] == "ready"


@pytest.mark.parametrize("body,why", [
    (b"[" * 2000 + b"]" * 2000, "nested too deeply"),
    (b"[" * 4000, "nested too deeply"),
])
def test_the_host_refuses_deep_messages_with_a_reply(tmp_path, tiny_model, body, why):
    # Finding 10: a message nested 2,000 deep raised RecursionError and got no reply.
    with pytest.raises(native_host.BadMessage, match=why):
        native_host.read_message(io.BytesIO(frame(body)))
    answer = run_host(frame(body), host_env(tmp_path, tmp_path / "data", tiny_model), timeout=60)
    assert answer["type"] == "error" and why in answer["message"]


@pytest.mark.parametrize("origin", [FIREFOX + "\n", FIREFOX + "\n--allow-remote", " " + FIREFOX, FIREFOX.upper()])
def test_the_host_matches_the_whole_origin(origin):
    # Finding 10: "moz-extension://<uuid>\n" passed the pattern ($ matches before a final newline).
    with pytest.raises(native_host.BadMessage, match="origin"):
        native_host.parse_start({"type": "start", "origin": origin})


def test_status_says_a_launcher_whose_python_is_gone_is_not_installed(tmp_path, monkeypatch, capsys):
    # Finding 11: status said "installed" while the launcher's interpreter was gone (exit 127).
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    data = tmp_path / "data"
    assert main(["browser-host", "install", "--data-dir", str(data)]) == 0
    assert main(["browser-host", "status", "--data-dir", str(data)]) == 0
    monkeypatch.setattr(sys, "executable", str(tmp_path / "gone" / "python3"))
    browser_host.install(tmp_path / "home", data)
    monkeypatch.undo()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    capsys.readouterr()
    assert main(["browser-host", "status", "--data-dir", str(data)]) == 1
    assert "launcher: not installed" in capsys.readouterr().out


def test_the_launcher_imports_nothing_from_the_folder_it_starts_in(tmp_path, monkeypatch):
    # Finding 12: the launcher ran `python -m` in whatever folder it started in: a struct.py there
    # was imported first. Finding 13: install made the data folder 0755.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    data = tmp_path / "data"
    old_umask = os.umask(0o022)
    try:
        browser_host.install(tmp_path / "home", data)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    trap = tmp_path / "downloads"
    trap.mkdir()
    marker = tmp_path / "imported"
    for name in ("struct.py", "json.py", "unspin.py"):
        (trap / name).write_text(f"open({str(marker)!r}, 'w').write('{name}')\n")
    env = {**os.environ, "PYTHONPATH": str(trap), "HOME": str(tmp_path / "home")}
    done = subprocess.run([str(data / browser_host.LAUNCHER)], input=frame(b'{"type": "stop"}'), cwd=trap, env=env,
                          capture_output=True, timeout=60)
    assert native_host.read_message(io.BytesIO(done.stdout))["message"].startswith("Refused:")
    assert not marker.exists()


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.parametrize("folder", ["with %q and %Z", "with $HOME and ${USER}", 'with "quotes" and \\ and spaces'])
def test_the_systemd_unit_keeps_paths_literal(tmp_path, folder):
    # Finding 14: the unit was written with shell quoting and no % escaping: %q was expanded, %Z
    # stopped the unit.
    data = tmp_path / folder
    data.mkdir()
    unit_text = service.systemd_unit(service.serve_command(8765, [FIREFOX], data), data)
    exec_start = next(line for line in unit_text.splitlines() if line.startswith("ExecStart="))
    assert "%q" not in exec_start.replace("%%", "") and "$HOME" not in exec_start.replace("$$", "")
    assert f"WorkingDirectory={str(data).replace('%', '%%')}\n" in unit_text
    unit = tmp_path / "unspin.service"
    unit.write_text(unit_text)
    if SYSTEMD_ANALYZE:  # where systemd is: the unit as systemd reads it
        checked = subprocess.run([SYSTEMD_ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stderr
    with pytest.raises(ValueError, match="control character"):
        service.systemd_unit(service.serve_command(8765, [], tmp_path / "a\nb"), tmp_path / "a\nb")


# --- unspin scan on hostile inputs ---------------------------------------------------------------


def _read_with_peak(path) -> tuple[list, int]:
    """read_documents([path]) and the peak of Python's allocations meanwhile (bytes)."""
    tracemalloc.start()
    try:
        return list(read_documents([path])), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_compressed_line_bomb_is_refused_in_bounded_memory(tmp_path):
    # Finding 2: a .jsonl.gz of one 1 GiB line with no newline took 2.4 GB before the 5 MB check.
    bomb = tmp_path / "bomb.jsonl.gz"
    chunk = b"a" * (1 << 20)
    with gzip.open(bomb, "wb", compresslevel=1) as handle:
        handle.write(json.dumps({"id": "before", "text": "Read first."}).encode() + b"\n")
        for _ in range(256):  # a 256 MiB line
            handle.write(chunk)
        handle.write(b"\n" + json.dumps({"id": "after", "text": "Still read."}).encode() + b"\n")
    documents, peak = _read_with_peak(bomb)
    assert [(d.id, d.error) for d in documents] == [("before", None), ("bomb.jsonl.gz:2", "line larger than 5 MB"),
                                                    ("after", None)]
    assert peak < 8 * MAX_PAGE_BYTES  # a bounded piece of the line at a time, never the whole 256 MiB


def test_a_warc_header_line_bomb_is_refused_in_bounded_memory(tmp_path):
    # Finding 2, the same in a WARC: warcio reads a record's headers line by line, a whole line in
    # memory (a 64 MiB header line took 210 MB).
    bomb = tmp_path / "bomb.warc.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as handle:
        handle.write(b"WARC/1.0\r\nWARC-Type: response\r\nX-Long: ")
        for _ in range(48):  # a 48 MiB header line
            handle.write(b"a" * (1 << 20))
        handle.write(b"\r\nContent-Length: 0\r\n\r\n\r\n\r\n")
    documents, peak = _read_with_peak(bomb)
    assert [d.error for d in documents] == ["the rest of the file could not be read: LineTooLong: a line over 16 MB"]
    assert peak < 3 * MAX_WARC_LINE_BYTES  # the whole line, read as warcio reads it, took 3x its 48 MiB


def test_a_folder_input_reads_regular_files_only(tmp_path, data_dir):
    # Finding 3: a symlink to the server's secret put it into articles.parquet, one to /dev/zero
    # ended in MemoryError (and the rest of the folder was dropped), a FIFO hung the scan.
    folder = tmp_path / "pages"
    (folder / "real").mkdir(parents=True)
    (folder / "a.txt").write_text("A real page.")
    (folder / "secret.txt").symlink_to(secret_path(data_dir))
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo.txt")
    (folder / "real" / "z.txt").write_text("Read too.")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hidden.txt").write_text("Not part of the folder.")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    found = []
    reader = threading.Thread(target=lambda: found.extend(read_documents([folder])), daemon=True)
    reader.start()
    reader.join(60)
    assert not reader.is_alive(), "the scan hung on a special file"
    assert {d.id: (d.text, d.error) for d in found} == {
        "a.txt": ("A real page.", None),
        "fifo.txt": (None, "not a regular file (a FIFO, device or socket): not read"),
        "real/z.txt": ("Read too.", None),
        "secret.txt": (None, "a symbolic link: not followed"),
        "zero.txt": (None, "a symbolic link: not followed")}


def test_repeated_ids_are_made_unique():
    # Finding 16: duplicate ids gave wrong groups (the source shown as a copy of itself).
    documents = [Document(f"k{i}", i, id_, "x") for i, id_ in enumerate(["a", "a", "a#2", "b", "a"])]
    taken: set[str] = set()
    assert [unique_id(d.id, taken) for d in documents] == ["a", "a#2", "a#2#2", "b", "a#3"]


def test_scan_output_is_private_and_its_report_shows_bidi_controls_as_escapes(tmp_path, tiny_model):
    # Finding 17: scan output was made with the umask (0755 / 0644) though it holds whole article
    # texts. Finding 15: a URL with U+202E rendered reversed; titles kept bidi controls.
    story = " ".join(["The officials said the final month was calm across the region."] * 8)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "same", "url": "https://news.example/\u202egnp.exe", "title": "Title \u202eevil\u202c", "text": story},
        {"id": "same", "url": "https://copy.example/\u202e1", "title": "A copy", "text": story}]))
    out = tmp_path / "out"
    old_umask = os.umask(0o022)
    try:
        assert main(["scan", str(inputs), "--out", str(out), "--model", str(tiny_model), "--threads", "1",
                     "--precision", "fp32"]) == 0
    finally:
        os.umask(old_umask)
    for path in [out, *out.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    report = (out / "report.html").read_text()
    assert "\u202e" not in report and "\u202c" not in report
    assert "Title \\u202eevil\\u202c" in report and "copy.example/\\u202e1" in report  # shown as escapes
    assert 'href="https://news.example/%E2%80%AEgnp.exe"' in report  # linked percent-encoded
    rows = pq.read_table(out / "articles.parquet", columns=["id", "likely_source"]).to_pylist()
    assert [r["id"] for r in rows] == ["same", "same#2"]
    assert all(r["likely_source"] != r["id"] for r in rows)


# --- the queue's estimate ------------------------------------------------------------------------


def test_tiny_requests_do_not_teach_the_queue_its_cost_per_token():
    # Finding 4: after six one-word analyses the queue predicted 397 s for a 900-token article
    # that takes 8-14 s, and answered 503 with Retry-After: 689.
    queue = Admission(max_wait_s=60.0, ms_per_token=3.0, max_queued=4)
    for _ in range(6):
        with queue.slot(2):
            time.sleep(0.12)  # a one-word analysis: all fixed cost
    assert queue.ms_per_token == 3.0
    assert queue.expected_ms(900) == pytest.approx(FIXED_MS + 2700)
    inside, leave = threading.Event(), threading.Event()

    def long_running():
        with queue.slot(900):
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=long_running)
    thread.start()
    assert inside.wait(5)
    threading.Timer(0.3, leave.set).start()
    with queue.slot(900):  # queued behind it (about 2.8 s expected), not refused
        pass
    thread.join()
    with queue.slot(400):  # a long enough analysis does teach it
        time.sleep(0.05 + 400 * 0.001)
    assert 1.0 < queue.ms_per_token < 3.0


def test_the_queue_starts_from_the_engines_measured_speed():
    assert seed_ms_per_token({"path": "bf16", "estimated_ms": {"bf16": 256.0, "fp32": 900.0}}, 3.0) == \
        pytest.approx(ANALYSIS_PASSES * 0.5)
    assert seed_ms_per_token({"path": "fp32"}, 3.0) == 3.0  # not timed (forced, or a test model)
