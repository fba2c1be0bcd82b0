"""The per-user secret: every call but health's public part needs it, the file is the owner's only,
the server proves it knows it, and `unspin analyze` sends no text to a server that cannot.

Security review: any local process or other user of the machine could write to the corrections
store and read analyses (a request without Origin was accepted), and a program listening on the
port while Unspin was not running received every article sent to it. Each test here fails
without the secret's protection."""

from __future__ import annotations

import hashlib
import hmac
import stat

import pytest
import requests

from unspin.api import secret as secrets_module
from unspin.api.app import create_app
from unspin.cli import main
from unspin.config import openapi_spec

from squatter import Squatter, squatting

NONCE = "n0nce-of-sixteen-or-more"
# A request for every operation of the contract, and for a path it does not have.
CALLS = [(method.upper(), path) for path, item in openapi_spec()["paths"].items() for method in item] + [
    ("GET", "/no/such/path"), ("POST", "/api/v1/health")]
BODIES = {"/api/v1/analyze": {"paragraphs": ["The officers said."]},
          "/api/v1/feedback": {"paragraph": "The officers said.", "start": 4, "end": 12, "label": "not_spun"}}


@pytest.fixture
def bare(app):
    """A test client without the secret."""
    return app.test_client()


# No secret, a wrong one, another scheme, an empty one; health without any is its public part.
HEADERS = [None, "Bearer wrong-secret", "Basic dXNlcjpwYXNz", "Bearer", ""]
REFUSED = [(method, path, header) for method, path in CALLS for header in HEADERS
           if not (header is None and (method, path) == ("GET", "/api/v1/health"))]


@pytest.mark.parametrize("method,path,header", REFUSED)
def test_every_call_without_the_secret_gets_401(bare, app, check_contract, method, path, header):
    headers = {} if header is None else {"Authorization": header}
    response = bare.open(path, method=method, json=BODIES.get(path), headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    message = response.json["error"]["message"]  # names the command, never the file (the caller may be another user)
    assert "unspin token" in message and str(secrets_module.secret_path(app.config["DATA_DIR"] or _data_dir())) not in message
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if path in openapi_spec()["paths"] and method.lower() in openapi_spec()["paths"][path]:
        check_contract(method, path, 401, response.json)


def _data_dir():
    from unspin.feedback import default_data_dir

    return default_data_dir()


def test_the_right_secret_is_answered(client):
    assert client.post("/api/v1/analyze", json=BODIES["/api/v1/analyze"]).status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_health_without_the_secret_tells_only_its_public_part(bare, app, check_contract):
    response = bare.get("/api/v1/health")
    assert response.status_code == 200
    assert set(response.json) == {"status", "version"}
    check_contract("GET", "/api/v1/health", 200, response.json)
    full = bare.get("/api/v1/health", headers={"Authorization": f"Bearer {app.config['SECRET']}"})
    assert full.status_code == 200 and "model" in full.json and "limits" in full.json
    check_contract("GET", "/api/v1/health", 200, full.json)


def test_health_proves_the_server_knows_the_secret(bare, app, check_contract):
    response = bare.get(f"/api/v1/health?nonce={NONCE}")
    want = hmac.new(app.config["SECRET"].encode(), f"localhost\n{NONCE}".encode(), hashlib.sha256).hexdigest()
    assert response.status_code == 200 and response.json["proof"] == want
    check_contract("GET", "/api/v1/health", 200, response.json)
    # The proof covers the Host (with its port): a squatter cannot relay a nonce to a server on
    # another port and pass its answer off.
    other = bare.get(f"/api/v1/health?nonce={NONCE}", headers={"Host": "127.0.0.1:8766"})
    assert other.json["proof"] != want


@pytest.mark.parametrize("nonce", ["short", "x" * 129, "has space in it 123", "ünïcödé-nonce-0123"])
def test_a_malformed_nonce_is_refused(bare, check_contract, nonce):
    response = bare.get("/api/v1/health", query_string={"nonce": nonce})
    assert response.status_code == 400
    check_contract("GET", "/api/v1/health", 400, response.json)


def test_the_secret_file_is_created_for_its_owner_only(engine, tmp_path):
    data = tmp_path / "new"
    app = create_app({"DATA_DIR": str(data)}, engine=engine)
    path = secrets_module.secret_path(data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert path.read_text().strip() == app.config["SECRET"] and len(app.config["SECRET"]) >= 40
    # The next start reads the same secret; a file left readable by others is made 0600.
    path.chmod(0o644)
    assert create_app({"DATA_DIR": str(data)}, engine=engine).config["SECRET"] == app.config["SECRET"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_each_data_folder_has_its_own_secret(tmp_path):
    assert secrets_module.load_or_create(tmp_path / "a") != secrets_module.load_or_create(tmp_path / "b")


def test_unspin_token_prints_the_servers_secret(engine, tmp_path, capsys):
    app = create_app({"DATA_DIR": str(tmp_path)}, engine=engine)
    assert main(["token", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == app.config["SECRET"]


def test_a_preflight_may_ask_for_the_authorization_header(bare):
    response = bare.options("/api/v1/analyze", headers={
        "Origin": "chrome-extension://mgliidhaeigednddmlmlfonidhegphej",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 200
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


def test_the_live_server_refuses_a_call_without_the_secret(live_server, auth):
    assert requests.post(f"{live_server}/api/v1/feedback", json=BODIES["/api/v1/feedback"], timeout=30).status_code == 401
    assert requests.get(f"{live_server}/api/v1/health", headers=auth, timeout=30).json()["model"]



@pytest.mark.parametrize("made_up", ["0" * 64, "é" * 64, None])  # non-ASCII once made the check raise
def test_analyze_sends_no_text_to_a_server_that_does_not_know_the_secret(tiny_model, data_dir, tmp_path, capsys,
                                                                         monkeypatch, made_up):
    monkeypatch.setattr(Squatter, "proof", made_up)
    secrets_module.load_or_create(data_dir)  # this user has a secret: a server of theirs would know it
    with squatting() as port:
        monkeypatch.setenv("UNSPIN_SERVER", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("UNSPIN_MODEL", str(tiny_model))
        article = tmp_path / "a.txt"
        article.write_text("A private article about the officers.", encoding="utf-8")
        assert main(["analyze", str(article), "--json"]) == 0
    assert [body for method, _, _, body in Squatter.requests if method == "POST"] == []
    err = capsys.readouterr().err
    assert "does not know this user's secret" in err and "using the Unspin server" not in err
