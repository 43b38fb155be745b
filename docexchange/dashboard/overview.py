"""The overview: connected-unit coverage by level against the 100 % target, today's volume,
stuck and overdue deliveries, open alerts and the 30-day trend.

Every figure is the monitor's own (the same functions as /api/v1/ops), shown unrounded, so
the dashboard and the API never disagree; each carries a stable `data-testid`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from docexchange.appkeys import HUB_KEY
from docexchange.dashboard.charts import coverage_bar, trend_chart
from docexchange.dashboard.layout import View, page, url, view
from docexchange.dashboard.markup import Safe, html, join
from docexchange.monitor import alerts, connectivity

routes = web.RouteTableDef()
LEVELS = ("department", "district", "commune")
TREND_DAYS = 30
ALERTS_SHOWN = 10


@routes.get("/", name="overview")
async def overview(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    kpis = await connectivity.kpis(hub)
    stuck = await connectivity.stuck(hub, older_than_s=hub.config.monitor.stuck_after)
    overdue = await connectivity.overdue(hub)
    open_alerts = await alerts.list_alerts(hub, state="open", limit=ALERTS_SHOWN + 1)
    trend = _with_today(await connectivity.trend(hub, days=TREND_DAYS), kpis["overall"])
    body = html(
        '<section class="cards">{cards}</section>'
        '<section class="panel"><h2>{h_levels}</h2>{levels}</section>'
        '<section class="panel"><h2>{h_trend}</h2>{trend}</section>'
        '<section class="panel"><h2>{h_alerts} ({n})</h2>{alerts}</section>',
        cards=_cards(v, kpis["overall"], len(stuck), len(overdue), len(open_alerts)),
        h_levels=v.t("overview.coverage_by_kind"), levels=_levels(v, kpis["by_kind"]),
        h_trend=v.t("overview.trend"), trend=trend_chart(v, trend),
        h_alerts=v.t("overview.alerts"), n=_count(len(open_alerts)),
        alerts=_alerts(v, open_alerts))
    return page(v, v.t("overview.title"), body, active="overview")


def _with_today(trend: list[dict[str, Any]], now: dict[str, Any]) -> list[dict[str, Any]]:
    """Today has no snapshot until it is over: draw its figures so far instead."""
    if trend and trend[-1]["connected_now_pct"] is None:
        trend[-1] = {**trend[-1], **{k: now[k] for k in (
            "connected_now_pct", "ever_connected_pct", "acked_same_day_pct")}}
    return trend


def _count(n: int) -> str:
    return f"{ALERTS_SHOWN}+" if n > ALERTS_SHOWN else str(n)


def _card(title: str, value: str, testid: str, *, unit: str = "", raw: Any = None,
          note: str = "", href: str = "") -> Safe:
    figure = html('<span class="figure" data-testid="{tid}" data-value="{raw}">{value}</span>',
                  tid=testid, raw="" if raw is None else raw, value=value)
    inner = html('<div class="card-title">{title}</div><div>{figure}<span class="unit">{unit}'
                 '</span></div><div class="muted">{note}</div>', title=title, figure=figure,
                 unit=unit, note=note)
    if href:
        return html('<a class="card" href="{href}">{inner}</a>', href=href, inner=inner)
    return html('<div class="card">{inner}</div>', inner=inner)


def _cards(v: View, k: dict[str, Any], stuck: int, overdue: int, open_alerts: int) -> Safe:
    return join([
        _card(v.t("overview.coverage"), v.number(k["connected_now_pct"]), "coverage-overall",
              unit=" %", raw=k["connected_now_pct"],
              note=v.t("overview.units_of", connected=k["connected_now"], units=k["units"])),
        _card(v.t("overview.ever"), v.number(k["ever_connected_pct"]), "ever-connected",
              unit=" %", raw=k["ever_connected_pct"],
              note=v.t("overview.units_of", connected=k["ever_connected"], units=k["units"])),
        _card(v.t("overview.today"), v.number(k["deliveries_today"]), "deliveries-today",
              raw=k["deliveries_today"]),
        _card(v.t("overview.acked_same_day"), v.number(k["acked_same_day_pct"]),
              "acked-same-day", unit=" %", raw=k["acked_same_day_pct"],
              note=f"{v.t('overview.ack_median')}: {v.number(k['ack_median_s'])} s"),
        _card(v.t("overview.stuck"), str(stuck), "stuck", raw=stuck),
        _card(v.t("overview.overdue"), str(overdue), "overdue", raw=overdue),
        _card(v.t("overview.alerts"), _count(open_alerts), "open-alerts", raw=open_alerts),
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


def _alerts(v: View, items: list[dict[str, Any]]) -> Safe:
    if not items:
        return html('<p class="empty">{t}</p>', t=v.t("overview.no_alerts"))
    lines = join(html('<li data-testid="alert"><span class="badge rule">{rule}</span> {text}'
                      '</li>', rule=a["rule"],
                      text=a["message_en"] if v.lang == "en" else a["message_vi"])
                 for a in items[:ALERTS_SHOWN])
    return html('<ul class="alerts">{lines}</ul>', lines=lines)
