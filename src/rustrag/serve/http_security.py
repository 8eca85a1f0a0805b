"""Who may talk to the HTTP server: the bind check and the bearer-token gate.

The index holds the source of private code, so the HTTP transport listens on loopback
unless the user asks for more twice over: an explicit flag and a token that every
request must carry.
"""

from __future__ import annotations

import hmac
import ipaddress
import json

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class BindRefused(ValueError):
    """The requested host/token combination would expose the index unsafely."""


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a hostname other than localhost may resolve anywhere


def check_bind(host: str, token: str | None, allow_remote: bool) -> None:
    """Refuse to listen on a non-loopback address unless the caller passed the explicit
    `allow_remote` flag and a non-empty token."""
    if is_loopback(host):
        return
    if not allow_remote:
        raise BindRefused(
            f"refusing to listen on {host}: it is reachable from other machines. "
            "Use the default 127.0.0.1, or pass --allow-remote together with --token."
        )
    if not token or not token.strip():
        raise BindRefused(
            f"refusing to listen on {host} without a token: every request must carry "
            "`Authorization: Bearer <token>`; pass --token (or $RUSTRAG_MCP_TOKEN)."
        )


class BearerTokenMiddleware:
    """ASGI middleware answering 401 to any HTTP request without the expected bearer
    token. Compared in constant time so the token cannot be guessed byte by byte."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("BearerTokenMiddleware needs a non-empty token")
        self._app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._authorized(scope):
            # lifespan events carry no headers and must reach the app to start sessions
            await self._app(scope, receive, send)
            return
        body = json.dumps({"error": "unauthorized", "detail": "missing or wrong bearer token"})
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="rustrag"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})

    def _authorized(self, scope: Scope) -> bool:
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        for name, value in headers:
            if name.lower() == b"authorization":
                return hmac.compare_digest(value, self._expected)
        return False
