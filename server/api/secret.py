"""The per-user secret that joins the reader's own extension and server.

Every API call but the public part of GET /api/v1/health carries it (`Authorization: Bearer
<secret>`, security.refusal checks it); without it, or with another one, the answer is 401 with
a message that names `unspin token`. It lives in DATA_DIR/secret (feedback.default_data_dir:
`--data-dir`, else $UNSPIN_DATA_DIR, else ~/.local/share/unspin), created at the server's first
start with mode 0600 in a folder Unspin creates 0700, so only the reader's own account reads it.
The browser host hands it to the extension; `unspin token` prints it; `unspin analyze` reads it.

Before a client sends anything with the secret (and so before any page text), it asks the
server to prove that it knows the secret: GET /api/v1/health?nonce=<fresh nonce> answers
`proof` = HMAC-SHA256(secret, "<Host>\\n<nonce>"), lower-case hex. A program squatting the
port cannot compute it; covering the Host (which carries the port) means a squatter cannot
relay the nonce to the real server on another port and pass its answer off as its own.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from ..config import openapi_spec
from ..feedback import default_data_dir, private_folder
from ..instance import stale_secret

FILE_NAME = "secret"
SECRET_BYTES = 32  # of randomness, written as URL-safe base64 (43 characters)
MIN_SECRET_CHARS = 32  # what a secret file must hold: one line of URL-safe base64, at least this long
SECRET_PATTERN = rf"[A-Za-z0-9_-]{{{MIN_SECRET_CHARS},256}}"
MAX_FILE_BYTES = 258  # the longest secret and its newline; a file is never read further
# What a nonce may be: openapi.json, the rule's one owner (the extension makes them).
NONCE_PATTERN = openapi_spec()["paths"]["/api/v1/health"]["get"]["parameters"][0]["schema"]["pattern"]


class BadSecret(ValueError):
    """The secret file is not one Unspin wrote: its message says what is wrong and how to make a new one."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path} {problem}, so it is not an Unspin secret: delete it and start the server "
                         "again (`unspin serve` writes a new one; the extension gets it from the browser host, "
                         "or paste `unspin token` in its options)")


def secret_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / FILE_NAME


def read(data_dir: Path | str) -> str | None:
    """The secret in DATA_DIR/secret; None when there is none yet (no server started there).
    Raises BadSecret when the file is not a regular file (a symbolic link, a folder, a FIFO, a
    device) or does not hold one line of SECRET_PATTERN; OSError when it cannot be read."""
    path = secret_path(data_dir)
    try:  # never follow a link, never wait on a FIFO
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BadSecret(path, "is a symbolic link") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadSecret(path, "is not a regular file")
        data = os.read(fd, MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    line = data.removesuffix(b"\n")
    if not re.fullmatch(SECRET_PATTERN.encode(), line):
        raise BadSecret(path, f"does not hold one line of {MIN_SECRET_CHARS} or more letters, digits, '-' or '_'")
    return line.decode("ascii")


def load_or_create(data_dir: Path | str) -> str:
    """The secret in DATA_DIR/secret, created (folder 0700, file 0600) when missing; an existing
    file is made 0600. Raises BadSecret (see `read`) or OSError."""
    path = secret_path(data_dir)
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)  # never created with the umask's mode
    except FileExistsError:
        secret = read(data_dir)  # checks it is a regular file before its mode is touched
        os.chmod(path, 0o600, follow_symlinks=False)
    else:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(SECRET_BYTES) + "\n")
        secret = read(data_dir)
    if secret is None:
        raise BadSecret(path, "vanished while it was read")
    return secret


def fingerprint(secret: str) -> str:
    """SHA-256 of `secret` in hex: what the running server's record says of its secret (instance.py)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def bearer(secret: str) -> str:
    """The Authorization header's value for `secret`."""
    return f"Bearer {secret}"


def authorized(secret: str, header: str | None) -> bool:
    """True when an Authorization header carries exactly `secret` (compared in constant time)."""
    scheme, _, value = (header or "").strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), secret.encode())


def proof(secret: str, host: str, nonce: str) -> str:
    """HMAC-SHA256(secret, "<host>\\n<nonce>") in lower-case hex: the server's answer to a nonce
    sent to it at `host` (the Host header, e.g. "127.0.0.1:8765")."""
    return hmac.new(secret.encode(), f"{host.lower()}\n{nonce}".encode(), hashlib.sha256).hexdigest()


def new_nonce() -> str:
    """A fresh nonce for one proof (URL-safe, within NONCE_PATTERN)."""
    return secrets.token_urlsafe(24)


def server_knows(url: str, secret: str, timeout: float) -> bool | None:
    """Whether the server at `url` proves it knows `secret` (its `proof` of a fresh nonce, asked
    without the secret); None when nothing answers there as an Unspin server would within
    `timeout` seconds."""
    nonce = new_nonce()
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health?nonce={nonce}", timeout=timeout) as response:
            answer = json.load(response)
    except (OSError, ValueError):  # refused, timed out, not JSON
        return None
    if not isinstance(answer, dict) or answer.get("status") != "ok":
        return None
    want = proof(secret, urllib.parse.urlsplit(url).netloc, nonce)
    given = answer.get("proof")  # bytes: compare_digest refuses non-ASCII text with TypeError
    return isinstance(given, str) and hmac.compare_digest(given.encode(), want.encode())


# --- `unspin token` ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default=None,
                        help="the server's data folder (default: $UNSPIN_DATA_DIR, else ~/.local/share/unspin)")


def load_for_command(data_dir: Path) -> str | None:
    """`load_or_create` for a command: None once it printed why the secret cannot be used."""
    try:
        return load_or_create(data_dir)
    except (BadSecret, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def main(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir or default_data_dir())
    secret = load_for_command(data_dir)
    if secret is None:
        return 2
    stale = stale_secret(data_dir, fingerprint(secret))
    if stale:  # the running server would refuse this secret
        print(f"error: {stale}", file=sys.stderr)
        return 1
    print(secret)
    return 0
