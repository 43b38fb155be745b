"""SQL for push endpoints and the push queue (docexchange/push/).

The queue is a table so that it survives restarts and SIGKILL: a row leaves 'queued' only in
the transaction that records the receiver's acknowledgement (or the give-up), never before.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from docexchange.store import claims
from docexchange.store.engine import Database
from docexchange.store.tx import Tx


def _rows(conn: Tx, query: str, params: tuple[Any, ...]) -> list[Any]:
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(query, params))
    finally:
        conn.row_factory = None


# -- endpoints ------------------------------------------------------------------------------

def register_endpoint_txn(conn: Tx, organ_id: str, url: str, ts: int) -> None:
    """A new or changed URL waits for an operator again."""
    conn.execute(
        "INSERT INTO push_endpoints (organ_id, url, state, allow_http, registered_ts, "
        "updated_ts) VALUES (?, ?, 'pending', 0, ?, ?) ON CONFLICT (organ_id) DO UPDATE SET "
        "url = excluded.url, state = 'pending', allow_http = 0, approved_ts = NULL, "
        "approved_by = NULL, registered_ts = excluded.registered_ts, updated_ts = excluded."
        "updated_ts", (organ_id, url, ts, ts))


def set_endpoint_state_txn(conn: Tx, organ_id: str, state: str, ts: int, *,
                           operator: str | None = None, allow_http: bool = False) -> bool:
    if state == "approved":
        return conn.execute(
            "UPDATE push_endpoints SET state = 'approved', approved_ts = ?, approved_by = ?, "
            "allow_http = ?, updated_ts = ? WHERE organ_id = ?",
            (ts, operator, int(allow_http), ts, organ_id)).rowcount == 1
    return conn.execute("UPDATE push_endpoints SET state = ?, updated_ts = ? WHERE organ_id = ?",
                        (state, ts, organ_id)).rowcount == 1


def delete_endpoint_txn(conn: Tx, organ_id: str) -> bool:
    return conn.execute("DELETE FROM push_endpoints WHERE organ_id = ?",
                        (organ_id,)).rowcount == 1


def endpoint_txn(conn: Tx, organ_id: str) -> Any:
    rows = _rows(conn, "SELECT * FROM push_endpoints WHERE organ_id = ?", (organ_id,))
    return rows[0] if rows else None


async def endpoint(db: Database, organ_id: str) -> Any:
    return await db.fetchone("SELECT * FROM push_endpoints WHERE organ_id = ?", (organ_id,))


async def endpoints(db: Database, state: str | None = None) -> list[Any]:
    if state is None:
        return await db.fetchall("SELECT * FROM push_endpoints ORDER BY organ_id")
    return await db.fetchall("SELECT * FROM push_endpoints WHERE state = ? ORDER BY organ_id",
                             (state,))


async def approved_units(db: Database) -> set[str]:
    """The units push may reach now (the push worker's gate, push/worker.py)."""
    return {row["organ_id"] for row in await db.fetchall(
        "SELECT organ_id FROM push_endpoints WHERE state = 'approved'")}


# -- queue ----------------------------------------------------------------------------------

async def unqueued(db: Database, limit: int = 1000) -> list[Any]:
    """Unacknowledged deliveries to an approved endpoint, created since its approval, not
    queued yet (a read first: most rounds find nothing and must not cost a commit)."""
    return await db.fetchall(
        "SELECT d.delivery_id, d.recipient_id, d.message_id FROM deliveries d JOIN "
        "push_endpoints p ON p.organ_id = d.recipient_id AND p.state = 'approved' "
        "WHERE d.acked_ts IS NULL AND d.created_ts >= p.approved_ts AND NOT EXISTS "
        "(SELECT 1 FROM push_queue q WHERE q.delivery_id = d.delivery_id) LIMIT ?", (limit,))


def enqueue_txn(conn: Tx, rows: list[Any], ts: int) -> None:
    for row in rows:
        conn.execute("INSERT INTO push_queue (delivery_id, organ_id, message_id, state, attempts, "
                     "next_ts, first_ts) VALUES (?, ?, ?, 'queued', 0, ?, ?) "
                     "ON CONFLICT DO NOTHING",
                     (row["delivery_id"], row["recipient_id"], row["message_id"], ts, ts))


_DUE = ("SELECT q.*, m.kind, m.sha256, d.acked_ts FROM push_queue q JOIN messages m USING "
        "(message_id) JOIN deliveries d USING (delivery_id) WHERE q.state = 'queued' AND "
        "q.organ_id = ? AND q.next_ts <= ? ORDER BY q.first_ts, q.delivery_id LIMIT ?")


async def due(db: Database, organ_id: str, now: int, limit: int) -> list[Any]:
    """The unit's queued items whose time has come, oldest first (its documents in order)."""
    return await db.fetchall(_DUE, (organ_id, now, limit))


async def claim_due(db: Database, organ_id: str, now: int, limit: int,
                    lease_until: int) -> list[Any]:
    """`due`, leased to this node until `lease_until` (store/claims.py)."""
    return await claims.claim(db, "push_claim", _DUE, "q", (organ_id, now, limit),
                              "push_queue", lease_until)


async def release(db: Database, rows: list[Any], lease_until: int) -> None:
    """Give back claimed items this node did not work (it stopped at a failure)."""
    await claims.release(db, "push_release", "push_queue", rows, lease_until)


async def queued_units(db: Database) -> list[Any]:
    return await db.fetchall("SELECT organ_id, MIN(next_ts) AS next_ts FROM push_queue WHERE "
                             "state = 'queued' GROUP BY organ_id")


def queue_item_txn(conn: Tx, delivery_id: str) -> Any:
    rows = _rows(conn, "SELECT * FROM push_queue WHERE delivery_id = ?", (delivery_id,))
    return rows[0] if rows else None


def finish_txn(conn: Tx, delivery_id: str, state: str, ts: int,
               error: str = "") -> bool:
    return conn.execute(
        "UPDATE push_queue SET state = ?, done_ts = ?, last_error = ? WHERE delivery_id = ? "
        "AND state = 'queued'", (state, ts, error, delivery_id)).rowcount == 1


def retry_txn(conn: Tx, delivery_id: str, attempts: int, next_ts: int,
              error: str) -> None:
    conn.execute("UPDATE push_queue SET attempts = ?, next_ts = ?, last_error = ? WHERE "
                 "delivery_id = ? AND state = 'queued'", (attempts, next_ts, error, delivery_id))


async def expired_fallbacks(db: Database, since: int) -> list[Any]:
    """Per unit, deliveries whose push gave up and that the unit has not pulled yet."""
    return await db.fetchall(
        "SELECT q.organ_id, COUNT(*) AS n, MIN(q.done_ts) AS first_ts FROM push_queue q JOIN "
        "deliveries d USING (delivery_id) WHERE q.state = 'expired' AND d.acked_ts IS NULL "
        "AND q.done_ts >= ? GROUP BY q.organ_id", (since,))


async def queue_stats(db: Database) -> list[Any]:
    return await db.fetchall("SELECT organ_id, state, COUNT(*) AS n FROM push_queue GROUP BY "
                             "organ_id, state ORDER BY organ_id, state")
