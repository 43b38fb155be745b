"""Every error leaves the hub as application/problem+json with a stable code and a request id."""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from docexchange.appkeys import REQUEST_ID_KEY
from docexchange.errors import DocExchangeError
from docexchange.logs import request_id_var

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_CODES = {
    400: ("DX_BAD_REQUEST", "Yêu cầu không hợp lệ.", "The request is not valid."),
    401: ("DX_UNAUTHENTICATED", "Cần xác thực.", "Authentication required."),
    403: ("DX_FORBIDDEN", "Không có quyền.", "Forbidden."),
    404: ("DX_NOT_FOUND", "Không tìm thấy.", "Not found."),
    405: ("DX_METHOD_NOT_ALLOWED", "Phương thức không được hỗ trợ.", "Method not allowed."),
    413: ("DX_TOO_LARGE", "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
}


#: a client's X-Request-Id is kept only when it is this harmless (it lands in every log line
#: and response); anything else is replaced by our own
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


#: Request ids made here: this process's random prefix and a counter. Unique without a call
#: to the OS's random source per request (token_hex cost 1.7 % of the hub's GIL time under
#: load, py-spy); an id names a request in logs and answers, it is no secret.
_ID_PREFIX = secrets.token_hex(4)
_ID_COUNTER = itertools.count(1)


def request_id_for(request: web.BaseRequest) -> str:
    given = request.headers.get("X-Request-Id", "")
    if SAFE_REQUEST_ID.fullmatch(given):
        return given
    return f"{_ID_PREFIX}{next(_ID_COUNTER):08x}"


def problem_response(error: DocExchangeError, request_id: str) -> web.Response:
    headers = {"X-Request-Id": request_id}
    if "retry_after" in error.details:  # 429 and 503: when to try again (RFC 9110 §10.2.3)
        headers["Retry-After"] = str(error.details["retry_after"])
    return web.Response(
        status=error.status,
        body=json.dumps(error.to_problem(request_id), ensure_ascii=False).encode("utf-8"),
        content_type="application/problem+json", charset="utf-8", headers=headers)


def _from_http(exc: web.HTTPException) -> DocExchangeError:
    code, vi, en = _HTTP_CODES.get(exc.status, ("DX_BAD_REQUEST", "Yêu cầu không hợp lệ.",
                                                "The request is not valid."))
    return DocExchangeError(code, vi, en)


async def answer_problems(request: web.Request, handler: Handler,
                          request_id: str) -> web.StreamResponse:
    """The handler's answer, or its error as problem+json; the response names the request."""
    try:
        response = await handler(request)
    except DocExchangeError as exc:
        return problem_response(exc, request_id)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return problem_response(_from_http(exc), request_id)
    except Exception:
        log.exception("unhandled error [request_id=%s]", request_id)
        return problem_response(DocExchangeError(
            "DX_INTERNAL", "Lỗi nội bộ của hệ thống; hãy báo mã yêu cầu cho quản trị viên.",
            "Internal error; report the request id to the operators."), request_id)
    response.headers.setdefault("X-Request-Id", request_id)
    return response


def name_request(request: web.Request) -> str:
    """Give the request its id, for the handlers, the access log and every log line."""
    request_id = request_id_for(request)
    request[REQUEST_ID_KEY] = request_id
    request_id_var.set(request_id)  # every log line of this request carries it
    return request_id


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The problem half of the hub's front door (api/frontdoor.py), alone: for apps without
    that door."""
    return await answer_problems(request, handler, name_request(request))
