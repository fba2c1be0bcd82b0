"""`unspin service install|uninstall`: the systemd user unit and the launchd agent it writes, and
the commands that start and stop them (recorded here, not run)."""

from __future__ import annotations

import plistlib
import shlex
import subprocess
import sys

import pytest

from unspin.commands import service
from unspin.cli import main

FIREFOX = "moz-extension://3f1c6e2a-7d4b-4c8e-9a51-2b6d0e8f4c17"


@pytest.fixture
def ran(monkeypatch):
    """The commands service.py runs (systemctl, launchctl), recorded instead of run."""
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append(command))
    return calls


def test_linux_writes_a_systemd_user_unit_and_enables_it(tmp_path, monkeypatch, ran):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    data = tmp_path / "data"
    assert main(["service", "install", "--port", "9123", "--allow-origin", FIREFOX, "--data-dir", str(data)]) == 0
    unit = (tmp_path / ".config/systemd/user/unspin.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert shlex.split(exec_start.removeprefix("ExecStart=")) == [
        sys.executable, "-I", "-m", "unspin.cli", "serve", "--host", "127.0.0.1", "--port", "9123", "--data-dir", str(data),
        "--allow-origin", FIREFOX]
    assert "WantedBy=default.target" in unit and "Restart=on-failure" in unit
    assert ran == [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", "unspin.service"]]
    ran.clear()
    assert main(["service", "uninstall"]) == 0
    assert not (tmp_path / ".config/systemd/user/unspin.service").exists()
    assert ["systemctl", "--user", "disable", "--now", "unspin.service"] in ran


def test_macos_writes_a_launchd_agent_and_loads_it(tmp_path, ran):
    path = service.install(tmp_path, 8765, [], tmp_path / "data", platform="darwin")
    assert path == tmp_path / "Library/LaunchAgents/org.unspin.server.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "org.unspin.server" and agent["RunAtLoad"] is True
    assert agent["ProgramArguments"][-6:] == ["--host", "127.0.0.1", "--port", "8765", "--data-dir", str(tmp_path / "data")]
    assert ran == [["launchctl", "load", "-w", str(path)]]
    assert service.uninstall(tmp_path, platform="darwin") == path and not path.exists()


def test_other_platforms_are_refused(tmp_path):
    with pytest.raises(SystemExit, match="Linux"):
        service.service_file(tmp_path, "win32")
