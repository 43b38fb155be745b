"""The dashboard's own middlewares: HTML error pages, language, security headers, sessions
and CSRF.

They sit inside the hub's problem+json middleware, so every failure under /dashboard/ is
answered here as a page in the operator's language, never as JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from aiohttp import web

from docexchange.appkeys import HUB_KEY, REQUEST_ID_KEY
from docexchange.dashboard.i18n import DEFAULT_LANG, LANGS
from docexchange.dashboard.keys import DASHBOARD_LANG_KEY, DASHBOARD_SESSION_KEY
from docexchange.dashboard.layout import error_page, redirect, url, view
from docexchange.dashboard.sessions import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    find_session,
    set_cookie,
    tokens_match,
)
from docexchange.errors import DocExchangeError

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: routes open without a session (by route name)
PUBLIC_ROUTES = frozenset({"login", "static"})
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class CsrfRefused(Exception):
    """A POST whose form did not carry the session's CSRF token."""


@web.middleware
async def dashboard_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Language first (error pages need it), then HTML error pages and security headers."""
    asked = request.query.get("lang")
    lang = asked if asked in LANGS else request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    request[DASHBOARD_LANG_KEY] = lang if lang in LANGS else DEFAULT_LANG
    try:
        response = redirect(url("/")) if request.path == url("") else await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            exc.headers.update(SECURITY_HEADERS)
            raise
        response = error_page(view(request), exc.status, view(request).t(f"error.{exc.status}")
                              if exc.status in (400, 403, 404, 405) else exc.reason)
    except CsrfRefused:
        response = error_page(view(request), 403, view(request).t("error.csrf"))
    except DocExchangeError as exc:
        v = view(request)
        response = error_page(v, exc.status, exc.message_en if v.lang == "en" else exc.message_vi,
                              code=exc.code)
        if "retry_after" in exc.details:
            response.headers["Retry-After"] = str(exc.details["retry_after"])
    except Exception:
        request_id = request.get(REQUEST_ID_KEY, "")
        log.exception("dashboard error [request_id=%s]", request_id)
        response = error_page(view(request), 500, view(request).t("error.500",
                                                                    request_id=request_id))
    response.headers.update(SECURITY_HEADERS)
    if request.match_info.route.name != "static":
        response.headers["Cache-Control"] = "no-store"
    if asked in LANGS:
        set_cookie(response, request, LANG_COOKIE, asked, max_age=365 * 86400)
    return response


@web.middleware
async def session_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Pages need a live session (else: to the login page); every POST needs its CSRF token."""
    route = request.match_info.route.name
    if route == "static":
        try:
            return await handler(request)
        except OSError:  # a name the file system refuses (too long, ...): no such file
            raise web.HTTPNotFound() from None
    session = await find_session(request.config_dict[HUB_KEY],
                                 request.cookies.get(SESSION_COOKIE))
    if session is not None:
        request[DASHBOARD_SESSION_KEY] = session
    if session is None and route not in PUBLIC_ROUTES:
        if request.method != "GET":
            raise CsrfRefused()
        return redirect(url("/login") + "?" + _next_query(request))
    if request.method == "POST":
        form = await request.post()
        expected = (request.cookies.get(LOGIN_CSRF_COOKIE, "") if route == "login"
                    else session.csrf if session else "")
        if not tokens_match(expected, form.get("csrf")):
            raise CsrfRefused()
    return await handler(request)


def _next_query(request: web.Request) -> str:
    return urlencode({"next": request.path_qs})


def safe_next(value: object) -> str:
    """Where to go after login: only a path inside the dashboard (no open redirect)."""
    if (isinstance(value, str) and value.startswith(url("/")) and "//" not in value
            and "\\" not in value and not any(ord(c) < 32 for c in value)):
        return value
    return url("/")
