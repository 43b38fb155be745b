"""Typed storage keys of the dashboard sub-app (the hub-wide ones are in appkeys.py).

Kept here rather than in appkeys.py: their types are dashboard types, and appkeys.py sits
below every face, so naming dashboard types there would tie the dashboard and the API into
one loop (tests/test_import_graph.py).
"""

from __future__ import annotations

from aiohttp import web

from docexchange.dashboard.sessions import DashboardSession
from docexchange.dashboard.throttle import LoginThrottle

LOGIN_THROTTLE_KEY = web.AppKey("login_throttle", LoginThrottle)
DASHBOARD_SESSION_KEY = web.RequestKey("dashboard_session", DashboardSession)
DASHBOARD_LANG_KEY = web.RequestKey("dashboard_lang", str)
