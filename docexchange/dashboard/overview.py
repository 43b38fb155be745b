"""The overview: connected-unit coverage by level against the 100 % target, today's volume,
stuck and overdue deliveries, open alerts and the 30-day trend.

Every figure is the monitor's own (the same functions as /api/v1/ops), shown unrounded, so
the dashboard and the API never disagree; each carries a stable `data-testid`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from docexchange.appkeys import HUB_KEY
from docexchange.dashboard.charts import coverage_bar, trend_chart
from docexchange.dashboard.layout import View, page, url, view
from docexchange.dashboard.markup import Safe, html, join
from docexchange.hub import Hub
from docexchange.monitor import alert_text, alerts, connectivity

routes = web.RouteTableDef()
LEVELS = ("department", "district", "commune")
TREND_DAYS = 30
ALERTS_SHOWN = 10


@routes.get("/", name="overview")
async def overview(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    kpis = await connectivity.kpis(hub)
    waiting = await connectivity.waiting_counts(hub, older_than_s=hub.config.monitor.stuck_after)
    overdue = await connectivity.overdue(hub)
    open_alerts = await alerts.list_alerts(hub, state="open", limit=ALERTS_SHOWN + 1)
    trend = _with_today(await connectivity.trend(hub, days=TREND_DAYS), kpis["overall"],
                        await connectivity.documents_today(hub))
    body = html(
        '<section class="cards">{cards}</section>'
        '<section class="panel"><h2>{h_levels}</h2>{levels}</section>'
        '<section class="panel"><h2>{h_trend}</h2>{trend}</section>'
        '<section class="panel" id="alerts"><h2>{h_alerts} ({n})</h2>{alerts}</section>'
        '<section class="panel"><h2>{h_reports}</h2>{reports}</section>',
        cards=_cards(v, hub, kpis["overall"], waiting, len(overdue), len(open_alerts)),
        h_levels=v.t("overview.coverage_by_kind"), levels=_levels(v, kpis["by_kind"]),
        h_trend=v.t("overview.trend"), trend=trend_chart(v, trend),
        h_alerts=v.t("overview.alerts"), n=_count(len(open_alerts)),
        alerts=_alerts(v, hub, open_alerts), h_reports=v.t("overview.reports"),
        reports=report_buttons(v))
    return page(v, v.t("overview.title"), body, active="overview")


def report_buttons(v: View) -> Safe:
    """Links that download the Excel reports (the same workbooks as /api/v1/ops/reports)."""
    return html('<p class="buttons"><a class="button" data-testid="download-coverage" '
                'href="{cov}">{t_cov}</a> <a class="button" data-testid="download-documents" '
                'href="{docs}">{t_docs}</a></p>', cov=url("/reports/coverage.xlsx"),
                t_cov=v.t("reports.coverage"), docs=url("/reports/documents.xlsx"),
                t_docs=v.t("reports.documents"))


def _with_today(trend: list[dict[str, Any]], now: dict[str, Any], documents: int
                ) -> list[dict[str, Any]]:
    """Today has no snapshot until it is over: draw its figures so far instead, its
    documents included (without them the tallest bar ignored today's traffic)."""
    if trend and trend[-1]["connected_now_pct"] is None:
        trend[-1] = {**trend[-1], **{k: now[k] for k in (
            "connected_now_pct", "ever_connected_pct", "acked_same_day_pct")}}
    if trend and trend[-1].get("documents") is None:
        trend[-1] = {**trend[-1], "documents": documents}
    return trend


def _count(n: int) -> str:
    return f"{ALERTS_SHOWN}+" if n > ALERTS_SHOWN else str(n)


def _card(title: str, value: str, testid: str, *, unit: str = "", raw: Any = None,
          note: str = "", href: str = "") -> Safe:
    """A figure, its threshold or definition beside it (`note`), and a link to the list
    behind it."""
    figure = html('<span class="figure" data-testid="{tid}" data-value="{raw}">{value}</span>',
                  tid=testid, raw="" if raw is None else raw, value=value)
    inner = html('<div class="card-title">{title}</div><div>{figure}<span class="unit">{unit}'
                 '</span></div><div class="muted" data-testid="{tid}-note">{note}</div>',
                 title=title, figure=figure, unit=unit, note=note, tid=testid)
    if href:
        return html('<a class="card" href="{href}" data-testid="{tid}-link">{inner}</a>',
                    href=href, inner=inner, tid=testid)
    return html('<div class="card">{inner}</div>', inner=inner)


def _cards(v: View, hub: Hub, k: dict[str, Any], waiting: dict[str, int], overdue: int,
           open_alerts: int) -> Safe:
    monitor, zone = hub.config.monitor, hub.config.directory.timezone
    today = dt.datetime.now(hub.config.zone).date().isoformat()
    median = (v.age(int(k["ack_median_s"])) if k["ack_median_s"] is not None else "–")
    never = k["units"] - k["ever_connected"]
    return join([
        _card(v.t("overview.coverage"), v.number(k["connected_now_pct"]), "coverage-overall",
              unit=" %", raw=k["connected_now_pct"], href=url("/units?state=connected"),
              note=v.t("overview.note_connected", connected=k["connected_now"],
                       units=k["units"], window=v.duration(monitor.connected_window))),
        _card(v.t("overview.never"), str(never), "never-connected", raw=never,
              href=url("/units?state=never"), note=v.t("overview.note_never")),
        _card(v.t("overview.ever"), v.number(k["ever_connected_pct"]), "ever-connected",
              unit=" %", raw=k["ever_connected_pct"], href=url("/units"),
              note=v.t("overview.units_of", connected=k["ever_connected"], units=k["units"])),
        _card(v.t("overview.today"), v.number(k["deliveries_today"]), "deliveries-today",
              raw=k["deliveries_today"], href=url(f"/documents?date_from={today}"),
              note=v.t("overview.note_today", zone=zone)),
        _card(v.t("overview.acked_same_day"), v.number(k["acked_same_day_pct"]),
              "acked-same-day", unit=" %", raw=k["acked_same_day_pct"],
              href=url("/stuck?older_than=0"), note=v.t("overview.note_acked", median=median)),
        _card(v.t("overview.waiting"), str(waiting["waiting"]), "waiting",
              raw=waiting["waiting"], href=url("/stuck?older_than=0"),
              note=v.t("overview.note_waiting")),
        _card(v.t("overview.stuck"), str(waiting["stuck"]), "stuck", raw=waiting["stuck"],
              href=url("/stuck"), note=v.t("overview.note_stuck", waiting=waiting["waiting"],
                                           threshold=v.duration(monitor.stuck_after))),
        _card(v.t("overview.overdue"), str(overdue), "overdue", raw=overdue,
              href=url("/overdue"), note=v.t("overview.note_overdue")),
        _card(v.t("overview.alerts"), _count(open_alerts), "open-alerts", raw=open_alerts,
              href="#alerts", note=v.t("overview.note_alerts", interval=v.duration(
                  hub.config.alerts.check_interval))),
    ])


def _levels(v: View, by_kind: dict[str, dict[str, Any]]) -> Safe:
    rows = []
    for kind in LEVELS:
        k = by_kind.get(kind)
        if k is None:
            continue
        rows.append(html(
            '<div class="level"><a class="level-name" href="{href}">{name}</a>{bar}'
            '<span class="level-figure"><span data-testid="coverage-{kind}" data-value="{raw}">'
            '{value}</span> %</span><span class="muted">{units}</span></div>',
            href=url(f"/units?kind={kind}"), name=v.label("kind", kind),
            bar=coverage_bar(k["connected_now_pct"]), kind=kind,
            raw="" if k["connected_now_pct"] is None else k["connected_now_pct"],
            value=v.number(k["connected_now_pct"]),
            units=v.t("overview.units_of", connected=k["connected_now"], units=k["units"])))
    return html('<div class="levels">{rows}</div>', rows=join(rows))


def _alerts(v: View, hub: Hub, items: list[dict[str, Any]]) -> Safe:
    """Each alert in words: its rule's name, what happened in local time, what to do."""
    if not items:
        return html('<p class="empty">{t}</p>', t=v.t("overview.no_alerts"))
    lines = []
    for a in items[:ALERTS_SHOWN]:
        unit = hub.directory.get(a["organ_id"]) if a["organ_id"] else None
        who = f"{unit.name} ({unit.organ_id})" if unit else (a["organ_id"] or "?")
        lines.append(html(
            '<li data-testid="alert" data-rule="{rule}"><span class="badge rule">{name}</span> '
            '{text} <span class="muted">{raised}</span><br><span class="todo">{l_todo}: '
            '{todo}</span></li>', rule=a["rule"], name=alert_text.rule_name(a["rule"], v.lang),
            text=alert_text.describe(a["rule"], who, a["details"], v.zone, v.lang),
            raised=v.t("alert.raised", at=v.when_iso(a["raised_at"])), l_todo=v.t("alert.todo"),
            todo=alert_text.advice(a["rule"], v.lang)))
    return html('<ul class="alerts">{lines}</ul>', lines=join(lines))
