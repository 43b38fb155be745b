"""The OpenAPI 3 document of the native API, served at /api/v1/openapi.json.

A contract test compares its paths with the routes the app really has, so keep both true.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from docexchange.api.openapi_push import APPROVAL_BODY, ENDPOINT_BODY
from docexchange.api.openapi_push import EXAMPLES as PUSH_EXAMPLES
from docexchange.api.openapi_push import SCHEMAS as PUSH_SCHEMAS
from docexchange.api.openapi_schemas import (
    ACK_BODY,
    EXAMPLES,
    JSON_BODY,
    PACKET_BODY,
    RAW,
    SCHEMAS,
    XLSX,
)
from docexchange.api.responses import json_response
from docexchange.errors import ERROR_CODES

routes = web.RouteTableDef()

def _op(summary: str, errors: tuple[str, ...], *, response: str, ok: int = 200,
        request: dict[str, Any] | None = None, params: tuple[dict[str, Any], ...] = (),
        auth: bool = True, description: str = "") -> dict[str, Any]:
    """One operation: ``response`` names its success schema (openapi_schemas.SCHEMAS, with
    an example in EXAMPLES) or a raw media type (RAW); ``request`` is its body's content."""
    responses: dict[str, Any] = {str(ok): {"description": "Success",
                                           "content": _content(response)}}
    for code in errors:
        responses.setdefault(str(ERROR_CODES[code][0]), {
            "description": "", "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}})
        responses[str(ERROR_CODES[code][0])]["description"] += f"{code} "
    op: dict[str, Any] = {"summary": summary, "responses": responses,
                          "x-error-codes": list(errors)}
    if description:
        op["description"] = description
    if not auth:
        op["security"] = []
    if params:
        op["parameters"] = list(params)
    if request:
        op["requestBody"] = {"required": True, "content": request}
    return op


def _content(response: str) -> dict[str, Any]:
    if response in RAW:
        schema, example = RAW[response]
        return {response: {"schema": schema, "example": example}}
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{response}"},
                                 "example": EXAMPLES[response]}}


def _path_param(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"},
            "description": text}


def _query(name: str, text: str, typ: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": typ},
            "description": text}


AUTH = ("DX_UNAUTHENTICATED",)
#: endpoints a unit calls: its credentials, then its rate limit ([server] unit_rate_limit)
UNIT = AUTH + ("DX_RATE_LIMITED",)
PATHS: dict[str, dict[str, Any]] = {
    "/units": {"get": _op("List the unit directory", UNIT, response="UnitList", params=(
        _query("kind", "Only units of this kind"),
        _query("parent", "Only children of this unit")))},
    "/units/{code}": {"get": _op(
        "One unit with its parent and children", UNIT + ("DX_NOT_FOUND",), response="UnitDetail",
        params=(_path_param("code", "OrganId or a former code"),))},
    "/openapi.json": {"get": _op("This document", (), response="OpenApi", auth=False)},
    "/documents": {"post": _op(
        "Send an edXML document packet", UNIT + (
            "DX_TOO_LARGE", "DX_UNSUPPORTED_MEDIA_TYPE", "DX_MALFORMED_XML", "DX_INVALID_PACKET",
            "DX_SENDER_MISMATCH", "DX_UNKNOWN_RECIPIENT", "DX_RETIRED_RECIPIENT",
            "DX_RECIPIENT_REORGANISED", "DX_RECIPIENT_NOT_YET_VALID", "DX_UNIT_RETIRED",
            "DX_UNIT_NOT_YET_VALID", "DX_CLASSIFIED",
            "DX_BAD_SIGNATURE", "DX_UNKNOWN_REFERENCE",
            "DX_DUPLICATE_DOCUMENT", "DX_BAD_REQUEST", "DX_STORAGE_UNAVAILABLE"),
        response="Receipt", ok=202, request={**PACKET_BODY, **JSON_BODY},
        description="Answers 202 with a receipt once the document is durably stored and "
                    "routed; a repeat of the same bytes answers 200 with the first receipt. "
                    "A document is (sender OrganId, DocumentId): the same sender's DocumentId "
                    "again with other bytes is 409 DX_DUPLICATE_DOCUMENT. The receipt's "
                    "`signature` is `verified`, `absent` or `unverified`: a signature the hub "
                    "cannot check is accepted as unverified unless "
                    "exchange.require_sender_signature is set; one it can check (accepted "
                    "algorithm, certificate registered to the sender) that does not match is "
                    "422 DX_BAD_SIGNATURE in every mode. `warnings` lists what the reader had "
                    "to read leniently (e.g. dd/MM/yyyy dates, undeclared prefixes), each with "
                    "its element, code and a sentence in Vietnamese and English; the stored "
                    "bytes are the sender's. "
                    "With application/json (metadata and base64 files) the hub builds the "
                    "edXML packet itself and accepts it exactly as if it had been posted; "
                    "the receipt's sha256 is the built packet's, which recipients fetch.")},
    "/documents/validate": {"post": _op(
        "Every check of a send, nothing stored or logged", UNIT + (
            "DX_TOO_LARGE", "DX_UNSUPPORTED_MEDIA_TYPE", "DX_BAD_REQUEST"),
        response="ValidationReport", request={**PACKET_BODY, **JSON_BODY},
        description="Answers 200 with valid, the signature state and every problem (code, "
                    "element path, Vietnamese and English sentences).")},
    "/inbox": {"get": _op("The caller's pending deliveries (long-poll)", UNIT + (
        "DX_BAD_REQUEST", "DX_UNIT_RETIRED"), response="Inbox", params=(
            _query("wait", "Seconds to wait for a first item (capped at "
                           "exchange.inbox_max_wait)", "integer"),
            _query("limit", "Most items (1-1000)", "integer"),
            {**_query("packets", "`inline`: each item whose packet is at most "
                                 "exchange.inbox_inline_packet_bytes carries its exact bytes "
                                 "(`packet`, base64), and those still pending are marked "
                                 "fetched (as GET /documents/{message_id} does) in one "
                                 "transaction; larger ones carry none"),
             "schema": {"type": "string", "enum": ["inline"]}}),
        description="Items stay listed until acknowledged. With packets=inline a DMS needs "
                    "no fetch per document: store each packet (check its sha256), then "
                    "acknowledge them all with POST /deliveries/ack.")},
    "/documents/{message_id}": {"get": _op(
        "The sender's exact packet bytes (sender and recipients only)",
        UNIT + ("DX_NOT_FOUND", "DX_UNIT_RETIRED"), response="application/xml",
        params=(_path_param("message_id", "From the receipt"),))},
    "/documents/{message_id}/deliveries": {"get": _op(
        "Per-recipient delivery states and events", UNIT + ("DX_NOT_FOUND",), response="Timeline",
        params=(_path_param("message_id", "From the receipt"),))},
    "/deliveries/ack": {"post": _op(
        "Acknowledge many deliveries in one transaction", UNIT + (
            "DX_BAD_REQUEST", "DX_TOO_LARGE", "DX_UNIT_RETIRED", "DX_STORAGE_UNAVAILABLE"),
        response="AckResults", request=ACK_BODY,
        description="1 to 1000 delivery ids; one result per id in request order: the "
                    "answer of POST /deliveries/{delivery_id}/ack (status 01 issued to each "
                    "document's sender), or `error` DX_NOT_FOUND for an id that is not one "
                    "of the caller's deliveries, while the others still commit. A repeated "
                    "id is answered as a duplicate. All or nothing on a storage failure.")},
    "/deliveries/{delivery_id}/ack": {"post": _op(
        "Acknowledge a delivery; the hub issues status 01 to the sender",
        UNIT + ("DX_NOT_FOUND", "DX_UNIT_RETIRED", "DX_STORAGE_UNAVAILABLE"), response="Ack",
        params=(_path_param("delivery_id", "From the inbox"),))},
    "/statuses": {"post": _op(
        "Report a status packet (01-06, 13 recall, 15/16)", UNIT + (
            "DX_TOO_LARGE", "DX_UNSUPPORTED_MEDIA_TYPE", "DX_MALFORMED_XML", "DX_INVALID_PACKET",
            "DX_SENDER_MISMATCH", "DX_CLASSIFIED", "DX_BAD_SIGNATURE", "DX_UNKNOWN_REFERENCE",
            "DX_BAD_TRANSITION", "DX_FORBIDDEN", "DX_UNIT_RETIRED", "DX_UNIT_NOT_YET_VALID",
            "DX_STORAGE_UNAVAILABLE"), response="StatusOutcome", ok=202, request=PACKET_BODY,
        description="A recipient's status names its document by ResponseFor/OrganId (the "
                    "document's sender) and ResponseFor/DocumentId, and goes to that sender "
                    "only. A recall (13) comes from the document's sender only (403 "
                    "DX_FORBIDDEN for a recipient); its ResponseFor/OrganId names the sender "
                    "or a recipient. Description: at most 2000 characters (422 "
                    "DX_INVALID_PACKET beyond). The answer carries the packet's `signature`.")},
    "/documents/{message_id}/receipt": {"get": _op(
        "The receipt again, with a fresh inclusion proof against the latest tree head",
        UNIT + ("DX_NOT_FOUND",), response="Receipt",
        params=(_path_param("message_id", "From the receipt"),),
        description="Sender and recipients only. Verify offline with `docexchange receipt "
                    "verify` (docs/evidence.md §7).")},
    "/evidence/tree-head": {"get": _op("The latest signed tree head", UNIT + ("DX_NOT_FOUND",),
                                        response="TreeHead")},
    "/evidence/tree-heads": {"get": _op(
        "Signed tree heads by signing time, in size order (paged)", UNIT + ("DX_BAD_REQUEST",),
        response="TreeHeads",
        params=(_query("from", "From this time, UTC ms (inclusive)", "integer"),
                _query("to", "Before this time, UTC ms (exclusive)", "integer"),
                _query("after", "Page cursor: next_after of the previous page", "integer"),
                _query("limit", "Most heads (1-1000)", "integer")))},
    "/evidence/inclusion": {"get": _op(
        "A log leaf and its inclusion proof (units the event concerns only)",
        UNIT + ("DX_BAD_REQUEST", "DX_NOT_FOUND"), response="Inclusion",
        params=(_query("leaf_index", "The leaf (required)", "integer"),
                _query("tree_size", "Size of a signed tree head (default: latest)", "integer")),
        description="Another unit's leaf answers 404 exactly like a missing one.")},
    "/evidence/consistency": {"get": _op(
        "Consistency proof between two signed tree heads", UNIT + (
            "DX_BAD_REQUEST", "DX_NOT_FOUND"), response="Consistency",
        params=(_query("first", "Size of the older head (required)", "integer"),
                _query("second", "Size of the newer head (default: latest)", "integer")))},
    "/audit/export": {"get": _op(
        "Audit export, streamed (operators only)",
        AUTH + ("DX_FORBIDDEN", "DX_BAD_REQUEST", "DX_NOT_FOUND"),
        response="application/x-ndjson", params=(
            _query("from", "First local day (yyyy-mm-dd)"),
            _query("to", "Last local day, included (yyyy-mm-dd)"),
            _query("unit", "Only this unit's events, each with an inclusion proof"),
            _query("format", "jsonl (default) or csv")),
        description="Bearer operator token (`docexchange operators token NAME`); unit "
                    "credentials get 403. Records as docs/evidence.md §8; check offline with "
                    "`docexchange audit verify FILE --hub-cert keys/hub.crt`.")},
}


OPERATOR = ("DX_UNAUTHENTICATED", "DX_FORBIDDEN")
OPERATOR_TOKEN = ("An operator's token (dxop_..., from `docexchange operators token NAME`); "
                  "the /ops endpoints refuse unit keys with 403 DX_FORBIDDEN")


def _ops(summary: str, errors: tuple[str, ...] = (), **kwargs: Any) -> dict[str, Any]:
    """An operations endpoint (docs/operations.md): an operator token only; a unit's API key
    gets 403 DX_FORBIDDEN."""
    op = _op(summary, OPERATOR + errors, **kwargs)
    op["security"] = [{"operator": []}]
    return op


_UNIT = _path_param("code", "OrganId or a former code")
PATHS.update({
    "/ops/connectivity": {"get": _ops(
        "Units valid today: connectivity state, last contacts, backlog, credential expiry",
        ("DX_BAD_REQUEST",), response="Connectivity", params=(
            _query("kind", "Only units of this kind"),
            _query("parent", "Only children of this unit"),
            _query("state", "connected, idle, disconnected or never")))},
    "/ops/kpis": {"get": _ops("Today's indicators: overall, by kind and by parent unit",
                              response="Kpis")},
    "/ops/trend": {"get": _ops("Daily KPI snapshots, oldest first (null: no snapshot)",
                               ("DX_BAD_REQUEST",), response="Trend",
                               params=(_query("days", "Days back (1-366, default 30)",
                                              "integer"),))},
    "/ops/snapshots": {"post": _ops("Store today's KPIs now (idempotent upsert)",
                                    response="Snapshot")},
    "/ops/stuck": {"get": _ops(
        "Unacknowledged deliveries older than a threshold (stuck_after_s in the answer), "
        "most urgent first, then oldest; each with age_s, the recipient's organ_id and name, "
        "and priority", ("DX_BAD_REQUEST",), response="Stuck",
        params=(_query("older_than", "Seconds (default monitor.stuck_after)", "integer"),))},
    "/ops/documents": {"get": _ops(
        "Documents whose subject (trích yếu) or number contains every word, accents and "
        "case ignored, newest first", ("DX_BAD_REQUEST",), response="DocumentSearch",
        params=(_query("q", "Words, e.g. trien khai"),
                _query("limit", "Most documents (1-500, default 100)", "integer")))},
    "/ops/reports/coverage.xlsx": {"get": _ops(
        "Excel workbook: coverage by level against the 100 % target, and every unit",
        response=XLSX)},
    "/ops/reports/documents.xlsx": {"get": _ops(
        "Excel workbook: one row per document and recipient accepted in a range of local "
        "days", ("DX_BAD_REQUEST",), response=XLSX, params=(
            _query("from", "yyyy-mm-dd (default: the first day of this month)"),
            _query("to", "yyyy-mm-dd, included (default: today)")))},
    "/ops/overdue": {"get": _ops("Deliveries past their DueDate without status 06",
                                 response="Rows")},
    "/ops/not-acked": {"get": _ops(
        "Document deliveries of a local day not acknowledged by its end", ("DX_BAD_REQUEST",),
        response="Rows",
        params=(_query("day", "yyyy-mm-dd, default today"),))},
    "/ops/expiring-credentials": {"get": _ops(
        "Unit API keys and signing certificates expiring soon", ("DX_BAD_REQUEST",),
        response="Expiring",
        params=(_query("within_days", "Days ahead (default 30)", "integer"),))},
    "/ops/units/{code}": {"get": _ops(
        "One unit: status, active API keys, 20 latest documents in and out", ("DX_NOT_FOUND",),
        response="OpsUnit",
        params=(_UNIT,))},
    "/ops/alerts": {"get": _ops("Alerts, newest first", ("DX_BAD_REQUEST",), response="Alerts",
                               params=(
        _query("state", "open or closed (default both)"), _query("unit", "Only this OrganId"),
        _query("limit", "Most alerts (1-1000)", "integer")))},
    "/ops/units/{code}/disable-credentials": {"post": _ops(
        "Revoke every API key of the unit (admin)", ("DX_NOT_FOUND",), params=(_UNIT,),
        response="Revoked",
        description="Logged as an operator_action event naming the operator.")},
    "/ops/units/{code}/reissue-credentials": {"post": _ops(
        "Replace the unit's API keys by a new one, returned once (admin)",
        ("DX_NOT_FOUND", "DX_CONFLICT"), response="Reissued", ok=201, params=(_UNIT,),
        description="The old keys are revoked in the same transaction; logged as an "
                    "operator_action event naming the operator.")},
})


# push delivery and relay between hubs (docs/push-and-relay.md)
SCHEMAS.update(PUSH_SCHEMAS)
EXAMPLES.update(PUSH_EXAMPLES)
_MID = _path_param("message_id", "Message id (ULID)")
_DID = _path_param("delivery_id", "Delivery id (ULID)")
_PACKET = ("DX_TOO_LARGE", "DX_UNSUPPORTED_MEDIA_TYPE", "DX_MALFORMED_XML", "DX_INVALID_PACKET",
           "DX_SENDER_MISMATCH", "DX_UNKNOWN_RECIPIENT", "DX_CLASSIFIED", "DX_BAD_SIGNATURE",
           "DX_DUPLICATE_DOCUMENT", "DX_UNKNOWN_REFERENCE", "DX_BAD_TRANSITION", "DX_FORBIDDEN")
_RELAY = ("A [[downstream]] hub's account only (others get 403 DX_FORBIDDEN). The packet must "
          "come From a code that hub serves, never from one of this hub's units.")
PATHS.update({
    "/push-endpoint": {
        "get": _op("The caller's push endpoint and its state", UNIT + ("DX_NOT_FOUND",),
                   response="PushEndpoint"),
        "put": _op("Register or change the caller's push endpoint (waits for an operator)",
                   UNIT + ("DX_BAD_REQUEST", "DX_INVALID_ENDPOINT"), response="PushEndpoint",
                   ok=201, request=ENDPOINT_BODY, description="Loopback, link-local and "
                   "private addresses are refused; a new URL waits for an operator again."),
        "delete": _op("Remove the caller's push endpoint", UNIT + ("DX_NOT_FOUND",),
                      response="PushRemoved")},
    "/ops/push-endpoints": {"get": _ops(
        "Registered push endpoints", ("DX_BAD_REQUEST",), response="PushEndpoints",
        params=(_query("state", "pending, approved or disabled"),))},
    "/ops/push-endpoints/{code}/approve": {"post": _ops(
        "Approve a unit's push endpoint (admin)", ("DX_NOT_FOUND", "DX_INVALID_ENDPOINT"),
        response="PushEndpoint", params=(_UNIT,), request=APPROVAL_BODY,
        description='{"allow_http": true} is required to approve an http:// URL.')},
    "/ops/push-endpoints/{code}/disable": {"post": _ops(
        "Stop pushing to a unit (admin); its deliveries stay in its inbox", ("DX_NOT_FOUND",),
        response="PushEndpoint", params=(_UNIT,))},
    "/relay/documents": {"post": _op(
        "Relay a packet of a served unit (a document; a status is accepted too)",
        UNIT + _PACKET, response="Receipt", ok=202, request=PACKET_BODY,
        description=_RELAY)},
    "/relay/statuses": {"post": _op(
        "Relay a status packet of a served unit", UNIT + _PACKET, response="StatusOutcome",
        ok=202, request=PACKET_BODY, description=_RELAY)},
    "/relay/inbox": {"get": _op(
        "Deliveries held for the units the calling hub serves", UNIT + (
            "DX_BAD_REQUEST", "DX_FORBIDDEN"), response="RelayInbox", params=(
            _query("limit", "Most items (1-1000)", "integer"),), description=_RELAY)},
    "/relay/messages/{message_id}": {"get": _op(
        "A held packet's exact bytes", UNIT + ("DX_NOT_FOUND", "DX_FORBIDDEN"),
        response="application/xml", params=(_MID,), description=_RELAY)},
    "/relay/deliveries/{delivery_id}/ack": {"post": _op(
        "The calling hub stored a held packet (idempotent)", UNIT + (
            "DX_NOT_FOUND", "DX_FORBIDDEN"), response="RelayAck", params=(_DID,),
        description=_RELAY)},
})


def _problem_schema() -> dict[str, Any]:
    schema = dict(SCHEMAS["Problem"])
    schema["properties"] = {**schema["properties"],
                            "code": {"type": "string", "enum": sorted(ERROR_CODES)}}
    return schema


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "docexchange hub API", "version": "1",
                 "description": "Provincial edXML document exchange. Errors are "
                                "application/problem+json with a stable `code`. A request "
                                "without credentials may send at most "
                                "[server] unauthenticated_body_bytes (16 KiB): more is 413 "
                                "DX_TOO_LARGE. A unit over its rate limit gets 429 "
                                "DX_RATE_LIMITED with Retry-After."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A unit's API key (dx_...)"},
                                "operator": {"type": "http", "scheme": "bearer",
                                             "description": OPERATOR_TOKEN}},
            "schemas": {**SCHEMAS, "Problem": _problem_schema()},
            "responses": {"Problem": {"description": "Error", "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
        },
    }


@routes.get("/openapi.json")
async def openapi_json(request: web.Request) -> web.Response:
    return json_response(document())


DOCS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>docexchange API</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}
code{background:#eee;padding:0 .2em}</style></head><body><h1>docexchange API v1</h1>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>.</p><div id="ops">%s</div>
</body></html>"""


async def docs_page(request: web.Request) -> web.Response:
    """A readable, dependency-free rendering of the OpenAPI document."""
    import html
    rows = []
    for path, ops in PATHS.items():
        for method, op in ops.items():
            codes = ", ".join(op.get("x-error-codes", []))
            rows.append(f"<h3><code>{method.upper()} /api/v1{html.escape(path)}</code></h3>"
                        f"<p>{html.escape(op['summary'])}</p>"
                        + (f"<p>{html.escape(op['description'])}</p>" if "description" in op
                           else "")
                        + (f"<p>Errors: {html.escape(codes)}</p>" if codes else ""))
    return web.Response(text=DOCS_PAGE % "".join(rows), content_type="text/html")
