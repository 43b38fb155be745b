"""Dashboard session cookies and CSRF checks; the sessions themselves are kept by the
`accounts.sessions` service (only the SHA-256 of a cookie value is stored)."""

from __future__ import annotations

import hmac

from aiohttp import web

from docexchange.admin.sessions import (
    SESSION_HOURS,
    DashboardSession,
    close_session,
    find_session,
    open_session,
)

__all__ = ["SESSION_HOURS", "DashboardSession", "close_session", "find_session",
           "open_session"]

SESSION_COOKIE = "dx_session"
LOGIN_CSRF_COOKIE = "dx_login_csrf"
LANG_COOKIE = "dx_lang"
COOKIE_PATH = "/dashboard"


def tokens_match(expected: str, given: object) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(
        expected.encode(), given.encode())


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str,
               *, max_age: int | None = None) -> None:
    """Every dashboard cookie: HttpOnly, SameSite=Strict, scoped to /dashboard, Secure on
    HTTPS (on plain HTTP a Secure cookie would never come back)."""
    response.set_cookie(name, value, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=request.secure, max_age=max_age)


def set_session_cookie(response: web.StreamResponse, request: web.Request, value: str) -> None:
    set_cookie(response, request, SESSION_COOKIE, value, max_age=SESSION_HOURS * 3600)


def clear_cookie(response: web.StreamResponse, name: str) -> None:
    response.del_cookie(name, path=COOKIE_PATH)
