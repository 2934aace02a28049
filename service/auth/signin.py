"""The public sign-in form's checks: a login CSRF token, attempt throttling, then key or password."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, PermissionDeniedException
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.keys import authenticate
from service.auth.passwords import authenticate_user
from service.auth.principal import Principal
from service.auth.sessions import csrf_ok
from service.auth.throttle import Throttle
from service.settings import Settings

# Login CSRF (an attacker signing a victim into the attacker's account): the form carries a random
# token that must equal this cookie's. SameSite=Strict keeps the cookie off cross-site posts.
LOGIN_COOKIE = "atelier_login"


def login_token(request: Request[Any, Any, Any]) -> str:
    """The form's token: the one the browser already holds, else a new one (set by the caller)."""
    held = request.cookies.get(LOGIN_COOKIE, "")
    return held if 20 <= len(held) <= 64 else secrets.token_urlsafe(24)


def throttles(settings: Settings) -> dict[str, Throttle]:
    """One counter per client address and one per login name (``login_attempts_per_minute`` each)."""
    limit = settings.login_attempts_per_minute
    return {"address": Throttle(limit), "login": Throttle(limit)}


def _throttled(gates: dict[str, Throttle], address: str, login: str) -> None:
    for kind, key in (("address", address), ("login", login)):
        if key and not gates[kind].hit(key):
            raise ClientException(detail=f"too many sign-in attempts for this {kind}: wait and try again",
                                  status_code=HTTP_429_TOO_MANY_REQUESTS,
                                  headers={"Retry-After": str(gates[kind].retry_after(key))})


async def check(request: Request[Any, Any, Any], session: AsyncSession, data: dict[str, str]) -> Principal | None:
    """The principal a sign-in form names, or ``None``; 403 without the login token, 429 when throttled.

    Every attempt counts against the client's address and the login name (a key counts against the
    address only: keys are 256-bit random and cost one SHA-256 to check).
    """
    if not csrf_ok(request.cookies.get(LOGIN_COOKIE), data.get("login_csrf")):
        raise PermissionDeniedException("missing or wrong sign-in token: reload the sign-in page and try again")
    address = request.client.host if request.client else "unknown"
    _throttled(request.app.state.login_throttles, address, data.get("login", "").strip().lower())
    if data.get("login"):
        return await authenticate_user(session, data["login"], data.get("password", ""))
    return await authenticate(session, data.get("key", ""))
