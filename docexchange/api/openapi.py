"""The OpenAPI 3 document of the native API, served at /api/v1/openapi.json.

A contract test compares its paths with the routes the app really has, so keep both true.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from docexchange.errors import ERROR_CODES

routes = web.RouteTableDef()

_PROBLEM = {"$ref": "#/components/responses/Problem"}


def _op(summary: str, errors: tuple[str, ...], *, ok: int = 200, body: str | None = None,
        params: tuple[dict[str, Any], ...] = (), auth: bool = True,
        description: str = "") -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok): {"description": "Success"}}
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
    if body:
        op["requestBody"] = {"required": True, "content": {
            body: {"schema": {"type": "string", "format": "binary"}}}}
    return op


def _path_param(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"},
            "description": text}


def _query(name: str, text: str, typ: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": typ},
            "description": text}


AUTH = ("DX_UNAUTHENTICATED",)
PATHS: dict[str, dict[str, Any]] = {
    "/units": {"get": _op("List the unit directory", AUTH, params=(
        _query("kind", "Only units of this kind"), _query("parent", "Only children of this unit")))},
    "/units/{code}": {"get": _op("One unit with its parent and children", AUTH + ("DX_NOT_FOUND",),
                                 params=(_path_param("code", "OrganId or a former code"),))},
    "/openapi.json": {"get": _op("This document", (), auth=False)},
    "/documents": {"post": _op(
        "Send an edXML document packet", AUTH + (
            "DX_TOO_LARGE", "DX_UNSUPPORTED_MEDIA_TYPE", "DX_INVALID_PACKET",
            "DX_SENDER_MISMATCH", "DX_UNKNOWN_RECIPIENT", "DX_RETIRED_RECIPIENT",
            "DX_CLASSIFIED", "DX_BAD_SIGNATURE", "DX_UNKNOWN_REFERENCE",
            "DX_DUPLICATE_DOCUMENT"), ok=202, body="application/xml",
        description="Answers 202 with a receipt once the document is durably stored and "
                    "routed; a repeat of the same bytes answers 200 with the first receipt.")},
    "/inbox": {"get": _op("The caller's pending deliveries (long-poll)", AUTH + (
        "DX_BAD_REQUEST",), params=(_query("wait", "Seconds to wait for a first item", "integer"),
                                   _query("limit", "Most items (1-1000)", "integer")))},
    "/documents/{message_id}": {"get": _op(
        "The sender's exact packet bytes (sender and recipients only)",
        AUTH + ("DX_NOT_FOUND",), params=(_path_param("message_id", "From the receipt"),))},
    "/documents/{message_id}/deliveries": {"get": _op(
        "Per-recipient delivery states and events", AUTH + ("DX_NOT_FOUND",),
        params=(_path_param("message_id", "From the receipt"),))},
    "/deliveries/{delivery_id}/ack": {"post": _op(
        "Acknowledge a delivery; the hub issues status 01 to the sender",
        AUTH + ("DX_NOT_FOUND",), params=(_path_param("delivery_id", "From the inbox"),))},
    "/statuses": {"post": _op(
        "Report a status packet (01-06, 13 recall, 15/16)", AUTH + (
            "DX_TOO_LARGE", "DX_INVALID_PACKET", "DX_SENDER_MISMATCH", "DX_BAD_SIGNATURE",
            "DX_UNKNOWN_REFERENCE", "DX_BAD_TRANSITION"), ok=202, body="application/xml")},
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "docexchange hub API", "version": "1",
                 "description": "Provincial edXML document exchange. Errors are "
                                "application/problem+json with a stable `code`."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A unit's API key (dx_...)"}},
            "schemas": {"Problem": {"type": "object", "required": [
                "type", "title", "status", "code", "detail_vi", "detail_en", "request_id",
                "errors"], "properties": {
                "type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"},
                "code": {"type": "string", "enum": sorted(ERROR_CODES)},
                "detail_vi": {"type": "string"}, "detail_en": {"type": "string"},
                "request_id": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object"}}}}},
            "responses": {"Problem": {"description": "Error", "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
        },
    }


@routes.get("/openapi.json")
async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(document())


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
