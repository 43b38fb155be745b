"""The province's local days: "today", "same day" and due dates are dates in config.zone,
while every stored time is UTC milliseconds (DESIGN.md §8)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_day(ts_ms: int, zone: ZoneInfo) -> dt.date:
    """The local date on which the UTC millisecond instant `ts_ms` falls."""
    return dt.datetime.fromtimestamp(ts_ms / 1000, zone).date()


def day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[int, int]:
    """[start, end) of a local day in UTC milliseconds (a day is not always 24 h long)."""
    start = dt.datetime.combine(day, dt.time(), zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def local_ms(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0,
             minute: int = 0) -> int:
    """UTC milliseconds of a local wall-clock time (for fake clocks and scripted scenarios)."""
    return int(dt.datetime(year, month, day, hour, minute, tzinfo=zone).timestamp() * 1000)
