"""The store's portable SQL as PostgreSQL (through psycopg) reads it, and rows that behave
like SQLite's.

Why translate instead of writing SQL twice: the store writes each statement once, with the
`?` placeholders of the stdlib driver. psycopg wants `%s`, and `%%` for every literal
percent sign, inside string literals too (its placeholder scan does not know SQL quoting; the
engine always passes a parameter sequence, so the scan always runs); named `:name`
parameters become `%(name)s`. Two functions differ by name only: SQLite's
`instr(a, b)` is PostgreSQL's `strpos(a, b)`, and SQLite's LIKE ignores ASCII case where
PostgreSQL's does not, so LIKE becomes ILIKE. Apart from `%`, nothing inside a string
literal, a quoted identifier or a comment is touched. Translations are cached: the store
has a few hundred distinct statements.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

_TOKENS = re.compile(
    r"""(?P<literal>'(?:[^']|'')*')
      | (?P<ident>"(?:[^"]|"")*")
      | (?P<comment>--[^\n]*|/\*.*?\*/)
      | (?P<cast>::)
      | (?P<named>(?<![\w:]):[A-Za-z_]\w*)
      | (?P<qmark>\?)
      | (?P<word>\b(?:LIKE|like|Like|instr|INSTR)\b)""",
    re.VERBOSE | re.DOTALL)
_WORDS = {"like": "ILIKE", "instr": "strpos"}


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """`sql` with psycopg placeholders and PostgreSQL's names (see the module docstring)."""
    def swap(match: re.Match[str]) -> str:
        kind = match.lastgroup
        text = match.group()
        if kind == "qmark":
            return "%s"
        if kind == "named":
            return f"%({text[1:]})s"
        if kind == "word":
            return _WORDS[text.lower()]
        return text
    return _TOKENS.sub(swap, sql.replace("%", "%%"))


class Row(tuple[Any, ...]):
    """A result row: a tuple (so it compares equal to one) that also answers `row["name"]`
    and `keys()`, as sqlite3.Row does (names without regard to case)."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}
    _names: ClassVar[tuple[str, ...]] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._index[key.lower()])
            except KeyError:
                raise IndexError(f"no column named {key!r}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@functools.lru_cache(maxsize=1024)
def row_class(names: tuple[str, ...]) -> type[Row]:
    """One Row subclass per distinct column list, holding the name -> position map."""
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(name.lower(), position)
    return type("Row", (Row,), {"__slots__": (), "_index": index, "_names": names})


def row_maker(cursor: Any) -> Callable[[Sequence[Any]], Any]:
    """psycopg row factory: rows of `row_class` for the cursor's columns."""
    description = cursor.description
    if description is None:
        return tuple
    cls = row_class(tuple(column.name for column in description))
    return lambda values: tuple.__new__(cls, values)
