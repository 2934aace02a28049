"""Authentication: ``Authorization: Bearer`` on the API, a session cookie on the review pages.

The cookie is never accepted on ``/api``: a browser attaches cookies to cross-site requests on
its own, so an API that honoured them would need CSRF tokens too.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from service.auth.keys import authenticate
from service.auth.sessions import COOKIE, session_principal


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to a :class:`~service.auth.principal.Principal` and ``request.auth`` to
    the session's CSRF token (``None`` for bearer keys), or answers 401."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        """Find the caller, or raise 401."""
        sessions = connection.app.state.sessions
        header = connection.headers.get("authorization", "")
        async with sessions() as session:
            token = connection.cookies.get(COOKIE)
            if token and connection.url.path.startswith("/review"):  # pages: the browser session first
                found = await session_principal(session, token)
                if found is not None:
                    return AuthenticationResult(user=found[0], auth=found[1])
            if header.lower().startswith("bearer "):
                principal = await authenticate(session, header[7:])
                if principal is not None:
                    return AuthenticationResult(user=principal, auth=None)
                raise NotAuthorizedException("invalid or revoked API key")
        raise NotAuthorizedException("authentication required: Authorization: Bearer <API key>")
