"""A program squatting Unspin's port without knowing the secret, for the tests that check it
learns nothing (tests/test_secret.py, tests/test_browser_host.py, tests/browser/)."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Squatter(BaseHTTPRequestHandler):
    """Answers health as Unspin would, with a made-up `proof`, and records every request it gets
    as (method, path, headers, body)."""

    requests: list = []
    proof: str | None = "0" * 64

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.requests.append(("GET", self.path, dict(self.headers), b""))
        self._json({"status": "ok", "version": "1", "proof": self.proof,
                    "limits": {"max_tokens": 16384, "max_paragraphs": 2000}})

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.requests.append(("POST", self.path, dict(self.headers), body))
        self._json({})

    def do_OPTIONS(self):  # noqa: N802
        self.requests.append(("OPTIONS", self.path, dict(self.headers), b""))
        self._json({})

    def _json(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def squatting():
    """A Squatter on a free port of 127.0.0.1 (its requests cleared); yields the port."""
    Squatter.requests.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Squatter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
