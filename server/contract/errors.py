"""The API's errors without HTTP: ApiError (a refusal with its status and message) and the error
object every failure leaves the API as, {"error": {"code", "message"}}, never a stack trace (the
Flask app, api/app.py, answers them)."""

from __future__ import annotations

import logging
import traceback

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


INTERNAL_MESSAGE = "Internal error while analysing; the request was not processed."


def log_unexpected(exc: Exception) -> None:
    """Log an unexpected error: its type and code location only (its message may quote request text)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("internal error %s\n%s", type(exc).__name__, frames)
