"""Rows to response bodies: one mapper for every row, by field name, with msgspec's checks."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

Schema = TypeVar("Schema")


class _Merged:
    """A row seen through the values computed for it (those win, by name)."""

    def __init__(self, row: object, computed: dict[str, Any]) -> None:
        self._row, self._computed = row, computed

    def __getattr__(self, name: str) -> Any:
        computed = self.__dict__["_computed"]
        return computed[name] if name in computed else getattr(self.__dict__["_row"], name)


def to_schema(row: object, schema: type[Schema], **computed: Any) -> Schema:
    """``schema`` filled from ``row``'s attributes of the same names, and from ``computed``.

    The row's columns map by name (``msgspec.convert(..., from_attributes=True)``: types checked,
    a missing field is an error); what a column does not hold (a text joined from sentences, a
    diff, an address) is passed by name.

    >>> class Out(msgspec.Struct):
    ...     id: int
    ...     label: str
    ...     shown: str
    >>> class Row:
    ...     id, label, hidden = 7, "Mobilité", "not in the schema"
    >>> to_schema(Row(), Out, shown="7 · Mobilité")
    Out(id=7, label='Mobilité', shown='7 · Mobilité')
    """
    return msgspec.convert(_Merged(row, computed) if computed else row, schema, from_attributes=True)
