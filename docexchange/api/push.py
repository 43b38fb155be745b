"""Push endpoints: a unit registers its URL; operators list, approve and disable them.

Handlers only parse, call docexchange.push.endpoints and shape the answer.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from docexchange.api.auth import authenticate, authenticate_operator
from docexchange.api.responses import json_response
from docexchange.appkeys import HUB_KEY
from docexchange.errors import DocExchangeError
from docexchange.push import endpoints

routes = web.RouteTableDef()
MAX_JSON = 16 * 1024


async def json_body(request: web.Request) -> dict[str, Any]:
    """A small JSON object body, or DX_BAD_REQUEST."""
    data = await request.content.read(MAX_JSON + 1)
    try:
        body = json.loads(data) if data and len(data) <= MAX_JSON else None
    except ValueError:
        body = None
    if data and not isinstance(body, dict):
        raise DocExchangeError("DX_BAD_REQUEST", "Thân yêu cầu phải là một đối tượng JSON nhỏ.",
                               "The body must be a small JSON object.")
    return body or {}


@routes.get("/push-endpoint")
async def show_endpoint(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    return json_response(await endpoints.show(request.config_dict[HUB_KEY], caller))


@routes.put("/push-endpoint")
async def register_endpoint(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    url = (await json_body(request)).get("url", "")
    endpoint = await endpoints.register(request.config_dict[HUB_KEY], caller, url, caller)
    return json_response(endpoint, status=201)


@routes.delete("/push-endpoint")
async def remove_endpoint(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    await endpoints.remove(request.config_dict[HUB_KEY], caller, caller)
    return json_response({"organ_id": caller, "removed": True})


@routes.get("/ops/push-endpoints")
async def list_endpoints(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    state = request.query.get("state")
    if state not in (None, "pending", "approved", "disabled"):
        raise DocExchangeError("DX_BAD_REQUEST", "state phải là pending, approved hoặc disabled.",
                               "state must be pending, approved or disabled.", parameter="state")
    found = await endpoints.listing(request.config_dict[HUB_KEY], state)
    return json_response({"count": len(found), "items": found})


@routes.post("/ops/push-endpoints/{code}/approve")
async def approve_endpoint(request: web.Request) -> web.Response:
    operator = await authenticate_operator(request, admin=True)
    allow_http = (await json_body(request)).get("allow_http", False) is True
    return json_response(await endpoints.decide(
        request.config_dict[HUB_KEY], request.match_info["code"], operator.name, "approved",
        allow_http=allow_http))


@routes.post("/ops/push-endpoints/{code}/disable")
async def disable_endpoint(request: web.Request) -> web.Response:
    operator = await authenticate_operator(request, admin=True)
    return json_response(await endpoints.decide(
        request.config_dict[HUB_KEY], request.match_info["code"], operator.name, "disabled"))
