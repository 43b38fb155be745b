"""Inline SVG charts: coverage bars against the 100 % target and the 30-day trend.

SVG attributes rather than inline styles: the Content-Security-Policy allows no inline style,
and the pictures need no script. Every number drawn comes from the monitor's figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from docexchange.dashboard.layout import View
from docexchange.dashboard.markup import Safe, html, join

WIDTH, HEIGHT = 960, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 28
SERIES = (("connected_now_pct", "trend.connected", "s-connected"),
          ("ever_connected_pct", "trend.ever", "s-ever"),
          ("acked_same_day_pct", "trend.acked", "s-acked"))


def coverage_bar(pct: float | None) -> Safe:
    """A horizontal bar: filled part = pct, the frame = the 100 % target."""
    filled = max(0.0, min(100.0, pct or 0.0))
    return html('<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" '
                'role="img" aria-hidden="true"><rect class="bar-bg" width="100" height="8"/>'
                '<rect class="bar-fill" width="{w}" height="8"/>'
                '<line class="bar-target" x1="99.6" x2="99.6" y1="0" y2="8"/></svg>',
                w=f"{filled:.2f}")


def _x(i: int, n: int) -> float:
    """The middle of day i's slot (bars and points share it)."""
    return LEFT + (WIDTH - LEFT - RIGHT) * (i + 0.5) / max(1, n)


def _y(pct: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - pct / 100)


def _segments(points: Sequence[dict[str, Any]], key: str) -> list[list[tuple[float, float]]]:
    """Runs of consecutive days that have a value (a missing day breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for i, p in enumerate(points):
        if p.get(key) is None:
            runs.append([])
        else:
            runs[-1].append((_x(i, len(points)), _y(float(p[key]))))
    return [r for r in runs if r]


def _line(run: list[tuple[float, float]], cls: str) -> Safe:
    if len(run) == 1:
        x, y = run[0]
        return html('<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="3"/>', cls=cls, x=x, y=y)
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
    return html('<polyline class="{cls}" fill="none" points="{pts}"/>', cls=cls, pts=pts)


def _bars(points: Sequence[dict[str, Any]]) -> Safe:
    """Documents per day, scaled to the busiest day, as light bars behind the lines."""
    top = max((p.get("documents") or 0 for p in points), default=0)
    if not top:
        return Safe("")
    width = max(2.0, (WIDTH - LEFT - RIGHT) / max(1, len(points)) * 0.6)
    base = HEIGHT - BOTTOM
    bars = []
    for i, p in enumerate(points):
        h = (base - TOP) * (p.get("documents") or 0) / top
        bars.append(html('<rect class="docs" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
                         'height="{h:.1f}"><title>{day}: {n}</title></rect>',
                         x=_x(i, len(points)) - width / 2, y=base - h, w=width, h=h,
                         day=p["day"], n=p.get("documents") or 0))
    return join(bars)


def _axes(v: View, points: Sequence[dict[str, Any]]) -> Safe:
    grid = join(html('<line class="{cls}" x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     '<text class="axis" x="{tx}" y="{ty:.1f}" text-anchor="end">{pct} %</text>',
                     cls="target" if pct == 100 else "grid", x1=LEFT, x2=WIDTH - RIGHT,
                     y=_y(pct), tx=LEFT - 6, ty=_y(pct) + 4, pct=pct)
                for pct in (0, 50, 100))
    ticks = []
    for i in sorted({0, len(points) // 2, len(points) - 1}):
        day = dt.date.fromisoformat(points[i]["day"])
        text = day.strftime("%d/%m") if v.lang == "vi" else day.strftime("%m-%d")
        ticks.append(html('<text class="axis" x="{x:.1f}" y="{y}" text-anchor="middle">{t}'
                          '</text>', x=_x(i, len(points)), y=HEIGHT - 8, t=text))
    return html("{grid}{ticks}", grid=grid, ticks=join(ticks))


def trend_chart(v: View, points: Sequence[dict[str, Any]]) -> Safe:
    """The last days' coverage and same-day acknowledgement (%), and documents per day."""
    if not points or all(all(p.get(k) is None for k, _, _ in SERIES) and not p.get("documents")
                         for p in points):
        return html('<p class="empty" data-testid="trend-empty">{t}</p>', t=v.t("trend.empty"))
    lines = join(_line(run, cls) for key, _, cls in SERIES for run in _segments(points, key))
    top = max((p.get("documents") or 0 for p in points), default=0)
    keys = [html('<span class="key {cls}">{t}</span>', cls=cls, t=v.t(text))
            for _, text, cls in SERIES]
    keys.append(html('<span class="key s-docs">{t}</span>',
                     t=v.t("trend.documents_max", n=top)))
    legend = join(keys)
    return html('<svg class="trend" data-testid="trend-chart" viewBox="0 0 {w} {h}" '
                'role="img" aria-label="{label}">{bars}{axes}{lines}</svg>'
                '<p class="legend">{legend}</p>', w=WIDTH, h=HEIGHT,
                label=v.t("overview.trend"), bars=_bars(points), axes=_axes(v, points),
                lines=lines, legend=legend)
