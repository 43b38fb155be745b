"""The dashboard sub-application: its routes, static files and middlewares (no I/O here)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from docexchange.dashboard import (
    audit,
    documents,
    lists,
    login,
    overview,
    push_block,
    reports,
    units,
)
from docexchange.dashboard.keys import LOGIN_THROTTLE_KEY
from docexchange.dashboard.middlewares import dashboard_pages, session_guard
from docexchange.dashboard.throttle import LoginThrottle

STATIC = Path(__file__).resolve().parent / "static"


def create_dashboard_app(throttle: LoginThrottle | None = None) -> web.Application:
    """Mounted at /dashboard; `throttle` lets tests pass a fake clock."""
    app = web.Application(middlewares=[dashboard_pages, session_guard])
    app[LOGIN_THROTTLE_KEY] = throttle or LoginThrottle()
    for module in (login, overview, lists, units, push_block, documents, audit, reports):
        app.add_routes(module.routes)
    app.router.add_static("/static", STATIC, name="static")
    return app
