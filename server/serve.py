"""Serve the HTTP API on this machine with waitress (the model is loaded once).

Requests are checked (security.refusal) as soon as their headers arrive, before waitress reads
the body, and bodies are held in memory up to the size limit, never spooled to a temporary file.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Mapping
from http import HTTPStatus
from typing import ClassVar

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.utilities import Error, RequestEntityTooLarge

from .config import DEFAULT_HOST, DEFAULT_PORT
from .errors import error_body
from .security import UNAUTHORIZED_HEADERS, is_loopback, refusal

# Connections served at once: analyses queue one at a time (admission.py), so the other threads
# keep answering health checks and refusals. Each thread reads ahead on its connection to see
# a client that has gone (waitress.client_disconnected), so an abandoned analysis stops.
WAITRESS_THREADS = 8
REQUEST_LOOKAHEAD = 1
RESPONSE_BUFFER = 64 * 1024 * 1024  # bytes of responses held in memory before waitress would spool


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


def make_server(app, host: str, port: int):
    """A waitress server for `app` (not started) whose requests are checked before their body is
    read and whose bodies stay in memory. Raises OSError when the address cannot be bound."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    sockets: dict = {}
    server = create_server(app, map=sockets, host=host, port=port, threads=WAITRESS_THREADS,
                           channel_request_lookahead=REQUEST_LOOKAHEAD,
                           max_request_body_size=limit + 1, inbuf_overflow=limit + 2,
                           outbuf_overflow=RESPONSE_BUFFER)

    class Channel(HTTPChannel):
        def __init__(self, server, sock, addr, adj, map=None):
            super().__init__(server, sock, addr, adj, map)
            peer = addr[0] if isinstance(addr, tuple) else None
            self.parser_class = type("Parser", (CheckedParser,), {"config": app.config, "peer": peer})

    for listener in sockets.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = Channel
    return server


def url_for(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    from . import __version__
    from .app import create_app, get_engine
    from .config import default_model_path

    model = args.model or default_model_path()
    if not is_loopback(args.host):
        reach = ("other machines get answers from it: anyone who can reach this port can use the server"
                 if args.allow_remote else
                 "other machines can connect; their requests are refused because --allow-remote was not given")
        print(f"warning: listening on {args.host}, not only on loopback: {reach}. The Host and Origin "
              "checks keep web pages out; they are not access control against other machines.",
              file=sys.stderr)
    try:
        app = create_app({"MODEL_PATH": model, "ENGINE_THREADS": args.threads, "PRECISION": args.precision,
                          "ALLOWED_ORIGINS": tuple(args.allow_origin),
                          "ALLOWED_HOSTS": tuple(args.allow_host), "ALLOW_REMOTE": args.allow_remote,
                          "DATA_DIR": args.data_dir})
    except (FileNotFoundError, ValueError) as exc:  # no model, no LM package, or a model of another version
        print(f"error: cannot load the model from {model}: {exc}", file=sys.stderr)
        return 2
    try:
        server = make_server(app, args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    port = int(server.effective_port)  # waitress reports it as a string
    app.config["PORT"] = port  # the Host header must carry the port we really listen on
    engine = get_engine(app)
    info = engine.info
    print(f"Unspin {__version__} with model {info['name']} {info['version']}; language model in "
          f"{engine.precision['path']} ({engine.precision['why']})", flush=True)
    print(f"Listening on {url_for(args.host, port)} (Ctrl-C to stop)", flush=True)
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
