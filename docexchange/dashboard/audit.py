"""The audit page: a form that downloads the evidence log export (the same stream as
`GET /api/v1/audit/export`, behind the dashboard's session instead of a bearer token)."""

from __future__ import annotations

from aiohttp import web

from docexchange.api.audit import export_scope, stream_export
from docexchange.dashboard.layout import page, url, view
from docexchange.dashboard.markup import html, join
from docexchange.dashboard.widgets import field, select

routes = web.RouteTableDef()


@routes.get("/audit", name="audit")
async def audit_page(request: web.Request) -> web.Response:
    v = view(request)
    fields = join([
        field(v.t("audit.from"), "from", "", kind="date"),
        field(v.t("audit.to"), "to", "", kind="date"),
        field(v.t("audit.unit"), "unit", ""),
        select(v.t("audit.format"), "format", [("jsonl", "JSON Lines"), ("csv", "CSV")],
               "jsonl"),
    ])
    body = html('<p>{intro}<code>docexchange audit verify FILE --hub-cert keys/hub-certs/'
                '</code></p><form method="get" action="{action}" class="filters" '
                'data-testid="audit-export">{fields}<button type="submit">{submit}</button>'
                '</form>', intro=v.t("audit.intro"), action=url("/audit/export"),
                fields=fields, submit=v.t("audit.download"))
    return page(v, v.t("audit.title"), body, active="audit")


@routes.get("/audit/export")
async def audit_download(request: web.Request) -> web.StreamResponse:
    scope, fmt = export_scope(request)
    return await stream_export(request, scope, fmt)
