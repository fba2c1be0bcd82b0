"""The HTTP API v1 as a Flask application factory.

    create_app(config=None, engine=None) -> Flask

Routes (the contract is written down in openapi.json, served at /api/v1/openapi.json):
    GET  /api/v1/health        status, package version, model card summary; without the secret
                               only its public part (status, version, and the proof for a nonce)
    POST /api/v1/analyze       spun spans and suggested originals for paragraphs or text (or the
                               spans alone, and streamed per part read: what a reader waits for)
    POST /api/v1/suggestions   the suggested originals of some marks of an analysed article
    POST /api/v1/feedback      keep one reader's correction on this machine (feedback.py)
    POST /api/v1/source        a page's likely source, from the scans the server was given
                               (scan/sources.py: `unspin serve --scan DIR`)
    GET  /api/v1/openapi.json  the OpenAPI 3.1 document

The model is loaded once per application (or passed in as `engine`); the engine is
thread-safe, so one app serves concurrent requests. Request text is never logged. Every call
but health's public part needs the per-user secret (secret.py, checked in security.py).
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time

from flask import Flask, Request, Response, copy_current_request_context, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from .. import __version__
from ..config import DEFAULTS, body_limit, default_model_path, openapi_document
from ..contract import errors
from ..contract.answers import analysis_response, model_info, suggestions_response
from ..contract.errors import ApiError
from ..contract.requests import parse_analyze, parse_feedback, parse_source, parse_suggest
from ..engine.engine import Abandoned
from ..feedback import FeedbackStore, Full, default_data_dir
from . import secret, security
from .admission import Admission, RateLimit, seed_ms_per_token

ENGINE_KEY = "unspin.engine"
START_MS_PER_TOKEN = 3.0  # the queue's first cost per token when the engine's speed was not measured at start


def load_engine(config: dict):
    from ..engine.engine import Engine  # torch and the model load only when an app needs them

    model = config.get("MODEL_PATH") or default_model_path()
    return Engine.load(model, threads=config["ENGINE_THREADS"], cache_size=config["CACHE_SIZE"],
                       precision=config["PRECISION"])


def get_engine(app: Flask):
    return app.extensions[ENGINE_KEY]


def load_sources(folders):
    """The scans' sources (scan/sources.py), or None without scans: pyarrow (the scan extra) is
    imported only for a server given some."""
    if not folders:
        return None
    from ..scan.sources import Sources

    return Sources.load(list(folders))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def read_json(request: Request) -> object:
    """The parsed body; 415 when it is not declared JSON, 400 when it does not parse."""
    if not request.is_json:
        raise ApiError(415, "Send the request body as JSON with 'Content-Type: application/json'.")
    try:
        # NaN/Infinity are not JSON; Python's parser would accept them and slip past range checks.
        return json.loads(request.get_data(cache=False), parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise ApiError(400, "The request body is not valid JSON (UTF-8).") from None


def error_response(status: int, message: str, details: dict | None = None, headers: dict | None = None):
    response = jsonify(errors.error_body(status, message, details))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _http_message(exc: HTTPException) -> str:
    if exc.code == 404:
        return "No such endpoint. See /api/v1/openapi.json."
    if exc.code == 405:
        return "Method not allowed for this endpoint."
    if exc.code == 413:
        return "Request body too large."
    return exc.description or exc.name


def register_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.details, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        response = error_response(exc.code or 500, _http_message(exc))
        if exc.code == 405 and exc.response is None:
            allowed = getattr(exc, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        errors.log_unexpected(exc)
        return error_response(500, errors.INTERNAL_MESSAGE)



def create_app(config: dict | None = None, engine=None) -> Flask:
    """Build the API. `config` overrides DEFAULTS (see config.py); MODEL_PATH picks the model
    when no `engine` is given."""
    app = Flask(__name__)
    configure(app, config, engine)
    admission = Admission(app.config["MAX_QUEUE_WAIT_S"],
                          seed_ms_per_token(get_engine(app).precision, START_MS_PER_TOKEN),
                          app.config["MAX_QUEUED_ANALYSES"])
    register_errors(app)
    security.register(app)
    register_health(app, admission)
    register_analysis(app, admission)
    register_feedback(app)
    register_source(app)
    return app


class ContractJSON(DefaultJSONProvider):
    """JSON as the contract shows it: keys in the order written, text as UTF-8 (not \\u escapes)."""

    sort_keys = False
    ensure_ascii = False


def configure(app: Flask, config: dict | None, engine) -> None:
    """The app's configuration (DEFAULTS, then `config`), its secret, JSON settings and engine."""
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    if "MAX_CONTENT_LENGTH" not in (config or {}):
        app.config["MAX_CONTENT_LENGTH"] = body_limit(app.config["MAX_CHARS"])
    if app.config["SECRET"] is None:
        app.config["SECRET"] = secret.load_or_create(app.config["DATA_DIR"] or default_data_dir())
    app.json = ContractJSON(app)
    app.extensions[ENGINE_KEY] = engine if engine is not None else load_engine(app.config)


def register_health(app: Flask, admission: Admission) -> None:
    """GET /api/v1/health: public status (and the secret's proof for a nonce); with the secret,
    the model, precision, limits and the queue's wait."""

    @app.get("/api/v1/health")
    def health():  # never queued behind analyses
        public = {"status": "ok", "version": __version__}
        nonce = request.args.get("nonce")
        if nonce is not None:  # the caller checks that this server knows the secret (secret.py)
            if not re.fullmatch(secret.NONCE_PATTERN, nonce):
                raise ApiError(400, f"nonce: it must match {secret.NONCE_PATTERN} (openapi.json)")
            public["proof"] = secret.proof(app.config["SECRET"], request.host, nonce)
        if "Authorization" not in request.headers:  # a wrong one was refused (security.py)
            return jsonify(public)
        engine = get_engine(app)
        return jsonify({
            **public,
            "model": model_info(engine),
            "precision": {k: engine.precision.get(k) for k in ("path", "why")},
            "limits": {"max_tokens": app.config["MAX_TOKENS"], "max_paragraphs": app.config["MAX_PARAGRAPHS"]},
            "queue": {"waiting_s": round(admission.waiting_s(), 1)},
        })


def admitted(app: Flask, admission: Admission, article, work, windows: int | None = None):
    """Run work(caller, deadline, cancelled) for a checked article in the queue (413 over the
    token limit, 503 when busy or abandoned): its answer. windows: the work passes at most
    this many LM windows of the article again (suggestions on demand), not the whole
    article: its place in the queue is sized so, and its time teaches the queue nothing."""
    tokens = get_engine(app).count_tokens(article.paragraphs)
    if tokens > app.config["MAX_TOKENS"]:
        raise ApiError(413, f"Too much text: {tokens} language-model tokens (limit {app.config['MAX_TOKENS']}).",
                       details={"tokens": tokens, "limit": app.config["MAX_TOKENS"]})
    # Cached answers are kept apart per Origin ("" for local programs) and per the partition
    # the caller names (the extension: the asking page's site); see Engine.answer.
    caller = f"{request.headers.get('Origin', '')}\n{article.partition}"
    deadline = time.monotonic() + app.config["ANALYSIS_DEADLINE_S"]
    cancelled = request.environ.get("waitress.client_disconnected")
    cost = tokens if windows is None else min(tokens, windows * get_engine(app).window_tokens)
    with admission.slot(cost, learn=windows is None):
        try:
            return work(caller, deadline, cancelled)
        except Abandoned as exc:  # past its deadline (or nobody is left to answer)
            raise ApiError(503, f"The analysis was abandoned: {exc.reason}.",
                           headers={"Retry-After": str(max(1, round(admission.waiting_s())))}) from None


def register_analysis(app: Flask, admission: Admission) -> None:
    """POST /api/v1/analyze (whole, or streamed) and /api/v1/suggestions, both admitted in the queue."""

    @app.post("/api/v1/analyze")
    def analyze():
        checked = parse_analyze(read_json(request), app.config["MAX_CHARS"], app.config["MAX_PARAGRAPHS"])
        engine = get_engine(app)
        if checked.stream:
            return streamed(app, admission, checked)
        return jsonify(admitted(app, admission, checked, lambda caller, deadline, cancelled: analysis_response(
            engine, checked, caller, deadline, cancelled)))

    @app.post("/api/v1/suggestions")
    def suggestions():
        checked = parse_suggest(read_json(request), app.config["MAX_CHARS"], app.config["MAX_PARAGRAPHS"])
        engine = get_engine(app)
        return jsonify(admitted(app, admission, checked.article, lambda caller, deadline, cancelled: suggestions_response(
            engine, checked, caller, deadline, cancelled), windows=len(checked.spans)))


def streamed(app: Flask, admission: Admission, checked) -> Response:
    """An analysis answered as NDJSON (openapi.json: StreamEvent): a worker thread runs it in
    its turn and hands each event to the response as it comes; a 413 or 503 before the turn
    is an ordinary error answer, an error after it the last line."""
    events: queue.Queue = queue.Queue()
    turn = threading.Event()
    failure: list[ApiError] = []

    def work(caller, deadline, cancelled):
        turn.set()
        return analysis_response(get_engine(app), checked, caller, deadline, cancelled, progress=events.put)

    @copy_current_request_context  # the worker reads the request's headers (admitted)
    def run():
        try:
            events.put({"event": "answer", "answer": admitted(app, admission, checked, work)})
        except ApiError as exc:
            if not turn.is_set():
                failure.append(exc)
            events.put({"event": "error", **errors.error_body(exc.status, exc.message, exc.details)})
        except Exception as exc:  # as register_errors' handler: the type and place logged, no text
            errors.log_unexpected(exc)
            events.put({"event": "error", **errors.error_body(500, errors.INTERNAL_MESSAGE)})
        finally:
            turn.set()
            events.put(None)

    threading.Thread(target=run, name="unspin-stream", daemon=True).start()
    turn.wait()
    if failure:  # refused before its turn: an ordinary error answer
        raise failure[0]

    def lines():
        while (event := events.get()) is not None:
            yield json.dumps(event, ensure_ascii=False) + "\n"

    return Response(lines(), mimetype="application/x-ndjson", headers={"Cache-Control": "no-store"})


def register_feedback(app: Flask) -> None:
    """POST /api/v1/feedback: a reader's correction, kept in the data folder (FEEDBACK_PER_MINUTE at most)."""
    corrections = RateLimit(app.config["FEEDBACK_PER_MINUTE"])

    @app.post("/api/v1/feedback")
    def feedback():
        checked = parse_feedback(read_json(request), app.config["MAX_CHARS"])
        corrections.take()
        store = FeedbackStore(app.config["DATA_DIR"] or default_data_dir())
        try:
            record_id = store.add(checked.paragraph, checked.start, checked.end, checked.label,
                                  checked.original, checked.url)
        except Full as exc:
            raise ApiError(507, f"The correction was not kept: {exc}.") from None
        return jsonify({"id": record_id}), 201


def register_source(app: Flask) -> None:
    """POST /api/v1/source (a page's source, from the SCANS folders) and GET /api/v1/openapi.json."""
    sources = load_sources(app.config["SCANS"])

    @app.post("/api/v1/source")
    def source():
        url = parse_source(read_json(request))
        return jsonify({"source": sources.lookup(url) if sources is not None else None})

    @app.get("/api/v1/openapi.json")
    def openapi():
        return Response(openapi_document(), mimetype="application/json")
