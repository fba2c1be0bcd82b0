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

The first `unspin serve` with the default data folder installs it by itself, once, saying so;
after `uninstall` it never does again, and $UNSPIN_BROWSER_HOST=off (or `unspin serve
--no-browser-host`) skips it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

from ..config import BROWSER_HOST_SETTING, openapi_spec
from ..feedback import default_data_dir, private_folder
from ..api.security import CHROMIUM_EXTENSION_ID

HOST = openapi_spec()["info"]["x-browser-host"]  # the host's name and the Firefox id (shared with the extension)
HOST_NAME = HOST["name"]
FIREFOX_EXTENSION_ID = HOST["firefox_extension_id"]
LAUNCHER = Path("browser-host") / "unspin-browser-host"  # under the data folder
# Under the data folder: `unspin serve` installed the host by itself once (or found it installed),
# or `uninstall` removed it; while this file exists, serve leaves the browsers alone.
FIRST_SERVE = Path("browser-host") / "first-serve"
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


def install(home: Path, data_dir: Path, platform: str = sys.platform) -> list[Path]:
    """Write the launcher (0700, in folders made 0700) and every browser's manifest; returns what
    was written."""
    launcher = data_dir / LAUNCHER
    private_folder(data_dir)
    private_folder(launcher.parent)
    launcher.write_text(launcher_script(data_dir), encoding="utf-8")
    launcher.chmod(0o700)
    written = [launcher]
    for browser, path in manifest_paths(home, platform).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest(browser, launcher), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def uninstall(home: Path, data_dir: Path, platform: str = sys.platform) -> list[Path]:
    """Remove the manifests and the launcher; returns what was removed."""
    removed = []
    for path in [*manifest_paths(home, platform).values(), data_dir / LAUNCHER]:
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


def installed_any(home: Path, data_dir: Path, platform: str = sys.platform) -> bool:
    """Whether any trace of the host is there: a manifest of Unspin in any browser's folder
    (whatever launcher it names: one installed with another --data-dir counts) or this data
    folder's launcher."""
    return any(path.exists() for path in [*manifest_paths(home, platform).values(), data_dir / LAUNCHER])


def remember(data_dir: Path, what: str) -> None:
    """Write FIRST_SERVE: `unspin serve` will not install the host again. Raises OSError."""
    private_folder(data_dir)
    private_folder(data_dir / FIRST_SERVE.parent)
    (data_dir / FIRST_SERVE).write_text(
        f"{what} on {time.strftime('%Y-%m-%d %H:%M')}. While this file exists, `unspin serve` does not install "
        "the browser host by itself; `unspin browser-host install` does.\n", encoding="utf-8")


def at_first_serve(home: Path, data_dir: Path, platform: str = sys.platform) -> tuple[str, bool] | None:
    """What the first `unspin serve` with the default data folder does: install the host for this
    user unless it was ever installed or uninstalled (FIRST_SERVE) or some of it is already there.
    Returns the one line to print and whether it is good news, or None when there is nothing to
    say. Never raises for a folder it cannot write: what it wrote is removed again and the line
    says so (the next start tries again)."""
    if platform != "darwin" and not platform.startswith("linux"):
        return None  # Windows: nothing to install (the extension's options take the secret)
    if (data_dir / FIRST_SERVE).exists():
        return None
    if installed_any(home, data_dir, platform):
        try:
            remember(data_dir, "The browser host was already installed when `unspin serve` first looked")
        except OSError:
            pass  # looked at again next time
        return None
    try:
        install(home, data_dir, platform)
    except OSError as exc:
        try:
            uninstall(home, data_dir, platform)
        except OSError:
            pass
        why = f"{exc.strerror}: {exc.filename}" if exc.strerror and exc.filename else str(exc)
        return (f"note: could not install the browser host for the extension ({why}); "
                f"`unspin browser-host install` tries again, {BROWSER_HOST_SETTING}=off stops this"), False
    try:
        remember(data_dir, "`unspin serve` installed the browser host")
    except OSError:
        pass  # the manifests now say so (installed_any)
    return (f"Browser host installed for this user: the extension can start the server itself "
            f"(undo: `unspin browser-host uninstall`; {BROWSER_HOST_SETTING}=off skips this step)"), True


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
        try:  # the reader's undo holds: `unspin serve` does not install it again
            remember(data_dir, "`unspin browser-host uninstall` removed the browser host")
        except OSError as exc:
            print(f"warning: cannot write {data_dir / FIRST_SERVE} ({exc.strerror or exc}): the next `unspin serve` "
                  f"may install the browser host again ({BROWSER_HOST_SETTING}=off prevents it)", file=sys.stderr)
        return 0
    found = status(home, data_dir)
    for name, ok in found.items():
        print(f"{name}: {'installed' if ok else 'not installed'}")
    return 0 if all(found.values()) else 1
