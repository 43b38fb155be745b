"""Connectivity and delivery views for operators: the services behind /api/v1/ops and the
dashboard. Definitions (states, KPIs, stuck, overdue) are docs/operations.md.

Every function takes an optional `now_ms` (UTC milliseconds): tests and reports pass a fixed
clock instead of sleeping. Retired units (not valid on the local day of `now_ms`) are left out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from docexchange.errors import DocExchangeError
from docexchange.exchange.receipts import iso_ms
from docexchange.hub import Hub
from docexchange.monitor.connection_state import STATES, UnitStatus, classify
from docexchange.monitor.days import day_bounds, local_day
from docexchange.monitor.kpis import kpi_table
from docexchange.store import monitor as sql
from docexchange.unit import Unit

__all__ = ["STATES", "UnitStatus", "expiring_credentials", "kpis", "not_acked_by_end_of_day",
           "overdue", "stuck", "take_snapshot", "trend", "unit_detail", "unit_statuses"]
RECENT = 20
MAX_ROWS = 1000
DAY_MS = 86_400_000


def _now(hub: Hub, now_ms: int | None) -> int:
    return hub.clock.now_ms() if now_ms is None else now_ms


async def _statuses(hub: Hub, units: Iterable[Unit], now: int) -> list[UnitStatus]:
    monitor = hub.config.monitor
    activity = await hub.activity.current()
    backlog = {r["recipient_id"]: r for r in await sql.backlog_by_unit(hub.db)}
    expiry = {r["organ_id"]: r["expiry_ts"]
              for r in await sql.credential_expiry_by_unit(hub.db, now)}
    found = []
    for unit in sorted(units, key=lambda u: u.organ_id):
        a = activity.get(unit.organ_id)
        state = classify(a.last_contact_ts if a else None, now, monitor.connected_window,
                         monitor.stale_window)
        b = backlog.get(unit.organ_id)
        found.append(UnitStatus.build(unit, state, a, b["backlog"] if b else 0,
                                      b["oldest_ts"] if b else None, expiry.get(unit.organ_id)))
    return found


async def unit_statuses(hub: Hub, *, kind: str | None = None, parent: str | None = None,
                        state: str | None = None, now_ms: int | None = None
                        ) -> list[UnitStatus]:
    """Every unit valid today, by OrganId, optionally filtered by kind, parent and state."""
    now = _now(hub, now_ms)
    units = _valid_units(hub, local_day(now, hub.config.zone), kind, parent)
    return [s for s in await _statuses(hub, units, now) if state in (None, s.state)]


def _valid_units(hub: Hub, day: dt.date, kind: str | None = None, parent: str | None = None
                 ) -> list[Unit]:
    """The units valid on `day`, with the kind and parent they had that day (a coverage KPI
    of a day before a reorganisation counts the units of that day)."""
    return [u for u in hub.directory.units_on(day)
            if kind in (None, u.kind) and parent in (None, u.parent_id)]


async def unit_detail(hub: Hub, organ_id: str, *, now_ms: int | None = None) -> dict[str, Any]:
    """One unit (also a retired one, or by a former code): its status, active API keys and
    its 20 latest documents received and sent (one row per delivery)."""
    unit = hub.directory.lookup(organ_id)
    if unit is None:
        raise DocExchangeError("DX_NOT_FOUND", "Không có đơn vị với mã này.",
                               "No unit has this code.", organ_id=organ_id)
    now = _now(hub, now_ms)
    [status] = await _statuses(hub, [unit], now)
    keys = await sql.active_api_keys(hub.db, unit.organ_id)
    return {
        "status": status.to_json(),
        "retired": not unit.is_valid_on(local_day(now, hub.config.zone)),
        "api_keys": [{"key_id": k["key_id"], "created_at": iso_ms(k["created_ts"]),
                      "expires_at": iso_ms(k["expires_ts"])} for k in keys],
        "documents_in": [_document(r) for r in await sql.documents_in(
            hub.db, unit.organ_id, RECENT)],
        "documents_out": [_document(r) for r in await sql.documents_out(
            hub.db, unit.organ_id, RECENT)]}


def _document(row: Any) -> dict[str, Any]:
    return {"delivery_id": row["delivery_id"], "message_id": row["message_id"],
            "document_id": row["document_id"], "subject": row["subject"],
            "counterpart": row["counterpart"], "accepted_at": iso_ms(row["accepted_ts"]),
            "state": row["state"]}


async def _kpis_of_day(hub: Hub, day: dt.date, now: int) -> dict[str, Any]:
    zone = hub.config.zone
    start, end = day_bounds(day, zone)
    units = await _statuses(hub, _valid_units(hub, day), now)  # the day's units, state now
    deliveries = await sql.deliveries_created(hub.db, start, min(end, now + 1))
    today = local_day(now, zone).isoformat()
    overdue_counts = Counter({r["recipient_id"]: r["overdue"]
                              for r in await sql.overdue_by_unit(hub.db, today)})
    return kpi_table(units, deliveries, overdue_counts, zone, now)


async def kpis(hub: Hub, *, now_ms: int | None = None) -> dict[str, Any]:
    """{"overall": K, "by_kind": {kind: K}, "by_parent": {parent_id: K}} for the local day
    of `now_ms`, up to `now_ms` (K is defined in docs/operations.md §2)."""
    now = _now(hub, now_ms)
    return await _kpis_of_day(hub, local_day(now, hub.config.zone), now)


def _delivery(hub: Hub, row: Any, now: int) -> dict[str, Any]:
    """One delivery for the lists; `organ_id` and `name` are the recipient's (the unit an
    operator has to call)."""
    unit = hub.directory.get(row["recipient_id"])
    return {"delivery_id": row["delivery_id"], "message_id": row["message_id"],
            "kind": row["kind"], "document_id": row["document_id"], "sender": row["sender_id"],
            "recipient": row["recipient_id"], "organ_id": row["recipient_id"],
            "name": unit.name if unit else row["recipient_id"], "subject": row["subject"],
            "priority": row["priority"], "state": row["state"],
            "created_at": iso_ms(row["created_ts"]), "acked_at": iso_ms(row["acked_ts"]),
            "due_date": row["due_date"], "age_s": max(0, (now - row["created_ts"]) // 1000)}


async def stuck(hub: Hub, *, older_than_s: int, now_ms: int | None = None,
                limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """Unacknowledged deliveries (documents and status packets) created more than
    `older_than_s` seconds before `now_ms`: the most urgent first, then the oldest."""
    now = _now(hub, now_ms)
    rows = await sql.unacked_older_than(hub.db, now - older_than_s * 1000, limit)
    return [_delivery(hub, r, now) for r in rows]


async def waiting_counts(hub: Hub, *, older_than_s: int, now_ms: int | None = None
                         ) -> dict[str, int]:
    """{"waiting": every unacknowledged delivery, "stuck": those older than `older_than_s`}:
    the overview shows both, so that a young backlog is never hidden behind "0 stuck"."""
    waiting, stuck_ = await sql.unacked_counts(hub.db, _now(hub, now_ms) - older_than_s * 1000)
    return {"waiting": waiting, "stuck": stuck_}


async def documents_today(hub: Hub, *, now_ms: int | None = None) -> int:
    """Documents accepted so far today (local day): today's bar of the trend chart."""
    now = _now(hub, now_ms)
    start, _ = day_bounds(local_day(now, hub.config.zone), hub.config.zone)
    return await sql.documents_accepted(hub.db, start, now + 1)


async def overdue(hub: Hub, *, now_ms: int | None = None, limit: int = MAX_ROWS
                  ) -> list[dict[str, Any]]:
    """Per delivery: documents whose DueDate (a local date) has passed and whose recipient
    has not reported 06 (completed); refused and recalled deliveries are closed, not late."""
    now = _now(hub, now_ms)
    today = local_day(now, hub.config.zone)
    found = []
    for row in await sql.overdue_deliveries(hub.db, today.isoformat(), limit):
        item = _delivery(hub, row, now)
        item["days_overdue"] = (today - dt.date.fromisoformat(row["due_date"])).days
        found.append(item)
    return found


async def not_acked_by_end_of_day(hub: Hub, *, day: dt.date | None = None,
                                  now_ms: int | None = None, limit: int = MAX_ROWS
                                  ) -> list[dict[str, Any]]:
    """Document deliveries created on local `day` (default: today) that were not
    acknowledged before that day ended: for today, those still unacknowledged."""
    now = _now(hub, now_ms)
    day = day or local_day(now, hub.config.zone)
    start, end = day_bounds(day, hub.config.zone)
    rows = await sql.not_acked_by(hub.db, start, end, end, limit)
    return [_delivery(hub, r, now) for r in rows]


async def expiring_credentials(hub: Hub, within_days: int = 30, *, now_ms: int | None = None
                               ) -> list[dict[str, Any]]:
    """Unrevoked API keys and signing certificates of units valid today that expire within
    `within_days` days (already expired ones included, with days_left < 0), soonest first."""
    now = _now(hub, now_ms)
    today = local_day(now, hub.config.zone)
    found = []
    for row in await sql.expiring_credentials(hub.db, now + within_days * DAY_MS):
        unit = hub.directory.get(row["organ_id"])
        if unit is None or not unit.is_valid_on(today):
            continue
        found.append({"organ_id": unit.organ_id, "name": unit.name,
                      "credential": row["credential"], "key_id": row["key_id"],
                      "expires_at": iso_ms(row["expires_ts"]),
                      "days_left": (row["expires_ts"] - now) // DAY_MS,
                      "expired": row["expires_ts"] <= now})
    return found


async def take_snapshot(hub: Hub, day: dt.date | None = None, *, now_ms: int | None = None
                        ) -> dict[str, Any]:
    """Store (upsert) the KPIs of local `day` (default: today), measured now: a day's
    deliveries are fixed, its connectivity is the state when the snapshot is taken."""
    now = _now(hub, now_ms)
    day = day or local_day(now, hub.config.zone)
    table = await _kpis_of_day(hub, day, now)
    start, end = day_bounds(day, hub.config.zone)
    table["documents"] = await sql.documents_accepted(hub.db, start, end)
    rows = [("overall", _dumps({**table["overall"], "documents": table["documents"]}))]
    rows += [(f"kind:{k}", _dumps(v)) for k, v in table["by_kind"].items()]
    rows += [(f"parent:{p}", _dumps(v)) for p, v in table["by_parent"].items()]
    await hub.db.write("take_kpi_snapshot", lambda c: sql.upsert_snapshot_txn(
        c, day.isoformat(), rows, now))
    return {"day": day.isoformat(), **table}


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


async def trend(hub: Hub, days: int = 30, *, now_ms: int | None = None
                ) -> list[dict[str, Any]]:
    """One entry per local day, oldest first, ending today; values are None on a day that
    has no snapshot."""
    last = local_day(_now(hub, now_ms), hub.config.zone)
    first = last - dt.timedelta(days=max(1, days) - 1)
    stored = {r["day"]: json.loads(r["payload_json"]) for r in await sql.snapshots(
        hub.db, "overall", first.isoformat(), last.isoformat())}
    keys = ("connected_now_pct", "ever_connected_pct", "acked_same_day_pct", "documents")
    return [{"day": d, **{k: stored.get(d, {}).get(k) for k in keys}}
            for d in ((first + dt.timedelta(days=i)).isoformat()
                      for i in range((last - first).days + 1))]
