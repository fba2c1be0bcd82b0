"""Who may talk to the local server: peer, Host (DNS rebinding), Origin, Sec-Fetch-Site, the
per-user secret, size.

The server runs on a user's machine while they browse, so any web page could try to call
it, and with `--host 0.0.0.0` so could other machines. `refusal()` is the one owner of the
rules; it needs only the request's headers, so it runs twice:
- in the waitress server (serve.py) as soon as the headers have arrived, before the body
  is read: a refused request never costs more than its headers;
- in Flask before every request, for the test client and any other WSGI server.

The rules, in order:
- Peer: only this machine's loopback addresses, unless the user passed `--allow-remote`.
- Host: a page on an attacker's domain that rebinds its DNS name to 127.0.0.1 still sends
  its own name in `Host`, so only loopback names (with our port) are served.
- Origin: browsers attach the calling page's origin. Only Unspin's Chromium extension (its
  id is fixed by the manifest's "key") and origins the user allowed with `--allow-origin`
  (Firefox gives each install a random moz-extension:// UUID) are answered.
- Sec-Fetch-Site: a cross-site or same-site request that carries no allowed Origin (an
  <img> or <form> on a web page) is refused. Requests without either header (curl,
  scripts) do not come from a web page.
- Secret: every request but the public part of GET /api/v1/health (no Authorization header) and
  CORS preflights (which browsers send without credentials, and which carry no data) must carry
  `Authorization: Bearer <secret>` (secret.py), else 401 naming `unspin token` (never where the
  file is: the caller may be another user). Any local
  program or other user of the machine passes the checks above; only the reader's own account
  can read the secret.
- Content-Length: bodies over the limit are refused before they are read.

CORS headers for allowed origins come from flask-cors (`register`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from flask import Flask, request
from flask_cors import CORS

from ..contract.errors import ApiError
from .secret import authorized

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# The id Chromium derives from the "key" in extension/src/manifest.json (a test checks this).
CHROMIUM_EXTENSION_ID = "mgliidhaeigednddmlmlfonidhegphej"
EXTENSION_ORIGINS = (f"chrome-extension://{CHROMIUM_EXTENSION_ID}",)
FOREIGN_FETCH_SITES = ("cross-site", "same-site")
CORS_MAX_AGE = 600  # seconds a browser may reuse a preflight answer
HEALTH_PATH = "/api/v1/health"  # its public part answers without the secret
PUBLIC_METHODS = ("GET", "HEAD")
# A 401 says which scheme it wants (RFC 9110).
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="unspin"'}


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


def is_loopback(address: str) -> bool:
    """True for 'localhost' and loopback IP addresses ('127.0.0.1', '::1', '::ffff:127.0.0.1')."""
    if address == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


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


def allowed_origins(config: Mapping) -> tuple[str, ...]:
    """Unspin's Chromium extension plus the origins given with --allow-origin."""
    return EXTENSION_ORIGINS + tuple(config["ALLOWED_ORIGINS"])


def needs_secret(method: str, path: str, authorization: str | None) -> bool:
    """False only for the public part of health (GET or HEAD without Authorization) and for CORS
    preflights (OPTIONS); a wrong secret is refused on health too, so a client learns it is wrong."""
    if method == "OPTIONS":
        return False
    return not (path == HEALTH_PATH and method in PUBLIC_METHODS and authorization is None)


def refusal(config: Mapping, *, peer: str | None, host: str | None, origin: str | None,
            fetch_site: str | None, content_length: int | None, method: str = "GET", path: str = "/",
            authorization: str | None = None) -> tuple[int, str] | None:
    """(HTTP status, message) when a request with these headers must be refused, else None.

    `config` is the app's config (PORT, ALLOWED_HOSTS, ALLOWED_ORIGINS, ALLOW_REMOTE, SECRET,
    DATA_DIR, MAX_CONTENT_LENGTH in bytes); `peer` is the client's IP address; `method`,
    `path` and `authorization` (the header's value) are the request's."""
    if peer is not None and not config["ALLOW_REMOTE"] and not is_loopback(peer):
        return 403, ("Only programs on this computer may call this server (start it with "
                     "--allow-remote to let other machines in).")
    if not host_allowed(host, config["PORT"], config["ALLOWED_HOSTS"]):
        return 403, ("Host not allowed: this server only answers requests addressed to 127.0.0.1, "
                     "localhost or [::1] on its own port.")
    if origin is not None and origin not in allowed_origins(config):
        hint = (f" A Firefox extension needs the server started with --allow-origin {origin}."
                if origin.startswith("moz-extension://") else "")
        return 403, "Origin not allowed: only the Unspin browser extension may call this server." + hint
    if origin is None and (fetch_site or "").strip().lower() in FOREIGN_FETCH_SITES:  # header values: any case
        return 403, "Cross-site requests without an allowed Origin are refused."
    if needs_secret(method, path, authorization) and not authorized(config["SECRET"], authorization):
        return 401, ("This server answers only with its secret: send `Authorization: Bearer <secret>` "
                     "(`unspin token` prints it to its own user; the browser extension gets it from the browser "
                     "host, or paste it in its options).")
    limit = config.get("MAX_CONTENT_LENGTH")
    if content_length is not None and limit is not None and content_length > limit:
        return 413, f"Request body too large: {content_length} bytes, at most {limit}."
    return None


def register(app: Flask) -> None:
    """Check every request (see the module docstring) and add CORS and nosniff headers."""

    @app.before_request
    def _check_caller():
        refused = refusal(app.config, peer=request.remote_addr, host=request.host,
                          origin=request.headers.get("Origin"),
                          fetch_site=request.headers.get("Sec-Fetch-Site"),
                          content_length=request.content_length, method=request.method,
                          path=request.path, authorization=request.headers.get("Authorization"))
        if refused:
            raise ApiError(*refused, headers=UNAUTHORIZED_HEADERS if refused[0] == 401 else None)

    CORS(app, origins=list(allowed_origins(app.config)), methods=["GET", "POST", "OPTIONS"],
         allow_headers=["Content-Type", "Authorization"], max_age=CORS_MAX_AGE, allow_private_network=True,
         always_send=False)

    @app.after_request
    def _headers(response):
        response.vary.add("Origin")  # the answer differs by Origin (403 or CORS headers)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
