"""VDXP replies: always HTTP 200 with a JSON body the SDK can parse (docs/vdxp.md §4).

Every reply carries `status`, `ErrorCode` and `ErrorDesc` as strings, and the key the SDK
reads for the operation (`DocId` on sendEdoc, `data` on getEdoc and the lists) even on
failure: a missing key or a null makes the SDK hand the DMS an empty result, losing the error.
`ErrorCode` of a failure is the hub's stable `DX_*` code; `ErrorDesc` says it in Vietnamese,
then English. Non-ASCII characters are written as \\uXXXX (sendEdoc decodes its reply in the
DMS machine's charset). sendEdoc's 202 would read as a failure to the SDK: it gets 200.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from docexchange.errors import DocExchangeError
from docexchange.vdxp.wire import reply_body

#: The key each operation's reply must carry even on failure, with its empty value.
REQUIRED: dict[str, dict[str, Any]] = {
    "sendEdoc": {"DocId": ""},
    "getEdoc": {"data": ""},
    "getReceivedEdocList": {"data": []},
    "getSentEdocList": {"data": []},
    "getAgenciesList": {"data": []},
    "getSynchronizeUnit": {"data": []},
}

OK_DESC = "Thành công | Success"


def reply(fields: dict[str, Any]) -> web.Response:
    return web.Response(body=reply_body(fields), status=200,
                        content_type="application/json", charset="utf-8")


def ok(operation: str, **fields: Any) -> web.Response:
    return reply({"status": "OK", "ErrorCode": "0", "ErrorDesc": OK_DESC,
                  **REQUIRED.get(operation, {}), **fields})


def fail(operation: str, error: DocExchangeError) -> web.Response:
    return reply({"status": "FAIL", "ErrorCode": error.code,
                  "ErrorDesc": f"{error.message_vi} | {error.message_en}",
                  **REQUIRED.get(operation, {})})
