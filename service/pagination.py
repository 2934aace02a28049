"""Every list endpoint answers one page: ``?limit=`` (1-1000, default 1000) and ``?offset=``.

The total is in ``X-Total-Count`` and, when more remain, the next page's URL in ``Link``
(``rel="next"``, RFC 8288), so a client that reads only the body still gets at most one bounded
page, and one that follows ``Link`` gets everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.params import QueryParameter

MAX_PAGE = 1000
T = TypeVar("T")

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="items per page (1-1000)")]
Offset = Annotated[int, QueryParameter(ge=0, description="items skipped")]


def paged(request: Request[Any, Any, Any], items: Sequence[T], limit: int, offset: int) -> Response[list[T]]:
    """One page of ``items`` with its ``X-Total-Count`` and, when more remain, a ``Link`` to the next."""
    page = list(items[offset:offset + limit])
    headers = {"X-Total-Count": str(len(items))}
    if offset + limit < len(items):
        query = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}
        following = request.url.with_replacements(query=urlencode({**query, "limit": limit, "offset": offset + limit}))
        headers["Link"] = f'<{following}>; rel="next"'
    return Response(page, headers=headers)
