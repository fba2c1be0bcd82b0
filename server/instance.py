"""One server per data folder: the lock `unspin serve` holds while it runs, and its record.

DATA_DIR/server.lock is held (filelock: an OS file lock, released when the process ends, however
it ends) from before the model loads until the server stops. A second start with the same data
folder finds it held and reports the first server instead of loading a second model beside it.
DATA_DIR/server.json, written once the server listens, says where (url, pid) and with which
secret (its SHA-256, `secret.fingerprint`): the browser host and `unspin token` compare it with
the secret file, so a file replaced after the server started is reported rather than handed out
as a secret the server refuses. A record whose lock is free is a server that has stopped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = "server.lock"
RECORD_NAME = "server.json"
GRACE_S = 2.0  # a start waits this long for the lock (another process may be only checking it)


class AlreadyRunning(RuntimeError):
    """Another server holds the data folder's lock; `record` is its record ({} while it starts)."""

    def __init__(self, record: dict):
        where = f"at {record['url']} (pid {record['pid']})" if record.get("url") else "and is still starting"
        super().__init__(f"another Unspin server uses this data folder {where}")
        self.record = record


@contextmanager
def hold(data_dir: Path) -> Iterator[None]:
    """Hold DATA_DIR's server lock for the block. Raises AlreadyRunning when another process holds it."""
    lock = _lock(data_dir)
    try:
        lock.acquire(timeout=GRACE_S)
    except Timeout:
        raise AlreadyRunning(_record(data_dir)) from None
    try:
        yield
    finally:
        (data_dir / RECORD_NAME).unlink(missing_ok=True)
        lock.release()


def publish(data_dir: Path, url: str, fingerprint: str) -> None:
    """Write the record of the server that holds the lock (mode 0600, replaced atomically)."""
    tmp = data_dir / f"{RECORD_NAME}.{os.getpid()}"
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"url": url, "pid": os.getpid(), "secret_sha256": fingerprint}, handle)
    os.replace(tmp, data_dir / RECORD_NAME)


def running(data_dir: Path) -> dict | None:
    """The record of the server holding DATA_DIR's lock ({} while it starts), None when none does."""
    if not (data_dir / LOCK_NAME).exists():  # never started here
        return None
    lock = _lock(data_dir)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return _record(data_dir)
    lock.release()
    return None


def stale_secret(data_dir: Path, fingerprint: str) -> str | None:
    """None, or what to tell the user when the server running with DATA_DIR started with another
    secret than the file's (`fingerprint`: secret.fingerprint of the file's): the file was
    replaced after it started, and it refuses the file's secret until it is restarted."""
    record = running(data_dir)
    if not record or record.get("secret_sha256") in (None, fingerprint):
        return None
    return (f"the Unspin server at {record.get('url')} (pid {record.get('pid')}) started with another secret: "
            f"{data_dir / 'secret'} was replaced since. Restart the server (stop process {record.get('pid')}; "
            "the extension or `unspin serve` starts it again) so that it uses the new one")


def _lock(data_dir: Path) -> FileLock:
    # The lock file stays: deleting it while another process opens it would let two hold "it".
    return FileLock(data_dir / LOCK_NAME, mode=0o600, preserve_lock_file=True, thread_local=False)


def _record(data_dir: Path) -> dict:
    try:
        record = json.loads((data_dir / RECORD_NAME).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}
