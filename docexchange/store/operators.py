"""SQL for operator accounts, API tokens and dashboard sessions."""

from __future__ import annotations

from typing import Any

from docexchange.store.engine import Database
from docexchange.store.tx import Tx


def upsert_operator_txn(conn: Tx, name: str, role: str,
                        password_hash: str, ts: int) -> None:
    conn.execute("INSERT INTO operators (name, role, password_hash, created_ts) VALUES "
                 "(?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
                 "password_hash = excluded.password_hash, disabled_ts = NULL",
                 (name, role, password_hash, ts))


def set_disabled_txn(conn: Tx, name: str, disabled_ts: int | None) -> int:
    """Disable the operator at `disabled_ts` (None enables it again)."""
    return conn.execute("UPDATE operators SET disabled_ts = ? WHERE name = ?",
                        (disabled_ts, name)).rowcount


def set_password_hash_txn(conn: Tx, name: str, password_hash: str) -> None:
    conn.execute("UPDATE operators SET password_hash = ? WHERE name = ?", (password_hash, name))


def insert_token_txn(conn: Tx, token_id: str, name: str,
                     secret_hash: str, expires_ts: int | None, ts: int) -> None:
    conn.execute("INSERT INTO operator_tokens (token_id, name, secret_hash, created_ts, "
                 "expires_ts) VALUES (?, ?, ?, ?, ?)",
                 (token_id, name, secret_hash, ts, expires_ts))


def revoke_token_txn(conn: Tx, token_id: str, ts: int) -> int:
    return conn.execute("UPDATE operator_tokens SET revoked_ts = ? WHERE token_id = ? AND "
                        "revoked_ts IS NULL", (ts, token_id)).rowcount


async def tokens(db: Database) -> list[Any]:
    return await db.fetchall("SELECT token_id, name, created_ts, expires_ts, revoked_ts FROM "
                             "operator_tokens ORDER BY name, created_ts")


def insert_session_txn(conn: Tx, session_hash: str, name: str, csrf: str,
                       expires_ts: int, ts: int) -> None:
    conn.execute("INSERT INTO operator_sessions (session_hash, name, csrf_token, created_ts, "
                 "expires_ts) VALUES (?, ?, ?, ?, ?)",
                 (session_hash, name, csrf, ts, expires_ts))


def delete_session_txn(conn: Tx, session_hash: str) -> None:
    conn.execute("DELETE FROM operator_sessions WHERE session_hash = ?", (session_hash,))


def delete_expired_sessions_txn(conn: Tx, now_ts: int) -> int:
    return conn.execute("DELETE FROM operator_sessions WHERE expires_ts <= ?",
                        (now_ts,)).rowcount


async def operator(db: Database, name: str) -> Any:
    return await db.fetchone("SELECT name, role, password_hash, created_ts, disabled_ts FROM "
                             "operators WHERE name = ?", (name,))


async def operators(db: Database) -> list[Any]:
    return await db.fetchall("SELECT name, role, created_ts, disabled_ts FROM operators "
                             "ORDER BY name")


async def token(db: Database, token_id: str) -> Any:
    return await db.fetchone(
        "SELECT t.token_id, t.name, t.secret_hash, t.revoked_ts, t.expires_ts, o.role, "
        "o.disabled_ts FROM "
        "operator_tokens t JOIN operators o USING (name) WHERE t.token_id = ?", (token_id,))


async def session(db: Database, session_hash: str) -> Any:
    return await db.fetchone(
        "SELECT s.name, s.csrf_token, s.expires_ts, o.role, o.disabled_ts FROM "
        "operator_sessions s JOIN operators o USING (name) WHERE s.session_hash = ?",
        (session_hash,))
