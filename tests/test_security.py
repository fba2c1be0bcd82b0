"""Who may call the local server: Host (DNS rebinding), Origin/CORS, and no logged text."""

from __future__ import annotations

import http.client
import logging
from urllib.parse import urlsplit

import pytest

from unspin.security import host_allowed

PORT = 8765
ANALYZE = "/api/v1/analyze"
EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


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
    ("moz-extension://0b8a51f2-7a3c-4f7e-9d55-3c1c2f0e8a11", True),
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
    client = make_client(ALLOWED_ORIGINS=("http://localhost:3000",))
    ok = client.get("/api/v1/health", headers={"Origin": "http://localhost:3000"})
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert client.get("/api/v1/health", headers={"Origin": "http://localhost:3001"}).status_code == 403


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
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
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


def test_request_text_is_not_logged(live_server, caplog, capfd):
    import requests

    secret = "SECRET-ARTICLE-TEXT-7731"
    with caplog.at_level(logging.DEBUG):
        requests.post(f"{live_server}{ANALYZE}", json={"paragraphs": [secret]}, timeout=60).raise_for_status()
        requests.post(f"{live_server}{ANALYZE}", json={"paragraphs": [secret], "threshold": 7}, timeout=60)
        requests.post(f"{live_server}{ANALYZE}", data=secret, timeout=60)
    out, err = capfd.readouterr()
    assert secret not in caplog.text
    assert secret not in out + err
