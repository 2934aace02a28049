"""Every list endpoint answers one page: ``?limit=`` (1-1000, default 1000) and ``?offset=``.

The total is in ``X-Total-Count`` and, when more remain, the next page's URL in ``Link``
(``rel="next"``, RFC 8288), so a client that reads only the body still gets at most one bounded
page, and one that follows ``Link`` gets everything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar, overload
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.params import QueryParameter

MAX_PAGE = 1000
T = TypeVar("T")

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="items per page (1-1000)")]
Offset = Annotated[int, QueryParameter(ge=0, description="items skipped")]


class Converted(Sequence[T]):
    """``rows`` as response items, each converted only when read: a page converts its own rows,
    not the whole list (a 20,000-post-it workshop converts 1,000 per page, ~10 ms, not ~0.2 s).

    >>> page = Converted([1, 2, 3], str)
    >>> len(page), page[1:], page[0]
    (3, ['2', '3'], '1')
    """

    def __init__(self, rows: Sequence[Any], convert: Callable[[Any], T]) -> None:
        self._rows, self._convert = rows, convert

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self._convert(r) for r in self._rows[index]]
        return self._convert(self._rows[index])


def paged(request: Request[Any, Any, Any], items: Sequence[T], limit: int, offset: int) -> Response[list[T]]:
    """One page of ``items`` with its ``X-Total-Count`` and, when more remain, a ``Link`` to the next."""
    page = list(items[offset:offset + limit])
    headers = {"X-Total-Count": str(len(items))}
    if offset + limit < len(items):
        query = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}
        following = request.url.with_replacements(query=urlencode({**query, "limit": limit, "offset": offset + limit}))
        headers["Link"] = f'<{following}>; rel="next"'
    return Response(page, headers=headers)
