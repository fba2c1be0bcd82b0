"""JSON errors: every failure leaves the API as {"error": {"code", "message"}}, never a stack trace."""

from __future__ import annotations

import logging
import traceback

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("unspin.api")

# HTTP status -> machine-readable code used in the error body (documented in openapi.json).
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "busy",
    507: "storage_full",
}


class ApiError(Exception):
    """An error the API reports to the caller with a clear message; `details` are more fields of
    the error object (documented per status in openapi.json), `headers` more response headers."""

    def __init__(self, status: int, message: str, details: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_body(status: int, message: str, details: dict | None = None) -> dict:
    """The API's error object (documented in openapi.json as Error)."""
    return {"error": {"code": CODES.get(status, "error"), "message": message, **(details or {})}}


def error_response(status: int, message: str, details: dict | None = None, headers: dict | None = None):
    response = jsonify(error_body(status, message, details))
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


def register(app: Flask) -> None:
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
        log_unexpected(exc)
        return error_response(500, INTERNAL_MESSAGE)


INTERNAL_MESSAGE = "Internal error while analysing; the request was not processed."


def log_unexpected(exc: Exception) -> None:
    """Log an unexpected error: its type and code location only (its message may quote request text)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("internal error %s\n%s", type(exc).__name__, frames)
