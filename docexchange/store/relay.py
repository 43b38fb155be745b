"""SQL for relaying to other hubs (docexchange/upstream/): the outbound queue, and the
deliveries held for a downstream hub to poll. Deliveries to codes not in our directory are
the only ones another hub ever sees."""

from __future__ import annotations

from typing import Any

from docexchange.store import claims
from docexchange.store.engine import Database
from docexchange.store.tx import Tx

_REMOTE = ("SELECT d.delivery_id, d.message_id, d.recipient_id, d.state, d.created_ts, m.kind, "
           "m.sender_id, m.document_id, m.status_code, m.sha256, m.size, m.subject "
           "FROM deliveries d JOIN messages m USING (message_id) WHERE d.acked_ts IS NULL AND "
           "NOT EXISTS (SELECT 1 FROM units u WHERE u.organ_id = d.recipient_id) ")


async def unqueued_remote(db: Database, limit: int) -> list[Any]:
    """Pending deliveries to codes outside our directory, not yet in the outbound queue."""
    return await db.fetchall(_REMOTE + "AND NOT EXISTS (SELECT 1 FROM relay_out r WHERE "
                             "r.delivery_id = d.delivery_id) ORDER BY d.created_ts, "
                             "d.delivery_id LIMIT ?", (limit,))


def enqueue_txn(conn: Tx, delivery_id: str, upstream: str, message_id: str,
                ts: int) -> None:
    conn.execute("INSERT INTO relay_out (delivery_id, upstream, message_id, state, next_ts, "
                 "created_ts) VALUES (?, ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING",
                 (delivery_id, upstream, message_id, ts, ts))


_DUE = ("SELECT r.*, m.kind, m.sha256, m.sender_id FROM relay_out r JOIN messages m USING "
        "(message_id) WHERE r.state = 'queued' AND r.upstream = ? AND r.next_ts <= ? "
        "ORDER BY r.created_ts, r.delivery_id LIMIT ?")


async def due(db: Database, upstream: str, now: int, limit: int) -> list[Any]:
    return await db.fetchall(_DUE, (upstream, now, limit))


async def claim_due(db: Database, upstream: str, now: int, limit: int,
                    lease_until: int) -> list[Any]:
    """`due`, leased to this node until `lease_until` (store/claims.py)."""
    return await claims.claim(db, "relay_claim", _DUE, "r", (upstream, now, limit),
                              "relay_out", lease_until)


async def release(db: Database, rows: list[Any], lease_until: int) -> None:
    """Give back claimed items this node did not send (it stopped at a failure)."""
    await claims.release(db, "relay_release", "relay_out", rows, lease_until)


def finish_txn(conn: Tx, delivery_id: str, state: str, ts: int,
               remote_id: str | None, error: str = "") -> bool:
    return conn.execute(
        "UPDATE relay_out SET state = ?, done_ts = ?, remote_id = ?, last_error = ?, "
        "attempts = attempts + 1 WHERE delivery_id = ? AND state = 'queued'",
        (state, ts, remote_id, error, delivery_id)).rowcount == 1


def retry_txn(conn: Tx, delivery_id: str, next_ts: int, error: str) -> None:
    conn.execute("UPDATE relay_out SET attempts = attempts + 1, next_ts = ?, last_error = ? "
                 "WHERE delivery_id = ? AND state = 'queued'", (next_ts, error, delivery_id))


def mark_handed_over_txn(conn: Tx, delivery_id: str, ts: int, *,
                         acked: bool) -> None:
    """The other hub took the packet: 'fetched' (documents wait for its statuses); a status
    delivery is done (acked)."""
    conn.execute("UPDATE deliveries SET state = CASE WHEN state = 'pending' THEN 'fetched' ELSE "
                 "state END, fetched_ts = COALESCE(fetched_ts, ?), acked_ts = CASE WHEN ? = 1 THEN "
                 "COALESCE(acked_ts, ?) ELSE acked_ts END, updated_ts = ? WHERE delivery_id = ?",
                 (ts, int(acked), ts, ts, delivery_id))


async def remote_pending(db: Database, limit: int) -> list[Any]:
    return await db.fetchall(_REMOTE + "ORDER BY d.created_ts, d.delivery_id LIMIT ?", (limit,))


async def remote_delivery(db: Database, delivery_id: str) -> Any:
    return await db.fetchone(
        "SELECT d.*, m.kind FROM deliveries d JOIN messages m USING (message_id) WHERE "
        "d.delivery_id = ? AND NOT EXISTS (SELECT 1 FROM units u WHERE u.organ_id = "
        "d.recipient_id)", (delivery_id,))


async def remote_recipients(db: Database, message_id: str) -> list[str]:
    rows = await db.fetchall(
        "SELECT d.recipient_id FROM deliveries d WHERE d.message_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM units u WHERE u.organ_id = d.recipient_id)", (message_id,))
    return [r["recipient_id"] for r in rows]


async def outbound_of(db: Database, message_id: str) -> list[Any]:
    return await db.fetchall("SELECT * FROM relay_out WHERE message_id = ? ORDER BY "
                             "delivery_id", (message_id,))
