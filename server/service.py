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
import shlex
import subprocess
import sys
from pathlib import Path

from .config import DEFAULT_PORT
from .feedback import default_data_dir

UNIT = Path(".config/systemd/user/unspin.service")  # under the home folder
AGENT_LABEL = "org.unspin.server"
AGENT = Path("Library/LaunchAgents") / f"{AGENT_LABEL}.plist"


def serve_command(port: int, origins: list[str], data_dir: Path) -> list[str]:
    """The server's command line: this Python's unspin, on 127.0.0.1 only."""
    return [sys.executable, "-m", "unspin.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--data-dir", str(data_dir), *(arg for origin in origins for arg in ("--allow-origin", origin))]


def systemd_unit(command: list[str]) -> str:
    return ("[Unit]\nDescription=Unspin: finds machine-spun wording for the browser extension\n\n"
            f"[Service]\nExecStart={shlex.join(command)}\nRestart=on-failure\n\n"
            "[Install]\nWantedBy=default.target\n")


def launchd_agent(command: list[str], data_dir: Path) -> bytes:
    return plistlib.dumps({"Label": AGENT_LABEL, "ProgramArguments": command, "RunAtLoad": True,
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
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    command = serve_command(port, origins, data_dir)
    if platform == "darwin":
        path.write_bytes(launchd_agent(command, data_dir))
        subprocess.run(["launchctl", "load", "-w", str(path)], check=True)
    else:
        path.write_text(systemd_unit(command), encoding="utf-8")
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
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"error: the service was written but could not be started: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}; Unspin now runs at http://127.0.0.1:{args.port} whenever you are logged in "
          "(`unspin service uninstall` removes it)")
    return 0
