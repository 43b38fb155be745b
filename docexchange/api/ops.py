"""Operations API for operators (`Authorization: Bearer dxop_...`): connectivity, KPIs, stuck
and overdue deliveries, alerts, and the admin's credential actions. Unit keys get 403.

Definitions of every figure: docs/operations.md. Handlers parse, call one service, shape.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from docexchange.api.auth import authenticate_operator
from docexchange.api.params import bad_parameter, int_query
from docexchange.api.responses import json_response
from docexchange.appkeys import HUB_KEY
from docexchange.hub import Hub
from docexchange.monitor import actions, alerts, connectivity, lookup, reports

routes = web.RouteTableDef()
NO_STORE = {"Cache-Control": "no-store"}


def _hub(request: web.Request) -> Hub:
    return request.config_dict[HUB_KEY]


def _choice(request: web.Request, name: str, choices: tuple[str, ...]) -> str | None:
    raw = request.query.get(name)
    if raw is not None and raw not in choices:
        raise bad_parameter(name, raw, " hoặc ".join(choices), " or ".join(choices))
    return raw


def _day_query(request: web.Request, name: str) -> dt.date | None:
    raw = request.query.get(name)
    try:
        return dt.date.fromisoformat(raw) if raw is not None else None
    except ValueError:
        raise bad_parameter(name, raw or "", "ngày dạng yyyy-mm-dd", "a date yyyy-mm-dd") from None


def _items(items: list[dict[str, object]], **extra: object) -> web.Response:
    return json_response({**extra, "count": len(items), "items": items})


@routes.get("/ops/connectivity")
async def connectivity_list(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    units = await connectivity.unit_statuses(
        _hub(request), kind=request.query.get("kind"), parent=request.query.get("parent"),
        state=_choice(request, "state", connectivity.STATES))
    return json_response({"count": len(units), "units": [u.to_json() for u in units]})


@routes.get("/ops/kpis")
async def kpis(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    return json_response(await connectivity.kpis(_hub(request)))


@routes.get("/ops/trend")
async def trend(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    days = int_query(request, "days", 30, 1, 366)
    return json_response({"days": await connectivity.trend(_hub(request), days)})


@routes.post("/ops/snapshots")
async def take_snapshot(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    return json_response(await connectivity.take_snapshot(_hub(request)))


@routes.get("/ops/stuck")
async def stuck(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    hub = _hub(request)
    older_than = int_query(request, "older_than", hub.config.monitor.stuck_after, 0,
                            366 * 86400)
    return _items(await connectivity.stuck(hub, older_than_s=older_than),
                  stuck_after_s=older_than, older_than=older_than)


@routes.get("/ops/documents")
async def document_search(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    words = request.query.get("q", "").strip()
    if not words:
        raise bad_parameter("q", words, "một hoặc nhiều từ", "one or more words")
    limit = int_query(request, "limit", 100, 1, 500)
    found = await lookup.find_documents(_hub(request), words, limit=limit)
    for item in found:
        del item["accepted_ts"]
    return _items(found, q=words)


@routes.get("/ops/reports/coverage.xlsx")
async def coverage_report(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    return xlsx_response(await reports.coverage_workbook(_hub(request)), "coverage.xlsx")


@routes.get("/ops/reports/documents.xlsx")
async def documents_report(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    first, last = report_range(request)
    return xlsx_response(await reports.documents_workbook(_hub(request), first, last),
                         f"documents-{first}-{last}.xlsx")


def report_range(request: web.Request) -> tuple[dt.date, dt.date]:
    """`from` and `to` (local days, both included; default: this month up to today)."""
    today = dt.datetime.now(_hub(request).config.zone).date()
    first = _day_query(request, "from") or today.replace(day=1)
    last = _day_query(request, "to") or today
    if last < first or (last - first).days > 366:
        raise bad_parameter("to", last.isoformat(), "từ ngày `from` đến tối đa 366 ngày sau",
                            "on or after `from`, at most 366 days later")
    return first, last


def xlsx_response(data: bytes, filename: str) -> web.Response:
    return web.Response(body=data, content_type=reports.XLSX, headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'})


@routes.get("/ops/overdue")
async def overdue(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    return _items(await connectivity.overdue(_hub(request)))


@routes.get("/ops/not-acked")
async def not_acked(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    day = _day_query(request, "day")
    return _items(await connectivity.not_acked_by_end_of_day(_hub(request), day=day))


@routes.get("/ops/expiring-credentials")
async def expiring(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    within = int_query(request, "within_days", 30, 0, 3660)
    return _items(await connectivity.expiring_credentials(_hub(request), within),
                  within_days=within)


@routes.get("/ops/units/{code}")
async def unit_detail(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    return json_response(await connectivity.unit_detail(_hub(request),
                                                            request.match_info["code"]))


@routes.get("/ops/alerts")
async def alert_list(request: web.Request) -> web.Response:
    await authenticate_operator(request)
    found = await alerts.list_alerts(
        _hub(request), state=_choice(request, "state", ("open", "closed")),
        organ_id=request.query.get("unit"), limit=int_query(request, "limit", 100, 1, 1000))
    return _items(found)


@routes.post("/ops/units/{code}/disable-credentials")
async def disable_credentials(request: web.Request) -> web.Response:
    operator = await authenticate_operator(request, admin=True)
    change = await actions.disable_credentials(_hub(request), request.match_info["code"],
                                               operator)
    return json_response(change.to_json())


@routes.post("/ops/units/{code}/reissue-credentials")
async def reissue_credentials(request: web.Request) -> web.Response:
    operator = await authenticate_operator(request, admin=True)
    change = await actions.reissue_credentials(_hub(request), request.match_info["code"],
                                               operator)
    return json_response(change.to_json(), status=201, headers=NO_STORE)
