"""Guards of the streamable-HTTP transport: Host and Origin validation, and the bearer-token check.

A page served from another origin must not drive a loopback server through the person's browser (DNS rebinding:
``evil.example`` resolves to 127.0.0.1, and the browser sends ``Host: evil.example`` and
``Origin: http://evil.example``). So, as the MCP transport specification asks:

- ``Origin``: a request that carries one is served only when it is a loopback origin (``http(s)://localhost``,
  ``127.x.x.x`` or ``[::1]``, any port) or named with ``--allow-origin``; otherwise 403. Requests without an
  Origin (every non-browser MCP client) pass.
- ``Host``: on a loopback bind the Host header must name a loopback address; otherwise 403. Off loopback the
  token (required there) is the guard and any Host is served.

The token (``COPILOT_TOKEN`` or ``--token-file``) is compared in constant time, and is never journaled or logged.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastmcp.server.auth import AccessToken, TokenVerifier
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    """The name in a Host header value (``[::1]:8765`` -> ``::1``, ``localhost:80`` -> ``localhost``)."""
    return urlsplit(f"//{host_header}").hostname or ""


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case without a trailing slash (the form browsers send)."""
    return origin.strip().rstrip("/").lower()


def origin_allowed(origin: str, extra: Iterable[str] = ()) -> bool:
    """Whether a request with this ``Origin`` header may be served (see the module docstring)."""
    value = normalise_origin(origin)
    if value in {normalise_origin(o) for o in extra}:
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and is_loopback(parts.hostname or "")


class HostOriginGuard:
    """ASGI middleware refusing (403) requests with a foreign Origin, or a foreign Host on a loopback bind."""

    def __init__(self, app: ASGIApp, *, check_host: bool, allowed_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.check_host = check_host
        self.allowed_origins = tuple(allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            origin, host = headers.get("origin"), headers.get("host", "")
            if origin is not None and not origin_allowed(origin, self.allowed_origins):
                await PlainTextResponse("Forbidden: this Origin may not use the server.", 403)(scope, receive, send)
                return
            if self.check_host and not is_loopback(_host_name(host)):
                await PlainTextResponse("Forbidden: this Host is not the server's.", 403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ConstantTimeTokenVerifier(TokenVerifier):
    """Accepts exactly one bearer token, compared in constant time (``hmac.compare_digest``)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token.encode("utf-8")

    async def verify_token(self, token: str) -> AccessToken | None:
        """The access of the one client, when ``token`` is the server's token; else None (401)."""
        if not hmac.compare_digest(token.encode("utf-8"), self._token):
            return None
        return AccessToken(token="<redacted>", client_id="copilot-client", scopes=[])

    def __repr__(self) -> str:
        return "ConstantTimeTokenVerifier(<redacted>)"
