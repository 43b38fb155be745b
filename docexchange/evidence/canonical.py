"""The one byte form of a log leaf: canonical JSON.

A leaf's hash is over bytes, so the same event must always give the same bytes: keys sorted by
code point, no insignificant whitespace, UTF-8 without escaping non-ASCII text (Vietnamese stays
readable in exports), and nothing JSON cannot carry faithfully. Strings are kept exactly as
given; no Unicode normalisation happens here.

Verifiers should hash the leaf bytes they were given, not re-serialise parsed JSON: other
languages format floating-point numbers differently, so prefer integers in leaves.
"""

from __future__ import annotations

import json
import math

_SCALARS = (str, int, type(None))


def canonical_json(obj: object) -> bytes:
    """Serialise ``obj`` canonically as UTF-8 bytes.

    Raises TypeError for non-string keys or values JSON cannot represent (``json`` would
    silently turn ``{1: ...}`` into ``{"1": ...}``, two objects with one byte form), and
    ValueError for NaN, infinities and strings with lone surrogates (not valid UTF-8).
    """
    _check(obj)
    text = json.dumps(
        obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text contains a lone surrogate, which is not valid UTF-8") from exc


def _check(obj: object) -> None:
    """Walk the value and refuse anything without exactly one canonical JSON form."""
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError("NaN and infinities have no JSON form")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {type(key).__name__}")
            _check(value)
    elif isinstance(obj, list | tuple):
        for item in obj:
            _check(item)
    elif not isinstance(obj, _SCALARS):
        raise TypeError(f"{type(obj).__name__} has no canonical JSON form")
