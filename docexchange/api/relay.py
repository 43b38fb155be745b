"""The relay API for [[downstream]] hubs (docs/push-and-relay.md): bring packets of the
units they serve, and poll what is held for those units. Handlers parse, call
docexchange.upstream.serving and shape the answer."""

from __future__ import annotations

from aiohttp import web

from docexchange.api.auth import authenticate
from docexchange.api.body import read_body
from docexchange.api.params import int_query
from docexchange.api.responses import json_response
from docexchange.appkeys import HUB_KEY
from docexchange.exchange.incoming import nothing_left_behind
from docexchange.hub import Hub
from docexchange.upstream import serving

routes = web.RouteTableDef()


async def _downstream(request: web.Request) -> tuple[Hub, str]:
    account = await authenticate(request)
    hub = request.config_dict[HUB_KEY]
    return hub, serving.downstream_of(hub, account)


async def _relay(request: web.Request) -> web.Response:
    hub, name = await _downstream(request)
    body = await read_body(request, hub.exchange, hub.config.exchange.max_packet_bytes,
                           hub.config.storage.inline_payload_bytes)
    async with nothing_left_behind(hub.exchange.payloads, body):
        result, duplicate = await serving.relay_in(hub, name, body)
    return json_response(result, status=200 if duplicate else 202)


@routes.post("/relay/documents")
async def relay_document(request: web.Request) -> web.Response:
    return await _relay(request)


@routes.post("/relay/statuses")
async def relay_status(request: web.Request) -> web.Response:
    return await _relay(request)


@routes.get("/relay/inbox")
async def relay_inbox(request: web.Request) -> web.Response:
    hub, name = await _downstream(request)
    items = await serving.held_for(hub, name, int_query(request, "limit", 100, 1, 1000))
    return json_response({"count": len(items), "items": items})


@routes.get("/relay/messages/{message_id}")
async def relay_message(request: web.Request) -> web.Response:
    hub, name = await _downstream(request)
    data, message = await serving.fetch_held(hub, name, request.match_info["message_id"])
    return web.Response(body=data, content_type="application/xml", headers={
        "X-Content-SHA256": message["sha256"], "X-Message-Id": message["message_id"]})


@routes.post("/relay/deliveries/{delivery_id}/ack")
async def relay_ack(request: web.Request) -> web.Response:
    hub, name = await _downstream(request)
    return json_response(await serving.ack_held(hub, name, request.match_info["delivery_id"]))
