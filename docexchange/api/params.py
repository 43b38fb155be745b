"""Query parameters, parsed strictly: a bad value is 400 DX_BAD_REQUEST naming it."""

from __future__ import annotations

import re

from aiohttp import web

from docexchange.errors import DocExchangeError

_INTEGER = re.compile(r"[0-9]{1,10}")  # int() would also take "1_000", " 7" and "٣"


def bad_parameter(name: str, raw: str, expected_vi: str, expected_en: str) -> DocExchangeError:
    return DocExchangeError("DX_BAD_REQUEST", f"Tham số {name} phải là {expected_vi}.",
                            f"Parameter {name} must be {expected_en}.",
                            errors=[{"parameter": name, "value": raw}])


def int_query(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw) or not low <= int(raw) <= high:
        raise bad_parameter(name, raw, f"số nguyên từ {low} đến {high}",
                            f"an integer from {low} to {high}")
    return int(raw)
