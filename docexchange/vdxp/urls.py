"""The `/vdxp` sub-app: `POST /vdxp/<operation>` and `POST /vdxp//<operation>` (an endpoint
configured with a trailing slash), every answer a VDXP JSON reply with HTTP 200.

Its middleware replaces the API's problem+json: the SDK reads only its own reply shape, and
hands the DMS `null` for anything else (an HTML page, a 4xx without JSON, a 202).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from docexchange.appkeys import HUB_KEY
from docexchange.errors import DocExchangeError
from docexchange.hub import Hub
from docexchange.vdxp.auth import authenticate
from docexchange.vdxp.operations import OPERATIONS
from docexchange.vdxp.replies import fail, ok

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _operation(request: web.Request) -> str:
    return request.match_info.get("operation", "").lstrip("/")


@web.middleware
async def vdxp_replies(request: web.Request, handler: Handler) -> web.StreamResponse:
    operation = _operation(request)
    try:
        return await handler(request)
    except DocExchangeError as exc:
        return fail(operation, exc)
    except web.HTTPException as exc:
        return fail(operation, DocExchangeError(
            "DX_NOT_FOUND" if exc.status == 404 else "DX_BAD_REQUEST",
            f"Yêu cầu không hợp lệ (HTTP {exc.status}).",
            f"The request is not valid (HTTP {exc.status})."))
    except Exception:
        log.exception("vdxp %s failed", operation)
        return fail(operation, DocExchangeError("DX_INTERNAL", "Lỗi nội bộ của trục.",
                                                "Internal error of the hub."))


def _take_turn(hub: Hub, organ_id: str) -> None:
    """The unit's one rate budget, shared with the native API ([server] unit_rate_limit): the
    SDK's signatures never expire and repeat byte for byte, so a replay, or a runaway DMS
    loop, costs the hub no more than the unit's allowance."""
    wait = hub.rate_limiter.take(organ_id)
    if wait:
        seconds = hub.rate_limiter.retry_after(wait)
        raise DocExchangeError(
            "DX_RATE_LIMITED", f"Đơn vị gửi quá nhiều yêu cầu; thử lại sau {seconds} giây.",
            f"Too many requests from this unit; try again in {seconds} s.")


async def dispatch(request: web.Request) -> web.Response:
    name = _operation(request)
    operation = OPERATIONS.get(name)
    if operation is None:
        raise DocExchangeError(
            "DX_NOT_FOUND", f"Trục không hỗ trợ thao tác '{name}'.",
            f"The hub does not offer the operation '{name}'.")
    if request.method != "POST":
        raise DocExchangeError("DX_METHOD_NOT_ALLOWED", "Mọi thao tác VDXP dùng POST.",
                               "Every VDXP operation is a POST.")
    hub = request.config_dict[HUB_KEY]
    caller = await authenticate(request, hub)
    _take_turn(hub, caller.organ_id)
    return ok(name, **await operation(hub, request, caller))


def create_vdxp_app() -> web.Application:
    app = web.Application(middlewares=[vdxp_replies])
    app.router.add_route("*", r"/{operation:/?[A-Za-z]+}", dispatch)
    return app
