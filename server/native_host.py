"""The browser host: the program a browser starts when Unspin's extension asks it to start the
server (native messaging; `unspin browser-host install` registers it, browser_host.py).

The browser writes one message to its stdin and reads the answer from its stdout, each framed as
native messaging frames them: a 4-byte length in the machine's byte order, then that many bytes
of UTF-8 JSON. The one message it takes:

    {"type": "start"}                        start the server on the default port
    {"type": "start", "port": N}             ... on port N
    {"type": "start", "origin": "moz-extension://<uuid>"}
                                             Firefox: let that origin in (--allow-origin)

It answers once and exits:

    {"type": "ready", "url": "http://127.0.0.1:N", "secret": "..."}
        once GET /api/v1/health proves the server there knows this user's secret (a server
        already running counts);
    {"type": "error", "message": "..."}
        a bad message (nothing is started), a port held by another program, or a server that
        stopped or did not answer within START_TIMEOUT_S (its log: DATA_DIR/server.log).

The server runs in the background, in a session of its own, so it outlives the host and the
browser's handle on it; it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import BinaryIO

from . import instance
from .config import DEFAULT_HOST, DEFAULT_PORT
from .feedback import default_data_dir
from .api.secret import BadSecret, fingerprint, load_or_create, server_knows
from .commands.service import serve_command

HOST = DEFAULT_HOST  # the server the host starts listens on loopback only
LENGTH = struct.Struct("=I")  # the frame's length prefix: 4 bytes, native byte order
MAX_MESSAGE_BYTES = 4096  # a start message is a few dozen bytes; anything longer is refused unread
START_TIMEOUT_S = 300.0  # the first start converts the language model (about 30 s) before loading it
POLL_S = 0.25  # between health checks while the server starts
HEALTH_TIMEOUT_S = 2.0  # for one health check
LOG_NAME = "server.log"  # the started server's output, in the data folder
FIREFOX_ORIGIN = re.compile(r"moz-extension://[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # fullmatch


class BadMessage(ValueError):
    """A frame or message the host refuses (its text is the answer's message)."""


def read_message(stream: BinaryIO) -> dict:
    """The next framed message from `stream`. Raises BadMessage for a short frame, one over
    MAX_MESSAGE_BYTES (its body is not read), or a body that is not a UTF-8 JSON object."""
    head = stream.read(LENGTH.size)
    if len(head) < LENGTH.size:
        raise BadMessage("no message: expected a 4-byte length and a JSON message")
    (length,) = LENGTH.unpack(head)
    if length > MAX_MESSAGE_BYTES:
        raise BadMessage(f"message too long: {length} bytes, at most {MAX_MESSAGE_BYTES}")
    body = stream.read(length)
    if len(body) < length:
        raise BadMessage(f"message cut short: {len(body)} of {length} bytes")
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadMessage("the message is not UTF-8 JSON") from None
    except RecursionError:  # the parser's depth limit (a 4 kB message can nest 2,000 deep)
        raise BadMessage("the message is nested too deeply") from None
    if not isinstance(message, dict):
        raise BadMessage("the message is not a JSON object")
    return message


def write_message(stream: BinaryIO, message: dict) -> None:
    """Write `message` framed (length prefix, UTF-8 JSON) and flush."""
    body = json.dumps(message).encode("utf-8")
    stream.write(LENGTH.pack(len(body)) + body)
    stream.flush()


def parse_start(message: dict) -> tuple[int, str | None]:
    """(port, Firefox origin to allow or None) of a start message. Raises BadMessage."""
    if message.get("type") != "start":
        raise BadMessage(f"unknown message type {message.get('type')!r}: only 'start' is understood")
    unknown = set(message) - {"type", "port", "origin"}
    if unknown:
        raise BadMessage(f"unknown fields: {', '.join(sorted(unknown))}")
    port = message.get("port", DEFAULT_PORT)
    if type(port) is not int or not 1 <= port <= 65535:
        raise BadMessage("port: an integer from 1 to 65535")
    origin = message.get("origin")
    if origin is not None and not (isinstance(origin, str) and FIREFOX_ORIGIN.fullmatch(origin)):
        raise BadMessage("origin: a Firefox extension origin, moz-extension://<uuid>")
    return port, origin


def start_server(port: int, origin: str | None, data_dir: Path) -> dict:
    """Make sure this user's server answers on 127.0.0.1:`port` (starting `unspin serve` in the
    background when nothing does); the ready or error answer."""
    try:
        secret = load_or_create(data_dir)  # the server reads the same file (its folder made 0700 there)
    except (BadSecret, OSError) as exc:
        return {"type": "error", "message": f"Unspin's secret cannot be used: {exc}"}
    stale = instance.stale_secret(data_dir, fingerprint(secret))
    if stale:
        return {"type": "error", "message": stale}
    url = f"http://{HOST}:{port}"
    known = server_knows(url, secret, HEALTH_TIMEOUT_S)
    if known:
        if origin and not origin_allowed(url, origin):
            return {"type": "error", "message": f"The Unspin server at {url} was started without this Firefox "
                                                f"extension's origin: stop it, and the next start lets {origin} in"}
        return {"type": "ready", "url": url, "secret": secret}
    if known is False:
        return {"type": "error", "message": f"Port {port} is used by another program, not your Unspin server: "
                                            "choose another port in Unspin's options"}
    log_path = data_dir / LOG_NAME
    log = os.fdopen(os.open(log_path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600), "w")
    command = serve_command(port, [origin] if origin else [], data_dir)
    with log:
        server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                  cwd=data_dir, start_new_session=True, close_fds=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server_knows(url, secret, HEALTH_TIMEOUT_S):
            return {"type": "ready", "url": url, "secret": secret}
        if server.poll() is not None and server_knows(url, secret, HEALTH_TIMEOUT_S) is None:
            return {"type": "error", "message": f"The Unspin server stopped (exit {server.returncode}): see {log_path}"}
        time.sleep(POLL_S)
    return {"type": "error", "message": f"The Unspin server did not answer within {START_TIMEOUT_S:.0f} s: see {log_path}"}


def origin_allowed(url: str, origin: str) -> bool:
    """Whether the server at `url` answers a call from `origin` (its public health, with that
    Origin: 403 when the server was started without it)."""
    request = urllib.request.Request(f"{url}/api/v1/health", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=HEALTH_TIMEOUT_S):
            return True
    except OSError:  # HTTPError 403, or no answer
        return False


def main() -> int:
    """Answer one message on stdin (the browser's arguments, the caller's origin or the manifest
    path and extension id, are not needed: the manifests let only Unspin's extension in)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        port, origin = parse_start(read_message(stdin))
    except BadMessage as exc:
        write_message(stdout, {"type": "error", "message": f"Refused: {exc}"})
        return 1
    answer = start_server(port, origin, default_data_dir())
    write_message(stdout, answer)
    return 0 if answer["type"] == "ready" else 1


if __name__ == "__main__":
    sys.exit(main())
