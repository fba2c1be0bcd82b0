"""Process helpers the tests share (tests/test_browser_host.py, tests/test_hardening.py, tests/test_wheel.py,
tests/browser/test_host_starts_server.py, tests/browser/test_firefox.py)."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_processes_using(folder: Path, sig: int = signal.SIGTERM) -> int:
    """Send `sig` to every process with `folder` on its command line (the server the host started,
    in a session of its own; a Firefox whose driver died); how many."""
    count = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(folder).encode() in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), sig)
                count += 1
        except OSError:
            pass
    return count
