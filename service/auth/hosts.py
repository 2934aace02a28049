"""Allowed ``Host`` names, any port: a local service must not answer a rebound DNS name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from litestar.datastructures import Headers
from litestar.response.base import ASGIResponse

HOST = re.compile(r"^(\[[^\]]+\]|[^:]+)(:\d+)?$")


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Whether ``host`` (with or without port) is one of ``allowed`` (``*`` or ``*.example.org`` wildcards).

    >>> host_allowed("127.0.0.1:8000", ["127.0.0.1"]), host_allowed("evil.example", ["localhost"])
    (True, False)
    >>> host_allowed("[::1]:8000", ["[::1]"]), host_allowed("a.atelier.example", ["*.atelier.example"])
    (True, True)
    """
    match = HOST.match(host.strip().lower())
    if not match:
        return False
    name = match.group(1)
    return any(a == "*" or a == name or (a.startswith("*.") and name.endswith(a[1:])) for a in allowed)


def allowed_hosts_middleware(allowed: Sequence[str]) -> Any:
    """An ASGI middleware factory answering 400 to any other ``Host``."""
    names = [a.strip().lower() for a in allowed if a.strip()]

    def factory(app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] in ("http", "websocket") and not host_allowed(Headers.from_scope(scope).get("host", ""),
                                                                           names):
                response = ASGIResponse(body=b'{"status_code":400,"detail":"invalid Host header"}', status_code=400,
                                        media_type="application/json")
                await response(scope, receive, send)
                return
            await app(scope, receive, send)

        return middleware

    return factory
