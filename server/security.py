"""Who may talk to the local server: Host check (DNS rebinding) and Origin/CORS policy.

The server runs on a user's machine while they browse, so any web page could try to
call it. Two checks keep pages out:
- Host: a page on an attacker's domain that rebinds its DNS name to 127.0.0.1 still
  sends its own name in `Host`, so only loopback names (with our port) are served.
- Origin: browsers attach the calling page's origin; only the extension's origins
  (and origins the user configured) are answered, everything else gets a 403 before
  any work is done. Requests without an Origin (curl, scripts) are not from a page.
"""

from __future__ import annotations

import re

from flask import Flask, request

from .errors import ApiError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
EXTENSION_ORIGIN = re.compile(r"(chrome-extension|moz-extension)://[A-Za-z0-9._-]+")
CORS_MAX_AGE = "600"


def split_host(host: str) -> tuple[str, int | None]:
    """'localhost:8765' -> ('localhost', 8765); '[::1]' -> ('[::1]', None). Raises ValueError."""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            raise ValueError(host)
        name, rest = host[: end + 1], host[end + 1 :]
    elif host.count(":") > 1:  # an IPv6 address without brackets is not a valid Host
        raise ValueError(host)
    else:
        name, sep, port = host.partition(":")
        rest = sep + port
    if not rest:
        return name.lower(), None
    digits = rest[1:]
    if rest[0] != ":" or not (digits.isascii() and digits.isdigit()):
        raise ValueError(host)
    return name.lower(), int(digits)


def host_allowed(host: str | None, port: int | None, extra_names=()) -> bool:
    """True when `host` names this machine's loopback (or a configured name) with our port."""
    if not host:
        return False
    try:
        name, host_port = split_host(host.strip())
    except ValueError:
        return False
    if name not in LOOPBACK_NAMES and name not in {n.lower() for n in extra_names}:
        return False
    if port is None:  # not bound to a known port (in-process clients)
        return True
    return host_port == port or (host_port is None and port == 80)


def origin_allowed(origin: str, extra_origins=()) -> bool:
    """Extension origins and configured origins may call the API; nothing else."""
    return bool(EXTENSION_ORIGIN.fullmatch(origin)) or origin in extra_origins


def register(app: Flask) -> None:
    @app.before_request
    def _check_caller():
        config = app.config
        if not host_allowed(request.host, config["PORT"], config["ALLOWED_HOSTS"]):
            raise ApiError(403, "Host not allowed: this server only answers requests addressed "
                                "to 127.0.0.1, localhost or [::1] on its own port.")
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(origin, config["ALLOWED_ORIGINS"]):
            raise ApiError(403, "Origin not allowed: only the Unspin browser extension and "
                                "configured origins may call this server.")

    @app.after_request
    def _cors_headers(response):
        origin = request.headers.get("Origin")
        response.headers.add("Vary", "Origin")
        if origin is None or not origin_allowed(origin, app.config["ALLOWED_ORIGINS"]):
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        if request.method == "OPTIONS":  # preflight
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
            if request.headers.get("Access-Control-Request-Private-Network") == "true":
                response.headers["Access-Control-Allow-Private-Network"] = "true"
        return response
