"""A tiny autoescaping HTML builder: every value is escaped unless it is already `Safe`.

Why not a template engine: the dashboard is a handful of small pages, and one rule is easier
to audit than a template language: `html(template, **values)` escapes each value with
`html.escape` (quotes included) unless the value is `Safe`, i.e. markup built here itself.
A `Safe` is only ever produced by this module, so text from the database (unit names,
subjects, notes) can never reach the page unescaped.
"""

from __future__ import annotations

import html as _html
import string
from collections.abc import Iterable
from typing import Any


class Safe(str):
    """Markup that has been escaped already (or is a literal of the dashboard's own)."""

    __slots__ = ()


def escape(value: Any) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(_html.escape("" if value is None else str(value), quote=True))


class _Escaping(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Safe) and not format_spec:
            return value
        return escape(format(value, format_spec))


_formatter = _Escaping()


def html(template: str, /, **values: Any) -> Safe:
    """`template` is the dashboard's own literal markup with `{name}` fields; values escape."""
    return Safe(_formatter.vformat(template, (), values))


def join(parts: Iterable[Any], separator: str = "") -> Safe:
    return Safe(escape(separator).join(escape(p) for p in parts))


def attrs(**values: Any) -> Safe:
    """` name="value"` pairs, skipping None/False; `True` gives a bare attribute."""
    out = []
    for name, value in values.items():
        name = name.rstrip("_").replace("_", "-")
        if value is None or value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{escape(value)}"')
    return Safe("".join(out))
