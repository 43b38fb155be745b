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
from docexchange.config import VdxpConfig
from docexchange.errors import DocExchangeError
from docexchange.vdxp.auth import authenticate
from docexchange.vdxp.operations import OPERATIONS
from docexchange.vdxp.ratelimit import RateLimiter
from docexchange.vdxp.replies import fail, ok

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LIMITER_KEY = web.AppKey("vdxp_rate_limiter", RateLimiter)


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
    request.app[LIMITER_KEY].take(caller.organ_id)
    return ok(name, **await operation(hub, request, caller))


def create_vdxp_app(config: VdxpConfig) -> web.Application:
    app = web.Application(middlewares=[vdxp_replies])
    app[LIMITER_KEY] = RateLimiter(config.requests_per_minute, config.burst)
    app.router.add_route("*", r"/{operation:/?[A-Za-z]+}", dispatch)
    return app
