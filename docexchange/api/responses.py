"""JSON answers written in UTF-8 as is: Vietnamese names stay readable in curl and logs.

Encoded by orjson (C: a receipt in 0.4 µs instead of 7.6, the whole response 1.6 µs instead of
8.3; `json` was 2.7 % of a busy hub's GIL time, issue 12): UTF-8 without escapes, keys in the
order given, compact separators. What orjson refuses and `json` accepts (integers beyond 64
bits) is encoded by `json` instead, so no answer changes meaning. NaN and infinities, which
`json` wrote as the invalid tokens `NaN`/`Infinity`, come out as `null` (the API has no float
that can be either). Types neither knows still raise TypeError (dataclasses and datetimes too:
the API shapes its own JSON).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from aiohttp import web

_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
            | orjson.OPT_PASSTHROUGH_DATETIME)


def encode_json(data: Any) -> bytes:
    """``data`` as UTF-8 JSON bytes; raises TypeError for values JSON has no form for."""
    try:
        return orjson.dumps(data, option=_OPTIONS)
    except orjson.JSONEncodeError:  # beyond orjson (a 65-bit integer): json's form or error
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


def json_response(data: Any, *, status: int = 200,
                  headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=encode_json(data), status=status, headers=headers,
                        content_type="application/json", charset="utf-8")
