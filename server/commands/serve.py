"""Serve the HTTP API on this machine with waitress (the model is loaded once).

Requests are checked (security.refusal) as soon as their headers arrive, before waitress reads
the body, and bodies are held in memory up to the size limit, never spooled to a temporary file.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import socket
import sys
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import ClassVar

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.utilities import Error, RequestEntityTooLarge

from .. import instance
from ..config import DEFAULT_HOST, DEFAULT_PORT, browser_host_at_first_serve
from ..contract.errors import error_body
from ..feedback import default_data_dir
from ..scan.sources import ScanNotFinished
from ..api.secret import fingerprint, load_for_command
from ..api.security import UNAUTHORIZED_HEADERS, is_loopback, refusal

# Connections served at once: analyses queue one at a time (api/admission.py), so the other threads
# keep answering health checks and refusals. Each thread reads ahead on its connection to see
# a client that has gone (waitress.client_disconnected), so an abandoned analysis stops.
WAITRESS_THREADS = 8
REQUEST_LOOKAHEAD = 1
RESPONSE_BUFFER = 64 * 1024 * 1024  # bytes of responses held in memory before waitress would spool
# Open connections at once. Every client of a loopback server shares one address, so the cap is
# on all of them: a connection beyond it closes the one idle longest (no request in service), so
# idle or half-sent connections can never lock health out (waitress's own limit would stop
# accepting). Idle connections are also closed after IDLE_TIMEOUT_S.
CONNECTION_CAP = 64
IDLE_TIMEOUT_S = 30
# The loopback address of each family: a server on one also holds the other on its port, so no
# other local program can listen there and relay a client that reaches "localhost" through it.
LOOPBACK_FAMILIES = {"127.0.0.1": "::1", "localhost": "::1", "::1": "127.0.0.1"}
FREE_PORT_TRIES = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to bind (default {DEFAULT_HOST}); other machines are still refused "
                             "unless --allow-remote is given")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--model", default=None,
                        help="model folder (default: $UNSPIN_MODEL, else the shipped models/unspin-lm)")
    parser.add_argument("--threads", type=int, default=None, help="inference (torch) threads")
    parser.add_argument("--precision", choices=("fp32", "bf16", "autocast", "int8"), default=None,
                        help="the language model's numeric path (default: $UNSPIN_PRECISION, else the fastest "
                             "that keeps fp32 quality, measured at start)")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="also let this origin call the API (repeatable); Firefox users pass their "
                             "extension's origin, moz-extension://<uuid>, shown on its options page")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also accept this Host name (repeatable), e.g. the address given to --host")
    parser.add_argument("--data-dir", default=None,
                        help="where readers' corrections are kept (default: $UNSPIN_DATA_DIR, else "
                             "~/.local/share/unspin)")
    parser.add_argument("--scan", action="append", default=[], metavar="DIR",
                        help="a finished `unspin scan` output folder (repeatable): the extension then shows a "
                             "scanned copy's likely source (POST /api/v1/source); needs the scan extra")
    parser.add_argument("--no-browser-host", dest="browser_host", action="store_false",
                        help="do not install the browser host at this first start with the default data folder "
                             "(also $UNSPIN_BROWSER_HOST=off; `unspin browser-host` installs or removes it any time)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="answer clients on other machines too (anyone who can reach the port "
                             "and knows the secret, `unspin token`, can then use the server)")


class Refused(Error):
    """A waitress error response carrying the API's JSON error body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.code, self.reason = status, HTTPStatus(status).phrase

    def to_response(self, ident=None):
        body = json.dumps(error_body(self.code, self.body)).encode()
        headers = [("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff")]
        if self.code == 401:
            headers += list(UNAUTHORIZED_HEADERS.items())
        return f"{self.code} {self.reason}", headers, body


class CheckedParser(HTTPRequestParser):
    """Waitress's request parser, refusing a request once its headers are in (security.refusal)."""

    config: ClassVar[Mapping] = {}  # the app's config (set per server by make_server)
    command: str  # the request line's method and path, decoded by waitress's parser
    path: str
    peer: ClassVar[str | None] = None  # the client's IP address (set per connection)

    def received(self, data: bytes) -> int:
        had_headers = self.headers_finished
        consumed = super().received(data)
        # waitress may already have refused an announced body over its limit: our rules (and our
        # JSON error) come first. Malformed requests keep waitress's 400.
        if self.headers_finished and not had_headers and (
                self.error is None or isinstance(self.error, RequestEntityTooLarge)):
            headers = self.headers
            length = headers.get("CONTENT_LENGTH", "")
            refused = refusal(self.config, peer=self.peer, host=headers.get("HOST"),
                              origin=headers.get("ORIGIN"), fetch_site=headers.get("SEC_FETCH_SITE"),
                              content_length=int(length) if length.isdigit() else None,
                              method=self.command, path=self.path, authorization=headers.get("AUTHORIZATION"))
            if refused:
                self.error = Refused(*refused)
                self.completed = True  # answer now; the body is never read
        return consumed


def bind(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to `host`:`port` (0: a free port) and, for a loopback host, to the other
    family's loopback address on the same port (LOOPBACK_FAMILIES), not yet listening. A machine
    without that family's loopback address (no IPv6) gets the first socket alone; with port 0, a
    port whose other-family address is taken is given up for another (FREE_PORT_TRIES). Raises
    OSError when an address cannot be bound, naming a program already on the other family's address."""
    name = host.strip("[]")
    other = LOOPBACK_FAMILIES.get(name.lower())
    first_address = "127.0.0.1" if name.lower() == "localhost" else name
    tries = FREE_PORT_TRIES if port == 0 else 1
    for attempt in range(1, tries + 1):
        first = _bound(first_address, port)
        if other is None:
            return [first]
        chosen = first.getsockname()[1]
        try:
            return [first, _bound(other, chosen)]
        except OSError as exc:
            if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):  # no such loopback here: nobody can listen there
                return [first]
            first.close()
            if exc.errno != errno.EADDRINUSE:
                raise
            if attempt == tries:
                raise OSError(exc.errno, f"another program listens on {url_for(other, chosen)}, where it could relay "
                                         "this server's clients; stop it or choose another --port") from exc
    raise AssertionError("the last try returns or raises")


def _bound(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does (restarts over TIME_WAIT)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((address, port))
    except OSError:
        sock.close()
        raise
    return sock


def make_server(app, host: str, port: int):
    """A waitress server for `app` (not started) on `host`:`port` (see `bind`; port 0 picks a
    free one), whose requests are checked before their body is read and whose bodies stay in
    memory; the port it listens on is set as the app's PORT (the Host header must carry it).
    Raises OSError when the address cannot be bound."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    sockets = bind(host, port)
    app.config["PORT"] = sockets[0].getsockname()[1]
    socket_map: dict = {}
    server = create_server(app, map=socket_map, sockets=sockets, threads=WAITRESS_THREADS,
                           channel_request_lookahead=REQUEST_LOOKAHEAD,
                           max_request_body_size=limit + 1, inbuf_overflow=limit + 2,
                           outbuf_overflow=RESPONSE_BUFFER, connection_limit=CONNECTION_CAP + 16,
                           channel_timeout=IDLE_TIMEOUT_S, cleanup_interval=max(1, IDLE_TIMEOUT_S // 6))

    class Channel(HTTPChannel):
        def __init__(self, server, sock, addr, adj, map=None):
            super().__init__(server, sock, addr, adj, map)
            peer = addr[0] if isinstance(addr, tuple) else None
            self.parser_class = type("Parser", (CheckedParser,), {"config": app.config, "peer": peer})
            _make_room(socket_map, self)

    for listener in socket_map.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = Channel
    return server


def _make_room(socket_map: dict, newcomer: HTTPChannel) -> None:
    """Close the connections idle longest (no request in service) while more than CONNECTION_CAP
    are open (runs in waitress's event loop, as the newcomer is accepted)."""
    channels = [c for c in list(socket_map.values()) if isinstance(c, HTTPChannel)]
    idle = sorted((c for c in channels if c is not newcomer and not c.requests), key=lambda c: c.last_activity)
    for channel in idle[: max(0, len(channels) - CONNECTION_CAP)]:
        channel.handle_close()


def url_for(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _first_serve(args: argparse.Namespace, data_dir: Path) -> None:
    """Install the browser host for this user at the first start with the default data folder
    (browser_host.at_first_serve), saying so in one line. Not with a data folder given
    (--data-dir, $UNSPIN_DATA_DIR: the browser host's own starts, the service's, tests), nor when
    $UNSPIN_BROWSER_HOST is off or --no-browser-host is given. Never stops the server."""
    if (args.data_dir or os.environ.get("UNSPIN_DATA_DIR") or not getattr(args, "browser_host", True)
            or not browser_host_at_first_serve()):
        return
    from . import browser_host

    try:
        said = browser_host.at_first_serve(Path.home(), data_dir.absolute())
    except Exception as exc:  # the server starts whatever happens here
        said = f"note: could not install the browser host for the extension ({exc})", False
    if said:
        print(said[0], file=sys.stdout if said[1] else sys.stderr, flush=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    from ..config import default_model_path

    model = Path(args.model or default_model_path())
    if not is_loopback(args.host):
        reach = ("other machines get answers from it: anyone who can reach this port can use the server"
                 if args.allow_remote else
                 "other machines can connect; their requests are refused because --allow-remote was not given")
        print(f"warning: listening on {args.host}, not only on loopback: {reach}. The Host and Origin "
              "checks keep web pages out; they are not access control against other machines.",
              file=sys.stderr)
    data_dir = Path(args.data_dir or default_data_dir())
    secret = load_for_command(data_dir)
    if secret is None:
        return 2
    try:
        with instance.hold(data_dir):  # one server per data folder (and so per secret)
            return _serve(args, model, data_dir, secret)
    except instance.AlreadyRunning as exc:
        print(f"error: {exc}; stop it first or give this one another --data-dir", file=sys.stderr)
        return 1


def _serve(args: argparse.Namespace, model: Path, data_dir: Path, secret: str) -> int:
    from .. import __version__
    from ..api.app import create_app, get_engine

    try:
        app = create_app({"MODEL_PATH": model, "ENGINE_THREADS": args.threads, "PRECISION": args.precision,
                          "ALLOWED_ORIGINS": tuple(args.allow_origin),
                          "ALLOWED_HOSTS": tuple(args.allow_host), "ALLOW_REMOTE": args.allow_remote,
                          "DATA_DIR": str(data_dir), "SECRET": secret, "SCANS": tuple(args.scan)})
    except ScanNotFinished as exc:
        print(f"error: --scan: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as exc:  # no model, no LM package, or a model of another version
        print(f"error: cannot load the model from {model}: {exc}", file=sys.stderr)
        return 2
    try:
        server = make_server(app, args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    url = url_for(args.host, app.config["PORT"])
    instance.publish(data_dir, url, fingerprint(secret))
    engine = get_engine(app)
    info = engine.info
    print(f"Unspin {__version__} with model {info['name']} {info['version']}; language model in "
          f"{engine.precision['path']} ({engine.precision['why']})", flush=True)
    _first_serve(args, data_dir)
    print(f"Listening on {url} (Ctrl-C to stop)", flush=True)
    # Ctrl-C and `kill` both stop it cleanly. SIGINT is set explicitly: a process started from a
    # script in the background inherits SIGINT as ignored, and Python then leaves it ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("Stopped.", flush=True)
    return 0
