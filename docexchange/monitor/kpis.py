"""The province's key indicators, computed from unit statuses and one day's deliveries.

Pure functions (no I/O): connectivity.kpis() gathers the rows. Definitions are those of
docs/operations.md §2; a change here changes that page.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from docexchange.monitor.connection_state import UnitStatus
from docexchange.monitor.days import local_day

KPI_KEYS = ("units", "ever_connected", "ever_connected_pct", "connected_now",
            "connected_now_pct", "deliveries_today", "acked_same_day", "acked_same_day_pct",
            "ack_median_s", "ack_p95_s", "overdue")


def pct(part: int, whole: int) -> float | None:
    """A percentage rounded to 1 decimal; None when there is nothing to divide by."""
    return round(100.0 * part / whole, 1) if whole else None


def nearest_rank(values: Sequence[float], p: float) -> float:
    """The p-th percentile by the nearest-rank method (always one of the values)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def indicator(units: Sequence[UnitStatus], deliveries: Mapping[str, Sequence[Any]],
              overdue: Counter[str], zone: ZoneInfo, now: int) -> dict[str, Any]:
    """K for one scope. `deliveries`: per recipient, (created_ts, acked_ts) of the day's
    document deliveries; only those to `units` count, and only acks made by `now`."""
    members = {u.organ_id for u in units}
    mine = [d for m in members for d in deliveries.get(m, ())]
    acked = [d for d in mine if d["acked_ts"] is not None and d["acked_ts"] <= now]
    same_day = sum(1 for d in acked
                   if local_day(d["acked_ts"], zone) == local_day(d["created_ts"], zone))
    waits = [(d["acked_ts"] - d["created_ts"]) / 1000 for d in acked]
    ever = sum(1 for u in units if u.first_contact_ts is not None)
    connected = sum(1 for u in units if u.state == "connected")
    return {
        "units": len(units), "ever_connected": ever, "ever_connected_pct": pct(ever, len(units)),
        "connected_now": connected, "connected_now_pct": pct(connected, len(units)),
        "deliveries_today": len(mine), "acked_same_day": same_day,
        "acked_same_day_pct": pct(same_day, len(mine)),
        "ack_median_s": round(statistics.median(waits), 1) if waits else None,
        "ack_p95_s": round(nearest_rank(waits, 95), 1) if waits else None,
        "overdue": sum(overdue[m] for m in members),
    }


def kpi_table(units: Sequence[UnitStatus], deliveries: Sequence[Any], overdue: Counter[str],
              zone: ZoneInfo, now: int) -> dict[str, Any]:
    """{"overall": K, "by_kind": {kind: K}, "by_parent": {parent_id: K of its children}}.
    `deliveries`: rows (recipient_id, created_ts, acked_ts) of the day's document deliveries."""
    by_kind: dict[str, list[UnitStatus]] = {}
    by_parent: dict[str, list[UnitStatus]] = {}
    for u in units:
        by_kind.setdefault(u.kind, []).append(u)
        if u.parent_id:
            by_parent.setdefault(u.parent_id, []).append(u)

    per_unit: dict[str, list[Any]] = {}
    for d in deliveries:
        per_unit.setdefault(d["recipient_id"], []).append(d)

    def k(scope: Sequence[UnitStatus]) -> dict[str, Any]:
        return indicator(scope, per_unit, overdue, zone, now)
    return {"overall": k(units),
            "by_kind": {kind: k(members) for kind, members in sorted(by_kind.items())},
            "by_parent": {p: k(members) for p, members in sorted(by_parent.items())}}
