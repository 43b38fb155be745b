"""Dashboard sessions: a random cookie value, of which only the SHA-256 is stored.

A stolen database therefore yields no usable session. Each session carries its own CSRF token
(stored beside it) that every POST form must echo. Sessions last `SESSION_HOURS`; a disabled
operator's sessions stop at once because the lookup joins the operator row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from aiohttp import web

from docexchange.accounts.operators import Operator
from docexchange.store import operators as sql
from docexchange.store.engine import Database, now_ms
from docexchange.store.tx import Tx

SESSION_COOKIE = "dx_session"
LOGIN_CSRF_COOKIE = "dx_login_csrf"
LANG_COOKIE = "dx_lang"
COOKIE_PATH = "/dashboard"
SESSION_HOURS = 8


@dataclass(frozen=True)
class DashboardSession:
    operator: Operator
    csrf: str
    session_hash: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


async def open_session(db: Database, operator: Operator) -> str:
    """A new session for `operator`; returns the cookie value (never stored as such)."""
    value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = now_ms()

    def txn(conn: Tx) -> None:
        sql.delete_expired_sessions_txn(conn, now)
        sql.insert_session_txn(conn, _digest(value), operator.name, csrf,
                               now + SESSION_HOURS * 3600 * 1000)
    await db.write("open_dashboard_session", txn)
    return value


async def find_session(db: Database, cookie_value: str | None) -> DashboardSession | None:
    """The live session of this cookie, or None (unknown, expired, operator disabled)."""
    if not cookie_value or len(cookie_value) > 128:
        return None
    digest = _digest(cookie_value)
    row = await sql.session(db, digest)
    if row is None or row["expires_ts"] <= now_ms() or row["disabled_ts"] is not None:
        return None
    return DashboardSession(Operator(row["name"], row["role"]), row["csrf_token"], digest)


async def close_session(db: Database, session: DashboardSession) -> None:
    await db.write("close_dashboard_session",
                   lambda c: sql.delete_session_txn(c, session.session_hash))


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
