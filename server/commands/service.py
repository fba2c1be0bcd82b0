"""Start the server at login: a systemd user unit (Linux) or a launchd agent (macOS).

    unspin service install [--port N] [--allow-origin ORIGIN ...] [--data-dir DIR]
    unspin service uninstall

`install` writes ~/.config/systemd/user/unspin.service and runs `systemctl --user enable --now`
(Linux), or writes ~/Library/LaunchAgents/org.unspin.server.plist and loads it with `launchctl`
(macOS): `unspin serve` then runs on 127.0.0.1 whenever you are logged in, restarted if it stops.
`uninstall` stops it and removes the file. Firefox users add their extension's origin with
--allow-origin (its options page shows it). Nothing outside the home folder is written.
"""

from __future__ import annotations

import argparse
import plistlib
import subprocess
import sys
from pathlib import Path

from ..config import DEFAULT_HOST, DEFAULT_PORT
from ..feedback import default_data_dir, private_folder

UNIT = Path(".config/systemd/user/unspin.service")  # under the home folder
AGENT_LABEL = "org.unspin.server"
AGENT = Path("Library/LaunchAgents") / f"{AGENT_LABEL}.plist"


def serve_command(port: int, origins: list[str], data_dir: Path) -> list[str]:
    """The server's command line, as the unit, the agent and the browser host start it: this
    Python in isolated mode (-I: the folder it starts in and PYTHON* variables change nothing it
    imports), on 127.0.0.1 only."""
    return [sys.executable, "-I", "-m", "unspin.cli", "serve", "--host", DEFAULT_HOST, "--port", str(port),
            "--data-dir", str(data_dir), *(arg for origin in origins for arg in ("--allow-origin", origin))]


def systemd_word(value: str) -> str:
    """`value` as one word of a unit file's command line: double-quoted with backslash and quote
    escaped, and % and $ doubled so that systemd expands no specifier or variable in it
    (systemd.service, "Command lines"; systemd.unit, "Specifiers"). Raises ValueError for a control
    character (a unit file is read line by line)."""
    _one_line(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def _one_line(value: str) -> None:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"a control character in {value!r} cannot be written into a systemd unit")


def systemd_unit(command: list[str], data_dir: Path) -> str:
    """The user unit: `command` run from the data folder (a path, taken as it is but for
    specifiers: % doubled). Raises ValueError (systemd_word)."""
    _one_line(str(data_dir))
    folder = str(data_dir).replace("%", "%%")
    return ("[Unit]\nDescription=Unspin: finds machine-spun wording for the browser extension\n\n"
            f"[Service]\nWorkingDirectory={folder}\nExecStart={' '.join(map(systemd_word, command))}\n"
            "Restart=on-failure\n\n[Install]\nWantedBy=default.target\n")


def launchd_agent(command: list[str], data_dir: Path) -> bytes:
    return plistlib.dumps({"Label": AGENT_LABEL, "ProgramArguments": command, "RunAtLoad": True,
                           "WorkingDirectory": str(data_dir),
                           "KeepAlive": {"SuccessfulExit": False},
                           "StandardOutPath": str(data_dir / "server.log"),
                           "StandardErrorPath": str(data_dir / "server.log")})


def service_file(home: Path, platform: str = sys.platform) -> Path:
    """Where the unit or agent goes. Raises SystemExit on other platforms."""
    if platform == "darwin":
        return home / AGENT
    if platform.startswith("linux"):
        return home / UNIT
    raise SystemExit(f"error: unspin service supports Linux (systemd) and macOS (launchd), not {platform}")


def install(home: Path, port: int, origins: list[str], data_dir: Path, platform: str = sys.platform) -> Path:
    """Write the unit or agent and start it now and at every login; returns its path. Raises
    subprocess.CalledProcessError when systemctl or launchctl fails."""
    path = service_file(home, platform)
    path.parent.mkdir(parents=True, exist_ok=True)
    private_folder(data_dir)
    command = serve_command(port, origins, data_dir)
    if platform == "darwin":
        path.write_bytes(launchd_agent(command, data_dir))
        subprocess.run(["launchctl", "load", "-w", str(path)], check=True)
    else:
        path.write_text(systemd_unit(command, data_dir), encoding="utf-8")
        subprocess.run(["systemctl", "--user", "daemon-reload"], check=True)
        subprocess.run(["systemctl", "--user", "enable", "--now", path.name], check=True)
    return path


def uninstall(home: Path, platform: str = sys.platform) -> Path | None:
    """Stop the service and remove its file; returns the path removed (None: none was installed)."""
    path = service_file(home, platform)
    if not path.exists():
        return None
    if platform == "darwin":
        subprocess.run(["launchctl", "unload", "-w", str(path)], check=False)
        path.unlink()
    else:
        subprocess.run(["systemctl", "--user", "disable", "--now", path.name], check=False)
        path.unlink()
        subprocess.run(["systemctl", "--user", "daemon-reload"], check=False)
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("install", "uninstall"))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="also let this origin call the API (repeatable): Firefox's moz-extension://<uuid>")
    parser.add_argument("--data-dir", default=None,
                        help="the server's data folder (default: $UNSPIN_DATA_DIR, else ~/.local/share/unspin)")


def main(args: argparse.Namespace) -> int:
    home = Path.home()
    if args.action == "uninstall":
        removed = uninstall(home)
        print(f"stopped and removed {removed}" if removed else "no Unspin service was installed")
        return 0
    data_dir = Path(args.data_dir or default_data_dir()).absolute()
    try:
        path = install(home, args.port, args.allow_origin, data_dir)
    except ValueError as exc:  # a path no unit can hold
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"error: the service was written but could not be started: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}; Unspin now runs at http://127.0.0.1:{args.port} whenever you are logged in "
          "(`unspin service uninstall` removes it)")
    return 0
