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

_CONTAINERS = (dict, list, tuple)
#: one encoder for every call: `json.dumps` with these options builds a new JSONEncoder each
#: time, which the writer thread paid once per leaf (same options, so the same bytes)
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
)


def canonical_json(obj: object) -> bytes:
    """Serialise ``obj`` canonically as UTF-8 bytes.

    Raises TypeError for non-string keys or values JSON cannot represent (``json`` would
    silently turn ``{1: ...}`` into ``{"1": ...}``, two objects with one byte form), and
    ValueError for NaN, infinities and strings with lone surrogates (not valid UTF-8).
    """
    _check(obj)
    text = _ENCODER.encode(obj)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text contains a lone surrogate, which is not valid UTF-8") from exc


def _check(obj: object) -> None:
    """Refuse what the encoder would silently change: a non-string object key (``json`` turns
    ``1``, ``1.5``, ``True``, ``None`` into strings). Everything else without exactly one
    canonical form the encoder itself refuses: NaN and infinities (ValueError, allow_nan=False),
    any other type (TypeError). Why only keys are walked: this walk ran under the writer's
    GIL once per leaf and cost as much as the encoding; scalars need no visit."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {type(key).__name__}")
            if isinstance(value, _CONTAINERS):
                _check(value)
    elif isinstance(obj, list | tuple):
        for item in obj:
            if isinstance(item, _CONTAINERS):
                _check(item)
