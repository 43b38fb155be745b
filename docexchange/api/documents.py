"""Document exchange endpoints: send, validate, inbox, fetch, acknowledge, statuses, timeline."""

from __future__ import annotations

from aiohttp import web

from docexchange.api.auth import authenticate
from docexchange.api.body import read_body
from docexchange.api.compose import build_packet, composed_body, read_json
from docexchange.api.params import bad_parameter, int_query
from docexchange.api.responses import json_response
from docexchange.appkeys import HUB_KEY
from docexchange.delivery import batch, service
from docexchange.exchange.accept import accept_document
from docexchange.exchange.status_intake import accept_status
from docexchange.exchange.validation import validate_packet
from docexchange.hub import Hub

routes = web.RouteTableDef()


def _hub(request: web.Request) -> Hub:
    return request.config_dict[HUB_KEY]


@routes.post("/documents")
async def send_document(request: web.Request) -> web.Response:
    """An edXML packet as sent, or JSON metadata and files that the hub turns into one."""
    caller = await authenticate(request)
    hub = _hub(request)
    if request.content_type == "application/json":
        body = await composed_body(request, hub, caller)
    else:
        body = await read_body(request, hub.exchange, hub.config.exchange.max_packet_bytes,
                               hub.config.storage.inline_payload_bytes)
    accepted = await accept_document(hub.exchange, caller, body)
    hub.activity.note(caller, "send")
    receipt = {**accepted.receipt, "duplicate": accepted.duplicate}
    return json_response(receipt, status=200 if accepted.duplicate else 202)


@routes.post("/documents/validate")
async def validate_document(request: web.Request) -> web.Response:
    """Every check of a send, nothing stored or logged: 200 with the list of problems."""
    caller = await authenticate(request)
    hub = _hub(request)
    limit = hub.config.exchange.max_packet_bytes
    if request.content_type == "application/json":
        data = build_packet(hub, caller, await read_json(request, limit))
    else:
        data = (await read_body(request, hub.exchange, limit, limit)).data
    report = await validate_packet(hub.exchange, caller, data)
    return json_response(report.to_json())


@routes.get("/inbox")
async def get_inbox(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    hub = _hub(request)
    hub.activity.note(caller, "poll")
    wait = min(int_query(request, "wait", 0, 0, 86400), hub.config.exchange.inbox_max_wait)
    limit = int_query(request, "limit", 100, 1, 1000)
    if _packets_inline(request):
        items = await batch.inbox_with_packets(hub.exchange, caller, wait, limit)
    else:
        items = await service.inbox(hub.exchange, caller, wait, limit)
    return json_response({"count": len(items), "items": items})


def _packets_inline(request: web.Request) -> bool:
    """`packets=inline`: the listing carries the packets it can (delivery/batch.py)."""
    raw = request.query.get("packets")
    if raw is None:
        return False
    if raw != "inline":
        raise bad_parameter("packets", raw, "'inline'", "'inline'")
    return True


@routes.get("/documents/{message_id}")
async def get_document(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    data, message = await service.fetch_document(_hub(request).exchange, caller,
                                                 request.match_info["message_id"])
    return web.Response(body=data, content_type="application/xml", headers={
        "X-Content-SHA256": message["sha256"], "X-Message-Id": message["message_id"]})


@routes.get("/documents/{message_id}/deliveries")
async def get_deliveries(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    body = await service.timeline(_hub(request).exchange, caller,
                                  request.match_info["message_id"])
    return json_response(body)


@routes.post("/deliveries/ack")
async def ack_deliveries(request: web.Request) -> web.Response:
    """Many acknowledgements in one transaction: `{"delivery_ids": [...]}` → `results`."""
    caller = await authenticate(request)
    hub = _hub(request)
    ids = batch.ack_ids(await read_json(request, ACK_BODY_BYTES))
    results = await batch.acknowledge_many(hub.exchange, caller, ids)
    hub.activity.note(caller, "ack")
    return json_response({"count": len(results), "results": results})


#: a batch acknowledgement's body: 1000 ids of ~26 characters fit well within
ACK_BODY_BYTES = 64 * 1024


@routes.post("/deliveries/{delivery_id}/ack")
async def ack_delivery(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    result = await service.acknowledge(_hub(request).exchange, caller,
                                       request.match_info["delivery_id"])
    _hub(request).activity.note(caller, "ack")
    return json_response(result)


@routes.post("/statuses")
async def send_status(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    hub = _hub(request)
    body = await read_body(request, hub.exchange, hub.config.exchange.max_packet_bytes,
                           hub.config.storage.inline_payload_bytes)
    outcome = await accept_status(hub.exchange, caller, body)
    return json_response(outcome.to_json(), status=200 if outcome.duplicate else 202)
