"""SQL of the VDXP door: its credentials, and the reads its operations answer from.

Functions ending in `_txn` run inside a write transaction (see Database.write).
"""

from __future__ import annotations

from typing import Any

from docexchange.store.engine import Database
from docexchange.store.tx import Tx

# -- credentials ----------------------------------------------------------------------------

def replace_credential_txn(conn: Tx, system_id: str, organ_id: str,
                           sealed_secret: bytes, ts: int) -> int:
    """The unit's new credential; its earlier ones are revoked. Returns how many were."""
    revoked = revoke_credentials_txn(conn, organ_id, ts)
    conn.execute("INSERT INTO vdxp_credentials (system_id, organ_id, sealed_secret, created_ts)"
                 " VALUES (?, ?, ?, ?)", (system_id, organ_id, sealed_secret, ts))
    return revoked


def revoke_credentials_txn(conn: Tx, organ_id: str, ts: int) -> int:
    return conn.execute("UPDATE vdxp_credentials SET revoked_ts = ? WHERE organ_id = ? AND "
                        "revoked_ts IS NULL", (ts, organ_id)).rowcount


async def find_credential(db: Database, system_id: str) -> Any:
    return await db.fetchone("SELECT system_id, organ_id, sealed_secret, revoked_ts FROM "
                             "vdxp_credentials WHERE system_id = ?", (system_id,))


async def list_credentials(db: Database) -> list[Any]:
    return await db.fetchall("SELECT system_id, organ_id, created_ts, revoked_ts FROM "
                             "vdxp_credentials ORDER BY organ_id, created_ts")


# -- what the operations read ---------------------------------------------------------------

async def received(db: Database, recipient_id: str, kind: str, limit: int) -> list[Any]:
    """Unacknowledged deliveries of one kind ('document' | 'status'), oldest first."""
    return await db.fetchall(
        "SELECT d.delivery_id, d.message_id, d.state, d.created_ts, d.updated_ts, "
        "m.sender_id, m.status_code, m.subject FROM deliveries d JOIN messages m "
        "USING (message_id) WHERE d.recipient_id = ? AND d.acked_ts IS NULL AND m.kind = ? "
        "ORDER BY d.priority DESC, d.created_ts ASC, d.delivery_id ASC LIMIT ?",
        (recipient_id, kind, limit))


async def sent(db: Database, message_id: str) -> list[Any]:
    """One row per recipient of a message, with the message's own fields."""
    return await db.fetchall(
        "SELECT m.message_id, m.kind, m.sender_id, m.subject, m.code_number, m.code_notation, "
        "m.accepted_ts, d.recipient_id, d.state, d.recall, d.acked_ts, d.fetched_ts, "
        "d.last_status_code FROM messages m JOIN deliveries d USING (message_id) "
        "WHERE m.message_id = ? ORDER BY d.recipient_id", (message_id,))


async def status_message_id(db: Database, sender_id: str, sha256: str, related: str | None,
                            code: str) -> str | None:
    """The stored status message a repeated status packet stands for: the same bytes from the
    same unit, else that unit's first status `code` on the same document (the hub's own 01,
    issued on acknowledgement, counts)."""
    row = await db.fetchone("SELECT message_id FROM messages WHERE kind = 'status' AND "
                            "sender_id = ? AND sha256 = ? ORDER BY accepted_ts LIMIT 1",
                            (sender_id, sha256))
    if row is None and related is not None:
        row = await db.fetchone("SELECT message_id FROM messages WHERE kind = 'status' AND "
                                "sender_id = ? AND related_message_id = ? AND status_code = ? "
                                "ORDER BY accepted_ts LIMIT 1", (sender_id, related, code))
    return str(row["message_id"]) if row else None


async def delivery_message(db: Database, delivery_id: str) -> str | None:
    row = await db.fetchone("SELECT message_id FROM deliveries WHERE delivery_id = ?",
                            (delivery_id,))
    return str(row["message_id"]) if row else None


def transport_event_txn(conn: Tx, delivery_id: str, event: str,
                        actor_id: str, ts: int) -> bool:
    """A DMS's `fail` or `processing` on the delivery's timeline; once per kind."""
    return conn.execute(
        "INSERT INTO delivery_events (delivery_id, event, actor_id, created_ts) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (delivery_id, event, actor_id, ts)).rowcount == 1
