"""Who may call the local server: Host (DNS rebinding), Origin/CORS, and no logged text."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import socket
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from unspin.api.app import create_app
from unspin.api.security import CHROMIUM_EXTENSION_ID, EXTENSION_ORIGINS, host_allowed
from unspin.commands.serve import make_server

PORT = 8765
ANALYZE = "/api/v1/analyze"
EXTENSION = EXTENSION_ORIGINS[0]
FIREFOX = "moz-extension://0b8a51f2-7a3c-4f7e-9d55-3c1c2f0e8a11"
MANIFEST = Path(__file__).resolve().parents[1] / "extension" / "src" / "manifest.json"


def test_the_allowed_chromium_id_is_the_one_the_manifest_key_gives():
    # Chromium: id = first 32 hex digits of sha256(public key), digits 0-f written as a-p.
    key = base64.b64decode(json.loads(MANIFEST.read_text())["key"])
    digest = hashlib.sha256(key).hexdigest()[:32]
    assert "".join(chr(ord("a") + int(c, 16)) for c in digest) == CHROMIUM_EXTENSION_ID


@pytest.mark.parametrize("host,allowed", [
    ("127.0.0.1:8765", True),
    ("localhost:8765", True),
    ("LocalHost:8765", True),
    ("[::1]:8765", True),
    ("127.0.0.1:8766", False),  # another local service's port
    ("localhost", False),  # port 80 implied
    ("evil.example:8765", False),  # a rebinding domain resolving to 127.0.0.1
    ("localhost.evil.example:8765", False),
    ("127.0.0.1.nip.io:8765", False),
    ("127.0.0.2:8765", False),
    ("0.0.0.0:8765", False),
    ("[::1:8765", False),
    ("::1:8765", False),
    ("localhost:8765:8765", False),
    ("localhost:+8765", False),
    ("localhost:８７６５", False),  # fullwidth digits
    ("", False),
])
def test_host_header(make_client, check_contract, host, allowed):
    client = make_client(PORT=PORT)
    response = client.get("/api/v1/health", headers={"Host": host})
    assert response.status_code == (200 if allowed else 403)
    check_contract("GET", "/api/v1/health", response.status_code, response.json)
    if not allowed:
        assert response.json["error"]["code"] == "forbidden"


def test_host_check_guards_every_path_and_method(make_client):
    client = make_client(PORT=PORT)
    headers = {"Host": "evil.example:8765"}
    assert client.post(ANALYZE, json={"paragraphs": ["a"]}, headers=headers).status_code == 403
    assert client.get("/no/such/path", headers=headers).status_code == 403
    assert client.get(ANALYZE, headers=headers).status_code == 403
    assert client.options(ANALYZE, headers=headers).status_code == 403


def test_configured_host_names_are_accepted(make_client):
    client = make_client(PORT=PORT, ALLOWED_HOSTS=("unspin.test",))
    assert client.get("/api/v1/health", headers={"Host": "unspin.test:8765"}).status_code == 200
    assert client.get("/api/v1/health", headers={"Host": "other.test:8765"}).status_code == 403


def test_any_port_when_the_app_does_not_know_its_port():
    assert host_allowed("localhost:1234", None)
    assert not host_allowed("example.com:1234", None)
    assert not host_allowed(None, None)


@pytest.mark.parametrize("origin,allowed", [
    (EXTENSION, True),
    ("chrome-extension://abcdefghijklmnopabcdefghijklmnop", False),  # any other extension
    (FIREFOX, False),  # Firefox ids are per install: allowed only with --allow-origin
    (EXTENSION + "/", False),
    ("https://news.example", False),
    ("http://127.0.0.1:8765", False),  # we serve no pages; a page on localhost is still a page
    ("http://localhost:3000", False),
    ("null", False),  # sandboxed iframes, file:// pages
    ("chrome-extension://", False),
    ("chrome-extension://abc/evil", False),
    ("https://chrome-extension.evil.example", False),
])
def test_origin(client, check_contract, origin, allowed):
    response = client.post(ANALYZE, json={"paragraphs": ["a"]}, headers={"Origin": origin})
    assert response.status_code == (200 if allowed else 403)
    check_contract("POST", ANALYZE, response.status_code, response.json)
    if allowed:
        assert response.headers["Access-Control-Allow-Origin"] == origin
    else:
        assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers.get("Vary", "")


def test_configured_origins_are_allowed(make_client):
    client = make_client(ALLOWED_ORIGINS=(FIREFOX,))
    ok = client.get("/api/v1/health", headers={"Origin": FIREFOX})
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == FIREFOX
    assert client.get("/api/v1/health", headers={"Origin": EXTENSION}).status_code == 200
    other = client.get("/api/v1/health", headers={"Origin": FIREFOX.replace("0b8a", "1b8a")})
    assert other.status_code == 403


def test_a_refused_firefox_origin_is_told_the_flag_that_allows_it(client):
    response = client.get("/api/v1/health", headers={"Origin": FIREFOX})
    assert response.status_code == 403
    assert f"--allow-origin {FIREFOX}" in response.json["error"]["message"]


@pytest.mark.parametrize("site,status", [
    ("cross-site", 403), ("same-site", 403), ("same-origin", 200), ("none", 200), (None, 200),
    ("Cross-Site", 403), (" SAME-SITE", 403),  # header values in any case (security review)
])
def test_cross_site_requests_need_an_allowed_origin(client, site, status):
    # An <img> or <form> on a web page sends no Origin on a GET but says where it comes from.
    headers = {} if site is None else {"Sec-Fetch-Site": site}
    assert client.get("/api/v1/health", headers=headers).status_code == status
    with_origin = client.get("/api/v1/health", headers={**headers, "Origin": EXTENSION})
    assert with_origin.status_code == 200


def test_every_response_says_nosniff(client):
    for response in (client.get("/api/v1/health"), client.get("/nothing"),
                     client.get("/api/v1/health", headers={"Origin": "https://news.example"})):
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("peer,allow_remote,status", [
    ("127.0.0.1", False, 200), ("127.8.9.10", False, 200), ("::1", False, 200),
    ("::ffff:127.0.0.1", False, 200), ("192.0.2.7", False, 403), ("10.0.0.5", False, 403),
    ("fe80::1", False, 403), ("192.0.2.7", True, 200),
])
def test_other_machines_are_refused_unless_allowed(make_client, peer, allow_remote, status):
    client = make_client(ALLOW_REMOTE=allow_remote)
    response = client.get("/api/v1/health", environ_base={"REMOTE_ADDR": peer})
    assert response.status_code == status


def test_requests_without_origin_get_no_cors_headers(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_from_the_extension(client):
    response = client.options(ANALYZE, headers={
        "Origin": EXTENSION,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
        "Access-Control-Request-Private-Network": "true",
    })
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == EXTENSION
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert response.headers["Access-Control-Allow-Private-Network"] == "true"


def test_preflight_from_a_web_page_is_refused(client):
    response = client.options(ANALYZE, headers={"Origin": "https://news.example",
                                                "Access-Control-Request-Method": "POST"})
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("host,status", [(None, 200), ("evil.example", 403), ("localhost:1", 403)])
def test_live_server_checks_the_raw_host_header(live_server, host, status):
    # Over a real socket, as a rebinding page's request would arrive. Pins a bug: waitress
    # reports its port as a string, so every request to a live server was refused with 403.
    address = urlsplit(live_server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    headers = {} if host is None else {"Host": host}
    connection.request("GET", "/api/v1/health", headers=headers)
    response = connection.getresponse()
    assert response.status == status
    assert response.getheader("Content-Type").startswith("application/json")
    connection.close()


def test_request_text_is_not_logged(live_server, auth, caplog, capfd):
    import requests

    secret = "SECRET-ARTICLE-TEXT-7731"
    with caplog.at_level(logging.DEBUG):
        requests.post(f"{live_server}{ANALYZE}", json={"paragraphs": [secret]}, headers=auth, timeout=60).raise_for_status()
        requests.post(f"{live_server}{ANALYZE}", json={"paragraphs": [secret], "threshold": 7}, headers=auth, timeout=60)
        requests.post(f"{live_server}{ANALYZE}", data=secret, headers=auth, timeout=60)
    out, err = capfd.readouterr()
    assert secret not in caplog.text
    assert secret not in out + err


def _raw_exchange(url: str, head: str, timeout: float = 10) -> tuple[str, dict]:
    """Send only the request line and headers; return the status line and the JSON body."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1"))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status, _, rest = answer.partition(b"\r\n")
    return status.decode(), json.loads(rest.partition(b"\r\n\r\n")[2])


@pytest.mark.parametrize("headers,status", [
    ("Origin: https://news.example\r\n", "403"),
    ("Sec-Fetch-Site: cross-site\r\n", "403"),
    ("", "401"),  # no secret
    ("Authorization: Bearer {secret}\r\n", "413"),  # allowed caller, but the announced body is over the limit
])
def test_live_server_refuses_before_reading_the_body(live_server, auth, headers, status):
    # 40 MB announced, none sent: the answer comes at once, from the headers alone.
    port = urlsplit(live_server).port
    head = (f"POST {ANALYZE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"{headers.format(secret=auth['Authorization'].split()[1])}Content-Length: 40000000\r\n\r\n")
    started = time.monotonic()
    line, body = _raw_exchange(live_server, head)
    assert line.split()[1] == status
    assert body["error"]["code"] in ("forbidden", "unauthorized", "too_large")
    assert time.monotonic() - started < 5


def test_live_server_keeps_request_bodies_in_memory(live_server, auth, monkeypatch):
    # waitress spools bodies over its buffer size to a temporary file unless told otherwise;
    # a body within the limit must not be written to disk (docs/privacy-and-security.md: text is never written).
    spooled = []
    real = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda *a, **k: spooled.append(a) or real(*a, **k))
    import requests

    body = json.dumps({"paragraphs": ["a"], "threshold": "x" * 1_500_000})
    response = requests.post(f"{live_server}{ANALYZE}", data=body, timeout=60,
                             headers={"Content-Type": "application/json", **auth})
    assert response.status_code == 400  # read whole, refused by validation, never spooled
    assert spooled == []


def _own_address() -> str:
    """A non-loopback address of this machine (the one its default route leaves from)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent
        return probe.getsockname()[0]


@pytest.mark.parametrize("allow_remote,status", [(False, 403), (True, 200)])
def test_live_server_on_all_interfaces_refuses_other_machines(engine, run_in_thread, allow_remote, status):
    # A client elsewhere on the network, imitated by connecting to this machine's own
    # non-loopback address: its request names a loopback Host, and is still refused.
    address = _own_address()
    assert address != "127.0.0.1"
    app = create_app({"ALLOW_REMOTE": allow_remote}, engine=engine)
    server = make_server(app, "0.0.0.0", 0)
    port = app.config["PORT"]
    run_in_thread(server)
    try:
        connection = http.client.HTTPConnection(address, port, timeout=30)
        connection.request("GET", "/api/v1/health", headers={"Host": f"127.0.0.1:{port}"})
        assert connection.getresponse().status == status
        connection.close()
    finally:
        server.close()


def test_cached_answers_are_kept_per_caller(make_client, engine):
    # A cached article answers faster; a caller must not learn that another one analysed it.
    client = make_client()
    article = {"paragraphs": [f"A text only this test sends, {time.time_ns()}."]}

    def misses(origin):
        before = engine.cache_info()["misses"]
        headers = {"Origin": origin} if origin else {}
        assert client.post(ANALYZE, json=article, headers=headers).status_code == 200
        return engine.cache_info()["misses"] - before

    assert misses(EXTENSION) == 1
    assert misses(EXTENSION) == 0  # the same caller gets its cached answer
    assert misses(None) == 1  # a local program does not
    assert misses(None) == 0


def test_cached_answers_are_kept_apart_per_partition(make_client):
    # Security review: the answer cache was shared by every page that asked through the extension,
    # so a page could time whether the reader had read an article on another site.
    client = make_client()
    engine = client.application.extensions["unspin.engine"]
    body = {"paragraphs": ["The officers said the final month was calm, a partition test."]}
    headers = {"Origin": EXTENSION}
    # (partition, answered from the cache): only the same partition again is
    for partition, cached in (("news.example", False), ("news.example", True), ("other.example", False), ("", False)):
        hits_before = engine.cache_info()["hits"]
        response = client.post("/api/v1/analyze", json={**body, "partition": partition} if partition else body,
                               headers=headers)
        assert response.status_code == 200
        assert engine.cache_info()["hits"] - hits_before == int(cached), partition
    bad = client.post("/api/v1/analyze", json={**body, "partition": "a\u202eb"}, headers=headers)
    assert bad.status_code == 400
