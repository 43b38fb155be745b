"""Operator sessions of the dashboard: a random cookie value, of which only the SHA-256 is
stored, so a stolen database yields no usable session.

Each session carries its own CSRF token (stored beside it) that every POST form must echo.
Sessions last `SESSION_HOURS`; a disabled operator's sessions stop at once because the lookup
joins the operator row. Opening and closing a session is not an evidence event (logins are
throttled and logged by the dashboard); the changes operators make once in are.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docexchange.accounts.operators import Operator
from docexchange.store import operators as sql
from docexchange.store.tx import Tx

if TYPE_CHECKING:
    from docexchange.hub import Hub

SESSION_HOURS = 8


@dataclass(frozen=True)
class DashboardSession:
    operator: Operator
    csrf: str
    session_hash: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


async def open_session(hub: Hub, operator: Operator) -> str:
    """A new session for `operator`; returns the cookie value (never stored as such)."""
    value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = hub.clock.now_ms()

    def txn(conn: Tx) -> None:
        sql.delete_expired_sessions_txn(conn, now)
        sql.insert_session_txn(conn, _digest(value), operator.name, csrf,
                               now + SESSION_HOURS * 3600 * 1000, now)
    await hub.db.write("open_dashboard_session", txn)
    return value


async def find_session(hub: Hub, cookie_value: str | None) -> DashboardSession | None:
    """The live session of this cookie, or None (unknown, expired, operator disabled)."""
    if not cookie_value or len(cookie_value) > 128:
        return None
    digest = _digest(cookie_value)
    row = await sql.session(hub.db, digest)
    if row is None or row["expires_ts"] <= hub.clock.now_ms() or row["disabled_ts"] is not None:
        return None
    return DashboardSession(Operator(row["name"], row["role"]), row["csrf_token"], digest)


async def close_session(hub: Hub, session: DashboardSession) -> None:
    await hub.db.write("close_dashboard_session",
                       lambda c: sql.delete_session_txn(c, session.session_hash))
