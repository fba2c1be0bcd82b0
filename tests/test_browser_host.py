"""The browser host (unspin.native_host) and its registration (unspin browser-host): the message
framing, bad messages refused with nothing started, the manifests written, and a real start of
`unspin serve` on the tiny model."""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from unspin.commands import browser_host
from unspin import native_host
from unspin.cli import main
from unspin.api.secret import load_or_create, secret_path
from unspin.api.security import CHROMIUM_EXTENSION_ID

from processes import free_port, stop_processes_using
from squatter import squatting

FIREFOX_ORIGIN = "moz-extension://3f1c6e2a-7d4b-4c8e-9a51-2b6d0e8f4c17"


def frame(body: bytes) -> bytes:
    return struct.pack("=I", len(body)) + body


# --- framing ----------------------------------------------------------------------------------


def test_a_message_is_a_native_endian_length_and_utf8_json():
    out = io.BytesIO()
    native_host.write_message(out, {"type": "ready", "url": "http://127.0.0.1:1", "secret": "é"})
    data = out.getvalue()
    (length,) = struct.unpack("=I", data[:4])
    assert length == len(data) - 4 and int.from_bytes(data[:4], sys.byteorder) == length
    assert json.loads(data[4:].decode("utf-8"))["secret"] == "é"
    assert native_host.read_message(io.BytesIO(data))["type"] == "ready"


@pytest.mark.parametrize("data,why", [
    (b"", "no message"),
    (b"\x05\x00", "no message"),
    (struct.pack("=I", 10) + b'{"type"', "cut short"),
    (struct.pack("=I", 1 << 30) + b"{}", "too long"),
    (frame(b"\xff\xfe"), "not UTF-8 JSON"),
    (frame(b"[1, 2]"), "not a JSON object"),
    (frame(b"start"), "not UTF-8 JSON"),
])
def test_bad_frames_are_refused(data, why):
    with pytest.raises(native_host.BadMessage, match=why):
        native_host.read_message(io.BytesIO(data))


@pytest.mark.parametrize("message,port,origin", [
    ({"type": "start"}, 8765, None),
    ({"type": "start", "port": 9000}, 9000, None),
    ({"type": "start", "origin": FIREFOX_ORIGIN}, 8765, FIREFOX_ORIGIN),
])
def test_start_messages(message, port, origin):
    assert native_host.parse_start(message) == (port, origin)


@pytest.mark.parametrize("message", [
    {}, {"type": "stop"}, {"type": "START"}, {"type": "start", "port": "8765"}, {"type": "start", "port": 0},
    {"type": "start", "port": 70000}, {"type": "start", "port": True}, {"type": "start", "port": 80.0},
    {"type": "start", "command": "rm -rf ~"}, {"type": "start", "origin": "https://evil.example"},
    {"type": "start", "origin": "moz-extension://x --allow-remote"}, {"type": "start", "origin": 1},
])
def test_bad_messages_are_refused(message):
    with pytest.raises(native_host.BadMessage):
        native_host.parse_start(message)


def host_env(home: Path, data_dir: Path, model: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    return {**env, "HOME": str(home), "UNSPIN_DATA_DIR": str(data_dir), "UNSPIN_MODEL": str(model)}


def run_host(data: bytes, env: dict, timeout: float = 300) -> dict:
    """Run the host as a browser does (message on stdin); its one framed answer."""
    done = subprocess.run([sys.executable, "-m", "unspin.native_host"], input=data, env=env,
                          capture_output=True, timeout=timeout)
    return native_host.read_message(io.BytesIO(done.stdout))


@pytest.mark.parametrize("data", [frame(b'{"type": "stop"}'), frame(b"nonsense"), b"\x01",
                                  frame(b'{"type": "start", "port": 99999}')])
def test_a_bad_message_gets_an_error_and_starts_nothing(tmp_path, tiny_model, data):
    answer = run_host(data, host_env(tmp_path, tmp_path / "data", tiny_model), timeout=60)
    assert answer["type"] == "error" and answer["message"].startswith("Refused:")
    assert not (tmp_path / "data").exists()  # no secret made, no server log, no server


# --- a real start -----------------------------------------------------------------------------


def test_start_runs_the_server_and_hands_over_its_secret(tmp_path, tiny_model):
    data_dir, port = tmp_path / "data", free_port()
    env = host_env(tmp_path, data_dir, tiny_model)
    start = frame(json.dumps({"type": "start", "port": port, "origin": FIREFOX_ORIGIN}).encode())
    try:
        answer = run_host(start, env)
        assert answer == {"type": "ready", "url": f"http://127.0.0.1:{port}", "secret": load_or_create(data_dir)}
        assert stat.S_IMODE(secret_path(data_dir).stat().st_mode) == 0o600
        auth = {"Authorization": f"Bearer {answer['secret']}"}
        health = requests.get(f"{answer['url']}/api/v1/health", headers=auth, timeout=10)
        assert health.json()["model"]["name"] == "unspin-tiny-random"
        # Started with Firefox's --allow-origin: that origin is answered.
        with_origin = requests.get(f"{answer['url']}/api/v1/health", headers={**auth, "Origin": FIREFOX_ORIGIN},
                                   timeout=10)
        assert with_origin.status_code == 200
        # A second start reports the running server instead of starting another.
        assert run_host(start, env, timeout=60) == answer
    finally:
        assert stop_processes_using(data_dir) == 1


def test_start_refuses_a_port_held_by_another_program(tmp_path, tiny_model):
    with squatting() as port:
        answer = run_host(frame(json.dumps({"type": "start", "port": port}).encode()),
                          host_env(tmp_path, tmp_path / "data", tiny_model), timeout=60)
    assert answer["type"] == "error" and "another program" in answer["message"]
    assert "secret" not in answer


# --- registration -----------------------------------------------------------------------------


def test_install_writes_a_manifest_per_browser_that_lets_in_only_unspin(tmp_path, monkeypatch, capsys):
    home, data_dir = tmp_path / "home", tmp_path / "data"
    monkeypatch.setenv("HOME", str(home))
    assert main(["browser-host", "status", "--data-dir", str(data_dir)]) == 1
    assert main(["browser-host", "install", "--data-dir", str(data_dir)]) == 0
    launcher = data_dir / "browser-host" / "unspin-browser-host"
    assert stat.S_IMODE(launcher.stat().st_mode) == 0o700
    script = launcher.read_text()
    assert sys.executable in script and "-m unspin.native_host" in script and str(data_dir) in script
    folders = {
        "chromium": home / ".config/chromium/NativeMessagingHosts",
        "chrome": home / ".config/google-chrome/NativeMessagingHosts",
        "edge": home / ".config/microsoft-edge/NativeMessagingHosts",
        "firefox": home / ".mozilla/native-messaging-hosts",
    }
    for browser, folder in folders.items():
        written = json.loads((folder / f"{browser_host.HOST_NAME}.json").read_text())
        assert written["name"] == browser_host.HOST_NAME and written["type"] == "stdio"
        assert written["path"] == str(launcher)
        if browser == "firefox":
            assert written["allowed_extensions"] == ["unspin@unspin.invalid"] and "allowed_origins" not in written
        else:
            assert written["allowed_origins"] == [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"]
            assert "allowed_extensions" not in written
    capsys.readouterr()
    assert main(["browser-host", "status", "--data-dir", str(data_dir)]) == 0
    assert capsys.readouterr().out.count("not installed") == 0
    assert main(["browser-host", "uninstall", "--data-dir", str(data_dir)]) == 0
    assert not launcher.exists() and not any((folder / f"{browser_host.HOST_NAME}.json").exists()
                                             for folder in folders.values())


def test_macos_folders(tmp_path):
    paths = browser_host.manifest_paths(tmp_path, "darwin")
    assert paths["chrome"] == tmp_path / "Library/Application Support/Google/Chrome/NativeMessagingHosts" / \
        f"{browser_host.HOST_NAME}.json"
    assert paths["firefox"].parent == tmp_path / "Library/Application Support/Mozilla/NativeMessagingHosts"


def test_other_platforms_are_told_what_to_do_instead(tmp_path):
    with pytest.raises(SystemExit, match="unspin token"):
        browser_host.manifest_paths(tmp_path, "win32")


def test_the_firefox_id_is_the_one_the_extension_is_built_with():
    built = Path(__file__).resolve().parents[1] / "extension" / "dist" / "firefox" / "manifest.json"
    if not built.exists():
        subprocess.run(["sh", str(built.parents[2] / "build.sh")], check=True, stdout=subprocess.DEVNULL)
    assert json.loads(built.read_text())["browser_specific_settings"]["gecko"]["id"] == browser_host.FIREFOX_EXTENSION_ID
