"""Security review, third round: each finding reproduced against a live server or the real
reader (a test per finding, failing on the code before its fix)."""

from __future__ import annotations

import errno
import http.client
import json
import socket
import time

import pytest

from unspin.app import create_app
from unspin.secret import load_or_create, new_nonce, proof
from unspin.serve import CONNECTION_CAP, make_server


def _ipv6_loopback() -> socket.socket | None:
    """A socket bound to [::1] on a free port, or None on a machine without IPv6 loopback."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        sock.bind(("::1", 0))
    except OSError:
        sock.close()
        return None
    return sock


@pytest.fixture
def live(engine, run_in_thread):
    """start(**config) -> (app, server) of a live server on 127.0.0.1 and a free port."""
    servers = []

    def start(**config):
        app = create_app(config, engine=engine)
        server = make_server(app, "127.0.0.1", 0)
        run_in_thread(server)
        servers.append(server)
        return app

    yield start
    for server in servers:
        server.close()


def _health(address: str, port: int, host: str, nonce: str, timeout: float = 10) -> dict:
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request("GET", f"/api/v1/health?nonce={nonce}", headers={"Host": host})
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def test_no_relay_can_listen_on_the_other_loopback_family(live, data_dir):
    # Finding 1: the server held 127.0.0.1 only; another local program listened on [::1] at the
    # same port and relayed clients that reached "localhost" through IPv6, proof and all.
    app = live()
    port = app.config["PORT"]
    relay = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError) as refused:
            relay.bind(("::1", port))
        assert refused.value.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)
    finally:
        relay.close()
    probe = _ipv6_loopback()
    if probe is not None:  # this machine has IPv6 loopback: the server itself answers there, with its proof
        probe.close()
        nonce = new_nonce()
        answer = _health("::1", port, f"localhost:{port}", nonce)
        assert answer["proof"] == proof(load_or_create(data_dir), f"localhost:{port}", nonce)


def test_a_server_does_not_start_beside_a_relay_on_the_other_family(engine):
    relay = _ipv6_loopback()
    if relay is None:  # no IPv6 loopback: nobody can listen there, and the server starts on IPv4 alone
        app = create_app({}, engine=engine)
        make_server(app, "127.0.0.1", 0).close()
        return
    relay.listen()
    port = relay.getsockname()[1]
    try:
        with pytest.raises(OSError, match=r"another program listens on http://\[::1\]:\d+, where it could relay"):
            make_server(create_app({}, engine=engine), "127.0.0.1", port)
        listener = socket.socket()  # nothing of the refused server is left bound
        listener.bind(("127.0.0.1", port))
        listener.close()
    finally:
        relay.close()


@pytest.mark.parametrize("half_sent", [False, True])
def test_idle_connections_cannot_lock_health_out(live, half_sent):
    # Finding 5: 110 idle sockets filled waitress's connection limit (100) and health timed out
    # until they closed.
    port = live().config["PORT"]
    idle = []
    try:
        for _ in range(CONNECTION_CAP + 46):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if half_sent:  # slowloris: headers begun, never finished
                sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(sock)
        started = time.monotonic()
        assert _health("127.0.0.1", port, f"127.0.0.1:{port}", new_nonce(), timeout=20)["status"] == "ok"
        assert time.monotonic() - started < 10
    finally:
        for sock in idle:
            sock.close()
