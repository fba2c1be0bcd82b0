"""Let the browser extension start the server: register Unspin's browser host (native messaging).

    unspin browser-host install     write the launcher and the host's manifest for Chromium,
                                    Google Chrome, Microsoft Edge and Firefox (this user only)
    unspin browser-host uninstall   remove them
    unspin browser-host status      say which are installed

Once installed, the extension starts `unspin serve` itself when it finds no server (after the
reader allowed it on the first-run page), and gets the per-user secret from it: no terminal is
needed any more. The launcher (DATA_DIR/browser-host/unspin-browser-host) runs this Python's
`unspin.native_host`; each manifest lets in only Unspin's extension: its fixed Chromium id
(allowed_origins) or its Firefox id (allowed_extensions). Linux and macOS; nothing outside the
user's home folder is written.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

from .config import openapi_spec
from .feedback import default_data_dir, private_folder
from .security import CHROMIUM_EXTENSION_ID

HOST = openapi_spec()["info"]["x-browser-host"]  # the host's name and the Firefox id (shared with the extension)
HOST_NAME = HOST["name"]
FIREFOX_EXTENSION_ID = HOST["firefox_extension_id"]
LAUNCHER = Path("browser-host") / "unspin-browser-host"  # under the data folder
DESCRIPTION = "Unspin: starts the local Unspin server for the browser extension"

# Each browser's per-user folder for host manifests, under the home folder.
MANIFEST_DIRS = {
    "linux": {
        "chromium": ".config/chromium/NativeMessagingHosts",
        "chrome": ".config/google-chrome/NativeMessagingHosts",
        "edge": ".config/microsoft-edge/NativeMessagingHosts",
        "firefox": ".mozilla/native-messaging-hosts",
    },
    "darwin": {
        "chromium": "Library/Application Support/Chromium/NativeMessagingHosts",
        "chrome": "Library/Application Support/Google/Chrome/NativeMessagingHosts",
        "edge": "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
        "firefox": "Library/Application Support/Mozilla/NativeMessagingHosts",
    },
}


def manifest_paths(home: Path, platform: str = sys.platform) -> dict[str, Path]:
    """browser -> where its manifest for the host goes. Raises SystemExit on other platforms."""
    dirs = MANIFEST_DIRS.get("darwin" if platform == "darwin" else "linux" if platform.startswith("linux") else "")
    if dirs is None:
        raise SystemExit(f"error: unspin browser-host supports Linux and macOS, not {platform}; "
                         "start the server with `unspin serve` and paste `unspin token` in the extension's options")
    return {browser: home / folder / f"{HOST_NAME}.json" for browser, folder in dirs.items()}


def manifest(browser: str, launcher: Path) -> dict:
    """The host manifest for `browser`: only Unspin's extension may start the launcher."""
    allowed = ({"allowed_extensions": [FIREFOX_EXTENSION_ID]} if browser == "firefox"
               else {"allowed_origins": [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"]})
    return {"name": HOST_NAME, "description": DESCRIPTION, "path": str(launcher), "type": "stdio", **allowed}


def launcher_script(data_dir: Path) -> str:
    """The launcher: this Python in isolated mode (-I) running the host from the data folder, with
    the data folder the server uses (so neither the folder a browser starts it in nor PYTHON*
    variables change what it imports)."""
    folder, python = shlex.quote(str(data_dir)), shlex.quote(sys.executable)
    return ("#!/bin/sh\n# Written by `unspin browser-host install`; removed by `unspin browser-host uninstall`.\n"
            f"cd {folder} || exit 1\n"
            f"UNSPIN_DATA_DIR={folder} exec {python} -I -m unspin.native_host\n")


def launcher_python(launcher: Path) -> Path | None:
    """The interpreter a launcher runs (None when it cannot be read or holds no exec line)."""
    try:
        lines = launcher.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        words = shlex.split(line) if line.lstrip().startswith(("UNSPIN_DATA_DIR=", "exec ")) else []
        if "exec" in words:
            return Path(words[words.index("exec") + 1])
    return None


def install(home: Path, data_dir: Path) -> list[Path]:
    """Write the launcher (0700, in folders made 0700) and every browser's manifest; returns what
    was written."""
    launcher = data_dir / LAUNCHER
    private_folder(data_dir)
    private_folder(launcher.parent)
    launcher.write_text(launcher_script(data_dir), encoding="utf-8")
    launcher.chmod(0o700)
    written = [launcher]
    for browser, path in manifest_paths(home).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest(browser, launcher), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def uninstall(home: Path, data_dir: Path) -> list[Path]:
    """Remove the manifests and the launcher; returns what was removed."""
    removed = []
    for path in [*manifest_paths(home).values(), data_dir / LAUNCHER]:
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def status(home: Path, data_dir: Path) -> dict[str, bool]:
    """browser (and "launcher") -> whether it is installed, pointing at this data folder's launcher
    (the launcher: executable, and so is the interpreter it runs)."""
    launcher = data_dir / LAUNCHER
    python = launcher_python(launcher)  # a launcher whose interpreter is gone exits 127 with no reply
    found = {"launcher": os.access(launcher, os.X_OK) and python is not None and os.access(python, os.X_OK)}
    for browser, path in manifest_paths(home).items():
        try:
            found[browser] = json.loads(path.read_text(encoding="utf-8")) == manifest(browser, launcher)
        except (OSError, ValueError):
            found[browser] = False
    return found


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("install", "uninstall", "status"))
    parser.add_argument("--data-dir", default=None,
                        help="the data folder the started server uses (default: $UNSPIN_DATA_DIR, else "
                             "~/.local/share/unspin)")


def main(args: argparse.Namespace) -> int:
    home = Path.home()
    data_dir = Path(args.data_dir or default_data_dir()).absolute()
    if args.action == "install":
        for path in install(home, data_dir):
            print(f"wrote {path}")
        print("The extension can now start the server: allow it on its first-run page or in its options.")
        return 0
    if args.action == "uninstall":
        removed = uninstall(home, data_dir)
        print("\n".join(f"removed {path}" for path in removed) or "nothing to remove")
        return 0
    found = status(home, data_dir)
    for name, ok in found.items():
        print(f"{name}: {'installed' if ok else 'not installed'}")
    return 0 if all(found.values()) else 1
