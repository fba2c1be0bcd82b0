"""A small HTTP server in front of the real `unspin serve`, for the load tests (test_load.py).

It forwards every request to the real server unchanged and answers with the real server's
answer, except where a test asks it to play a part of the load contract (server/openapi.json)
on cue, which a real server does only under real load (tests/test_bounded_work.py checks the
server's side):
- `hold_s`: each POST /api/v1/analyze waits this long before it is forwarded (an analysis in
  flight); a client that disconnects meanwhile is seen, counted in `dropped` and not forwarded
  (the real server drops the work of a client that went);
- `busy`: that many analyze requests are answered 503 with `Retry-After: retry_after` and
  {"error": {"code": "busy", ...}} (a full analysis queue);
- `too_large`: the next analyze request is answered 413 with {"error": {"code": "too_large",
  "tokens": N, "limit": M}}: (N, M) = too_large(paragraphs) (over the server's token limit);
- `limits`: GET /api/v1/health reports these `limits` ({max_tokens, max_paragraphs}).

It knows the real server's secret: the extension checks that what answers at the proxy's own
address knows it (the proof covers the Host, so a relayed proof would not do), so the proxy
answers a nonce with its own proof.

It records what reached it: each analyze body (`bodies`), the 503 and 413 answers it gave.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from urllib.parse import parse_qs, urlsplit

import requests

from unspin.api.secret import proof

# Request headers the real server's checks read (security.py); Host is the real server's own.
FORWARDED = ("Content-Type", "Authorization", "Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "User-Agent",
             "Access-Control-Request-Method", "Access-Control-Request-Headers")
# Answer headers passed back (the CORS ones among them).
RETURNED = ("Content-Type", "Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Vary", "Retry-After")


class LoadProxy:
    def __init__(self, upstream: str, secret: str):
        self.upstream = upstream
        self.secret = secret
        self.hold_s = 0.0
        self.busy = 0
        self.retry_after = 1
        self.too_large = None
        self.limits = None
        self.bodies: list[dict] = []
        self.busy_answers = 0
        self.too_large_answers = 0
        self.dropped = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                proxy._forward(self, None)

            def do_OPTIONS(self):  # noqa: N802
                proxy._forward(self, None)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == "/api/v1/analyze":
                    proxy._analyze(self, body)
                else:
                    proxy._forward(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def analyze_texts(self) -> list[list[str]]:
        """The paragraphs of each analyze request that reached this server, in order."""
        with self.lock:
            return [body["paragraphs"] for body in self.bodies]

    # --- answers ---------------------------------------------------------------------------

    def _analyze(self, handler, body: bytes):
        parsed = json.loads(body)
        with self.lock:
            self.bodies.append(parsed)
            busy = self.busy > 0
            if busy:
                self.busy -= 1
                self.busy_answers += 1
            too_large, self.too_large = (None, self.too_large) if busy else (self.too_large, None)
            if too_large:
                self.too_large_answers += 1
        if busy:
            return self._send(handler, 503, {"error": {"code": "busy", "message": "The analysis queue is full"}},
                              {"Retry-After": str(self.retry_after)})
        if too_large:
            tokens, limit = too_large(parsed["paragraphs"])
            error = {"code": "too_large", "message": "The article is over the token limit", "tokens": tokens, "limit": limit}
            return self._send(handler, 413, {"error": error})
        if not self._wait_unless_dropped(handler.connection, self.hold_s):
            with self.lock:
                self.dropped += 1
            return
        self._forward(handler, body)

    @staticmethod
    def _wait_unless_dropped(connection, seconds: float) -> bool:
        """Wait `seconds`; False as soon as the client closes the connection."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if connection.recv(1, socket.MSG_PEEK) == b"":
                        return False
                except OSError:
                    return False
        return True

    def _forward(self, handler, body: bytes | None):
        headers = {k: handler.headers[k] for k in FORWARDED if handler.headers.get(k)}
        answer = requests.request(handler.command, self.upstream + handler.path, headers=headers, data=body, timeout=300)
        content = answer.content
        if urlsplit(handler.path).path == "/api/v1/health" and answer.ok:
            health = answer.json()
            nonce = parse_qs(urlsplit(handler.path).query).get("nonce")
            if nonce:
                health["proof"] = proof(self.secret, handler.headers["Host"], nonce[0])
            if self.limits is not None and "limits" in health:
                health["limits"] = self.limits
            content = json.dumps(health).encode()
        passed = {k: answer.headers[k] for k in RETURNED if k in answer.headers}
        self._send(handler, answer.status_code, content, passed)

    @staticmethod
    def _send(handler, status: int, body, headers: dict | None = None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            handler.send_response(status)
            for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client went meanwhile
