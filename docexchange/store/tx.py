"""The transaction object services see: what both engines (SQLite, PostgreSQL) implement.

A named store operation takes a `Tx` and runs its statements inside the transaction the engine
opened for it (a write batch's SAVEPOINT, or a read snapshot). Services never build SQL: they
pass a `Tx` they were handed from `Database.write`/`Database.read` on to `docexchange.store.*`
operations. SQL is written once, in the portable subset both engines accept, with `?`
placeholders; the PostgreSQL engine translates them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


Params = Sequence[Any] | Mapping[str, Any]


class Tx(Protocol):
    """One open transaction: statements run in it, the engine commits or rolls it back.

    `row_factory` is the sqlite3 switch some operations flip to name columns; rows of the
    PostgreSQL engine always answer both by position and by name, and it ignores the switch."""

    row_factory: Any

    def execute(self, sql: str, parameters: Params = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
