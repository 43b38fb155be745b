"""Prometheus metrics (text exposition format 0.0.4) without a client library.

Counts come from the database, so they are the same whichever hub process is scraped and
survive restarts; request latency is per process, by route template (never by raw path, which
would carry ids). No metric names a unit, a document or a key (docs/operations.md §4).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from docexchange.hub import Hub
from docexchange.monitor.connection_state import STATES
from docexchange.monitor.connectivity import unit_statuses
from docexchange.store import monitor as sql

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, math.inf)


class RequestLatency:
    """A histogram of request durations per (method, route template), in seconds."""

    def __init__(self, buckets: Sequence[float] = BUCKETS) -> None:
        self.buckets = tuple(buckets)
        self._series: dict[tuple[str, str], tuple[list[int], list[float]]] = {}

    def observe(self, method: str, route: str, seconds: float) -> None:
        counts, total = self._series.setdefault((method, route), ([0] * len(self.buckets),
                                                                  [0.0]))
        for i, bound in enumerate(self.buckets):
            if seconds <= bound:
                counts[i] += 1
        total[0] += seconds

    def lines(self, name: str) -> Iterable[str]:
        for (method, route), (counts, total) in sorted(self._series.items()):
            labels = f'method="{_escape(method)}",route="{_escape(route)}"'
            for bound, count in zip(self.buckets, counts, strict=True):
                yield f'{name}_bucket{{{labels},le="{_bound(bound)}"}} {count}'
            yield f"{name}_sum{{{labels}}} {total[0]:.6f}"
            yield f"{name}_count{{{labels}}} {counts[-1]}"


def _bound(value: float) -> str:
    return "+Inf" if math.isinf(value) else repr(value)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


async def render_metrics(hub: Hub, latency: RequestLatency) -> str:
    counts = await sql.metric_counts(hub.db)
    backlog, oldest = counts["backlog"][0]
    now = hub.clock.now_ms()
    states = {s: 0 for s in STATES}
    for status in await unit_statuses(hub, now_ms=now):
        states[status.state] += 1
    out = _family("docexchange_documents_accepted_total", "counter",
                  "Documents accepted since the hub was created.",
                  [f"docexchange_documents_accepted_total {counts['documents'][0][0]}"])
    out += _family("docexchange_packets_refused_total", "counter",
                   "Packets (documents and statuses) refused, by error code.",
                   [f'docexchange_packets_refused_total{{code="{_escape(c)}"}} {n}'
                    for c, n in counts["refusals"]])
    out += _family("docexchange_deliveries", "gauge", "Deliveries by current state.",
                   [f'docexchange_deliveries{{state="{_escape(s)}"}} {n}'
                    for s, n in counts["states"]])
    out += _family("docexchange_inbox_backlog", "gauge",
                   "Unacknowledged deliveries in all inboxes.",
                   [f"docexchange_inbox_backlog {backlog}"])
    age = max(0, now - oldest) / 1000 if oldest else 0.0
    out += _family("docexchange_inbox_oldest_age_seconds", "gauge",
                   "Age of the oldest unacknowledged delivery (0 when none).",
                   [f"docexchange_inbox_oldest_age_seconds {age:.3f}"])
    out += _family("docexchange_units", "gauge", "Units valid today by connectivity state.",
                   [f'docexchange_units{{state="{s}"}} {n}' for s, n in states.items()])
    out += _family("docexchange_http_request_duration_seconds", "histogram",
                   "HTTP request latency by route template.",
                   latency.lines("docexchange_http_request_duration_seconds"))
    return "\n".join(out) + "\n"
