"""The audit page: browse the evidence log's events (filter by unit, kind and local days),
check a receipt file dropped on it, and download the evidence log export (the same stream as
`GET /api/v1/audit/export`, behind the dashboard's session instead of a bearer token).

The receipt check is the offline verifier's (`docexchange receipt verify`), run against the
hub's own certificates; the upload is a plain form (the CSP allows no script).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from docexchange.admin.audit_log import log_event_kinds, log_events
from docexchange.api.audit import export_scope, stream_export
from docexchange.appkeys import HUB_KEY
from docexchange.dashboard.documents import _day_start
from docexchange.dashboard.layout import View, page, url, view
from docexchange.dashboard.markup import Safe, attrs, html, join
from docexchange.dashboard.widgets import field, select, table, unit_cell, when
from docexchange.evidence.verify import VerificationError, certificates_by_key_id, check_receipt
from docexchange.hub import Hub

routes = web.RouteTableDef()
EVENTS_SHOWN = 200
MAX_RECEIPT_BYTES = 512 * 1024
SUMMARY_CHARS = 160


@routes.get("/audit", name="audit")
async def audit_page(request: web.Request) -> web.Response:
    return await _audit_response(request, Safe(""))


@routes.post("/audit/receipt", name="audit-receipt")
async def check_receipt_file(request: web.Request) -> web.Response:
    """The receipt file of a plain multipart form, checked like the offline command does."""
    v, hub = view(request), request.config_dict[HUB_KEY]
    upload = (await request.post()).get("receipt")
    raw = getattr(upload, "file", None)
    if raw is None:
        return await _audit_response(request, _verdict(False, v.t("audit.receipt_missing")))
    with raw:  # the form's spooled temporary file: closed here, not by the collector
        data = raw.read(MAX_RECEIPT_BYTES + 1)
    try:
        receipt = json.loads(data[:MAX_RECEIPT_BYTES])
        checked = check_receipt(receipt, _hub_certificates(hub))
    except (ValueError, VerificationError) as exc:
        reason = str(exc) if isinstance(exc, VerificationError) else "JSON"
        return await _audit_response(request, _verdict(False, v.t("audit.receipt_bad",
                                                                  reason=reason)))
    head = checked.tree_head
    detail = (f" #{checked.leaf_index} ({v.label('event_kind', checked.event.get('event'))}), "
              f"{head.tree_size} · {v.when(head.timestamp)} · {head.key_id}")
    return await _audit_response(request, _verdict(True, v.t("audit.receipt_ok") + detail))


@routes.get("/audit/export")
async def audit_download(request: web.Request) -> web.StreamResponse:
    scope, fmt = export_scope(request)
    return await stream_export(request, scope, fmt)


def _hub_certificates(hub: Hub) -> dict[str, Any]:
    return certificates_by_key_id(hub.keyring.certificate(k) for k in hub.keyring.key_ids)


def _verdict(ok: bool, text: str) -> Safe:
    return html('<p class="{cls}" data-testid="receipt-verdict" data-ok="{ok}">{t}</p>',
                cls="notice" if ok else "error", ok="yes" if ok else "no", t=text)


async def _audit_response(request: web.Request, verdict: Safe) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    chosen = {k: request.query.get(k, "").strip()[:100] for k in ("unit", "kind", "from", "to")}
    kinds = await log_event_kinds(hub)
    rows = await log_events(
        hub, organ_id=chosen["unit"] or None,
        event=chosen["kind"] if chosen["kind"] in kinds else None,
        from_ts=_day_start(chosen["from"], v, 0), until_ts=_day_start(chosen["to"], v, 1),
        limit=EVENTS_SHOWN + 1)
    body = html('<h2>{h_check}</h2>{verdict}{check}<h2>{h_events}</h2>{filters}{events}'
                '<h2>{h_export}</h2>{export}', h_check=v.t("audit.check"), verdict=verdict,
                check=_check_form(v), h_events=v.t("audit.events"),
                filters=_event_filters(v, chosen, kinds), events=_events(v, hub, rows),
                h_export=v.t("audit.title"), export=_export_form(v))
    return page(v, v.t("audit.title"), body, active="audit")


def _check_form(v: View) -> Safe:
    return html('<form method="post" action="{action}" enctype="multipart/form-data" '
                'class="filters" data-testid="receipt-form">{csrf}<label>{label}'
                '<input type="file" name="receipt" accept=".json,application/json" required>'
                '</label><button type="submit">{submit}</button></form><p class="muted">{intro}'
                '</p>', action=url("/audit/receipt"), csrf=v.csrf_field(),
                label=v.t("audit.receipt_file"), submit=v.t("audit.check_submit"),
                intro=v.t("audit.check_intro"))


def _event_filters(v: View, chosen: dict[str, str], kinds: list[str]) -> Safe:
    options = [("", v.t("units.any"))] + [(k, v.label("event_kind", k)) for k in kinds]
    fields = join([field(v.t("audit.unit"), "unit", chosen["unit"]),
                   select(v.t("audit.kind"), "kind", options, chosen["kind"]),
                   field(v.t("audit.from"), "from", chosen["from"], kind="date"),
                   field(v.t("audit.to"), "to", chosen["to"], kind="date")])
    return html('<form method="get" action="{action}" class="filters" data-testid="event-filter">'
                '{fields}<button type="submit">{submit}</button></form>',
                action=url("/audit"), fields=fields, submit=v.t("audit.filter"))


def _events(v: View, hub: Hub, rows: list[Any]) -> Safe:
    if not rows:
        return html('<p class="empty" data-testid="events-empty">{t}</p>', t=v.t("audit.none"))
    more = (html('<p class="notice">{t}</p>', t=v.t("audit.more", limit=EVENTS_SHOWN))
            if len(rows) > EVENTS_SHOWN else Safe(""))
    shown = rows[:EVENTS_SHOWN]
    head = [v.t(k) for k in ("audit.index", "audit.at", "audit.kind", "audit.units",
                             "audit.summary")]
    body = [[r["leaf_index"], when(v.when(r["created_ts"])), v.label("event_kind", r["event"]),
             join((unit_cell(hub, u) for u in r["units"].split(",") if u), html("<br>")),
             _summary(r["data"])] for r in shown]
    marks = [attrs(data_testid="event-row", data_kind=r["event"]) for r in shown]
    return html("{more}{table}", more=more,
                table=table(head, body, testid="events-table", row_attrs=marks))


def _summary(data: bytes | str) -> str:
    """The event's own fields, short: what an auditor scans for (no bodies are ever logged)."""
    try:
        body = json.loads(data)
    except ValueError:
        return ""
    skip = {"event", "leaf_index", "time", "routing"}
    parts = [f"{k}={v}" for k, v in body.items() if k not in skip and v not in (None, [], {})]
    text = ", ".join(parts)
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS - 1] + "…"


def _export_form(v: View) -> Safe:
    fields = join([
        field(v.t("audit.from"), "from", "", kind="date"),
        field(v.t("audit.to"), "to", "", kind="date"),
        field(v.t("audit.unit"), "unit", ""),
        select(v.t("audit.format"), "format", [("jsonl", "JSON Lines"), ("csv", "CSV")],
               "jsonl"),
    ])
    return html('<p>{intro}<code>docexchange audit verify FILE --hub-cert keys/hub-certs/'
                '</code></p><form method="get" action="{action}" class="filters" '
                'data-testid="audit-export">{fields}<button type="submit">{submit}</button>'
                '</form>', intro=v.t("audit.intro"), action=url("/audit/export"),
                fields=fields, submit=v.t("audit.download"))


