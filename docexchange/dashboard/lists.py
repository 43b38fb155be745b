"""Delivery lists behind the overview's tiles: stuck (unacknowledged past a threshold, the
same list as GET /api/v1/ops/stuck: most urgent first, then oldest) and overdue."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from docexchange.api.params import int_query
from docexchange.appkeys import HUB_KEY
from docexchange.dashboard.layout import View, page, url, view
from docexchange.dashboard.markup import Safe, attrs, html
from docexchange.dashboard.widgets import field, state_badge, table, unit_cell, when
from docexchange.hub import Hub
from docexchange.monitor import connectivity

routes = web.RouteTableDef()
MAX_OLDER_THAN = 366 * 86400


@routes.get("/stuck", name="stuck")
async def stuck_page(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    older_than = int_query(request, "older_than", hub.config.monitor.stuck_after, 0,
                           MAX_OLDER_THAN)
    items = await connectivity.stuck(hub, older_than_s=older_than)
    form = html('<form method="get" action="{action}" class="filters" data-testid="stuck-form">'
                '{field}<button type="submit">{submit}</button></form>',
                action=url("/stuck"), field=field(v.t("lists.older_than"), "older_than",
                                                  str(older_than), kind="number"),
                submit=v.t("lists.show"))
    intro = html('<p data-testid="stuck-threshold" data-seconds="{s}">{t}</p>', s=older_than,
                 t=v.t("lists.threshold", threshold=v.duration(older_than) if older_than
                       else v.t("dur.s", n=0), seconds=older_than))
    body = html("{intro}{form}{table}", intro=intro, form=form,
                table=_deliveries(v, hub, items, "stuck-table"))
    return page(v, v.t("lists.stuck_title"), body, active="overview")


@routes.get("/overdue", name="overdue")
async def overdue_page(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    items = await connectivity.overdue(hub)
    body = html('<p>{intro}</p>{table}', intro=v.t("lists.overdue_intro"),
                table=_deliveries(v, hub, items, "overdue-table", overdue=True))
    return page(v, v.t("lists.overdue_title"), body, active="overview")


def _deliveries(v: View, hub: Hub, items: list[dict[str, Any]], testid: str, *,
                overdue: bool = False) -> Safe:
    if not items:
        return html('<p class="empty" data-testid="{tid}-empty">{t}</p>', tid=testid,
                    t=v.t("lists.none"))
    head = [v.t(k) for k in ("lists.age", "doc.priority", "docs.recipient", "docs.subject",
                             "docs.sender", "lists.kind", "doc.state", "docs.accepted")]
    if overdue:
        head.append(v.t("lists.days_overdue"))
    rows = []
    for d in items:
        row: list[Any] = [
            v.age(d["age_s"]), v.label("priority", str(d["priority"])),
            unit_cell(hub, d["organ_id"]),
            html('<a href="{href}">{s}</a>', href=url(f"/documents/{d['message_id']}"),
                 s=d["subject"] or d["document_id"] or d["message_id"]),
            unit_cell(hub, d["sender"]), v.label("kind_msg", d["kind"]),
            state_badge(v, d["state"]), when(v.when_iso(d["created_at"]))]
        if overdue:
            row.append(d["days_overdue"])
        rows.append(row)
    marks = [attrs(data_testid="delivery-row", data_age=d["age_s"], data_priority=d["priority"],
                   data_organ_id=d["organ_id"]) for d in items]
    return table(head, rows, testid=testid, row_attrs=marks)
