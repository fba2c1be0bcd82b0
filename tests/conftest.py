"""Shared fixtures: one tiny real model per session, apps and clients built on it, a live server.

No engine is mocked: every API test runs the real engine on a tiny randomly initialised
model in the shipped on-disk format (its detections are arbitrary, its structure is real).
"""

from __future__ import annotations

import os
import threading

import jsonschema
import pytest

from unspin.api.app import create_app
from unspin.config import openapi_spec
from unspin.engine.engine import Engine
from unspin.api.secret import bearer, load_or_create
from unspin.commands.serve import make_server

from tiny_model import build_tiny_model


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory):
    """Readers' corrections written by any test go to a temporary folder, never to the user's."""
    path = tmp_path_factory.mktemp("data")
    previous = os.environ.get("UNSPIN_DATA_DIR")
    os.environ["UNSPIN_DATA_DIR"] = str(path)
    yield path
    if previous is None:
        del os.environ["UNSPIN_DATA_DIR"]
    else:
        os.environ["UNSPIN_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """Path of a tiny random model, built once per test session."""
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
def engine(tiny_model):
    """The real engine on the tiny model, shared by the session (its cache too)."""
    return Engine.load(tiny_model, threads=1)


@pytest.fixture(scope="session")
def auth(data_dir) -> dict:
    """The header that carries the per-user secret (the one every app of the session reads from
    `data_dir`), for requests to a live server."""
    return {"Authorization": bearer(load_or_create(data_dir))}


def signed_in(app):
    """A Flask test client for `app` whose requests carry its secret (a test of the secret's
    check passes its own Authorization header, which overrides this one)."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = bearer(app.config["SECRET"])
    return client


@pytest.fixture(scope="session")
def sign_in():
    """signed_in, for tests that build their own app."""
    return signed_in


@pytest.fixture
def app(engine):
    """An app with default settings around the shared engine."""
    return create_app(engine=engine)


@pytest.fixture
def client(app):
    """A Flask test client for the default app, with its secret."""
    return signed_in(app)


@pytest.fixture
def make_client(engine):
    """Build a test client (with the app's secret) for an app with config overrides:
    make_client(MAX_CHARS=10)."""

    def make(**overrides):
        return signed_in(create_app(overrides, engine=engine))

    return make


def _run_in_thread(server) -> threading.Thread:
    """Run a waitress server in a daemon thread until the test closes it (closing it under the
    running loop makes its select() fail with EBADF, which is the expected end)."""

    def run():
        try:
            server.run()
        except OSError:
            pass

    thread = threading.Thread(target=run, name="waitress", daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="session")
def run_in_thread():
    """The function that runs a waitress server in a thread (tests that start their own)."""
    return _run_in_thread


@pytest.fixture
def live_app(engine):
    """start(**config) -> the app of a new live waitress server (tiny model, config overrides)
    on 127.0.0.1 and a free port (app.config["PORT"]); stopped after the test."""
    servers = []

    def start(**config):
        app = create_app(config, engine=engine)
        server = make_server(app, "127.0.0.1", 0)
        _run_in_thread(server)
        servers.append(server)
        return app

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="session")
def live_server(engine):
    """Base URL of a real waitress server on a free loopback port, serving the tiny model. Its
    queue takes 32 analyses (the default 4 answers the rest 503 at once, as tests of the queue
    check): the tests that use it send up to 16 at once and check every answer."""
    app = create_app({"MAX_QUEUED_ANALYSES": 32}, engine=engine)
    server = make_server(app, "127.0.0.1", 0)
    port = app.config["PORT"]
    _run_in_thread(server)
    yield f"http://127.0.0.1:{port}"
    server.close()


@pytest.fixture(scope="session")
def openapi():
    """The OpenAPI document as a dict."""
    return openapi_spec()


@pytest.fixture(scope="session")
def check_contract(openapi):
    """check_contract(method, path, status, body): validate a response body against the
    schema the OpenAPI document gives for that operation and status; 404 and 405 answer
    undocumented paths and methods, so they use the shared responses NotFound/MethodNotAllowed."""

    def check(method: str, path: str, status: int, body) -> None:
        if status in SHARED_RESPONSES:
            ref = SHARED_RESPONSES[status]
        else:
            operation = openapi["paths"][path][method.lower()]
            assert str(status) in operation["responses"], f"{method} {path} -> {status} is undocumented"
            ref = operation["responses"][str(status)].get("$ref")
        response = operation["responses"][str(status)] if ref is None else _resolve(openapi, ref)
        schema = response["content"]["application/json"]["schema"]
        validator = jsonschema.Draft202012Validator({**openapi, **schema})
        validator.validate(body)

    return check


SHARED_RESPONSES = {404: "#/components/responses/NotFound", 405: "#/components/responses/MethodNotAllowed"}


def _resolve(document: dict, ref: str) -> dict:
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node
