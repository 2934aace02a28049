"""Commit before the answer leaves, and never answer 2xx for a change that was not saved.

advanced-alchemy's ``autocommit`` handler commits when the response starts and *swallows* a
failing commit, so a client could read 200 for a write that is lost. This handler commits at the
same moment; when the commit fails, it rolls back and turns the response into a 500 that says
nothing was saved (status, headers and body rewritten before anything is sent).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from advanced_alchemy.extensions.litestar._utils import delete_aa_scope_state, get_aa_scope_state
from advanced_alchemy.extensions.litestar.plugins.init.config.common import SESSION_SCOPE_KEY
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
FAILED = "_atelier_commit_failed"
BODY = json.dumps({"status_code": 500, "detail": "the change could not be saved; nothing was stored: try again"},
                  ensure_ascii=False).encode()


def commit_before_send(session_key: str = SESSION_SCOPE_KEY) -> Any:
    """The ``before_send`` hook for the sessions stored under ``session_key`` (the config's, made unique)."""

    async def handler(message: Any, scope: Any) -> None:
        await _handle(message, scope, session_key)

    return handler


async def _handle(message: Any, scope: Any, session_key: str) -> None:
    """Commit on 2xx/3xx, roll back otherwise, report a failed commit."""
    if message["type"] == "http.response.start":
        session = get_aa_scope_state(scope, session_key)
        if session is None:
            return
        try:
            if 200 <= message["status"] < 400:
                await session.commit()
            else:
                await session.rollback()
        except Exception:  # the client must hear of it: rewrite the answer below
            log.exception("commit failed; answering 500")
            await _quietly(session.rollback)
            scope[FAILED] = "pending"
            kept = [(k, v) for k, v in message.get("headers", [])
                    if k.lower() not in (b"content-length", b"content-type", b"etag", b"location")]
            message["status"] = 500
            message["headers"] = [*kept, (b"content-type", b"application/json"),
                                  (b"content-length", str(len(BODY)).encode())]
        finally:
            await _quietly(session.close)
            delete_aa_scope_state(scope, session_key)
    elif message["type"] == "http.response.body" and scope.get(FAILED):
        message["body"] = BODY if scope[FAILED] == "pending" else b""
        message["more_body"] = False
        scope[FAILED] = "sent"


async def _quietly(action: Any) -> None:
    try:
        await action()
    except (SQLAlchemyError, OSError):  # cleanup only: the outcome was already decided and reported
        log.debug("session cleanup failed", exc_info=True)
