"""Serve the HTTP API on this machine with waitress (the model is loaded once)."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WAITRESS_THREADS = 4  # concurrent requests; inference threads are set by --threads


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1; anything else exposes the server)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--model", default=None,
                        help="model folder (default: $UNSPIN_MODEL, else the shipped models/unspin-lm)")
    parser.add_argument("--threads", type=int, default=None, help="inference (torch) threads")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="also let this web origin call the API (repeatable), e.g. http://localhost:3000")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also accept this Host name (repeatable), e.g. the address given to --host")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_for(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    from waitress import create_server

    from . import __version__
    from .app import create_app, get_engine
    from .config import default_model_path

    model = args.model or default_model_path()
    if not is_loopback(args.host):
        print(f"warning: listening on {args.host}, not on loopback: other machines may reach this "
              "server. Requests must still name a loopback host (or one given with --allow-host).",
              file=sys.stderr)
    try:
        app = create_app({"MODEL_PATH": model, "ENGINE_THREADS": args.threads,
                          "ALLOWED_ORIGINS": tuple(args.allow_origin),
                          "ALLOWED_HOSTS": tuple(args.allow_host)})
    except (FileNotFoundError, ValueError) as exc:  # no model, no LM package, or a model of another version
        print(f"error: cannot load the model from {model}: {exc}", file=sys.stderr)
        return 2
    try:
        server = create_server(app, host=args.host, port=args.port, threads=WAITRESS_THREADS)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    port = int(server.effective_port)  # waitress reports it as a string
    app.config["PORT"] = port  # the Host header must carry the port we really listen on
    info = get_engine(app).info
    print(f"Unspin {__version__} with model {info['name']} {info['version']}", flush=True)
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
