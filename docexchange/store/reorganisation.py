"""SQL for reorganisation plans and the deliveries that follow a retired unit's successor.

Functions ending in `_txn` run inside a write transaction (see Database.write).
"""

from __future__ import annotations

from typing import Any

from docexchange.store.engine import Database
from docexchange.store.tx import Tx


def plan_by_sha_txn(conn: Tx, sha256: str) -> Any:
    return conn.execute("SELECT plan_id FROM reorg_plans WHERE sha256 = ?",
                        (sha256,)).fetchone()


async def plan_by_sha(db: Database, sha256: str) -> Any:
    return await db.fetchone("SELECT plan_id FROM reorg_plans WHERE sha256 = ?", (sha256,))


def insert_plan_txn(conn: Tx, plan_id: str, sha256: str, source: str,
                    first_date: str, last_date: str, operations_json: str, ts: int) -> None:
    conn.execute("INSERT INTO reorg_plans (plan_id, sha256, source, first_date, last_date, "
                 "operations_json, applied_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (plan_id, sha256, source, first_date, last_date, operations_json, ts))


def set_plan_log_index_txn(conn: Tx, plan_id: str, index: int) -> None:
    conn.execute("UPDATE reorg_plans SET log_index = ? WHERE plan_id = ?", (index, plan_id))


def set_plan_followed_txn(conn: Tx, plan_id: str, ts: int) -> None:
    conn.execute("UPDATE reorg_plans SET followed_ts = ? WHERE plan_id = ?", (ts, plan_id))


async def latest_plan_date(db: Database) -> str | None:
    row = await db.fetchone("SELECT MAX(last_date) AS d FROM reorg_plans")
    return row["d"] if row else None


async def plans(db: Database) -> list[Any]:
    return await db.fetchall("SELECT plan_id, sha256, source, first_date, last_date, "
                             "operations_json, applied_ts, log_index, followed_ts "
                             "FROM reorg_plans ORDER BY applied_ts")


#: Deliveries that follow a successor: not yet fetched; for a recode (same organisation,
#: whose credentials now act as the new code) also fetched but not yet acknowledged.
_OPEN = "state = 'pending'"
_OPEN_OR_UNACKED = "(state = 'pending' OR acked_ts IS NULL)"


async def open_delivery_counts(db: Database, organ_ids: list[str],
                               recoded: frozenset[str] = frozenset()) -> dict[str, int]:
    """Deliveries that follow a successor (see _OPEN), per recipient."""
    counts: dict[str, int] = {}
    for codes, where in (([c for c in organ_ids if c not in recoded], _OPEN),
                         ([c for c in organ_ids if c in recoded], _OPEN_OR_UNACKED)):
        if not codes:
            continue
        marks = ",".join("?" * len(codes))
        rows = await db.fetchall(f"SELECT recipient_id, COUNT(*) AS n FROM deliveries WHERE "
                                 f"{where} AND recipient_id IN ({marks}) "
                                 "GROUP BY recipient_id", tuple(codes))
        counts.update({r["recipient_id"]: r["n"] for r in rows})
    return counts


def open_deliveries_txn(conn: Tx, organ_id: str, *, recoded: bool = False
                        ) -> list[tuple[str, str]]:
    """(delivery_id, message_id) of the unit's deliveries that follow its successor."""
    where = _OPEN_OR_UNACKED if recoded else _OPEN
    return list(conn.execute("SELECT delivery_id, message_id FROM deliveries WHERE "
                             f"recipient_id = ? AND {where} ORDER BY created_ts",
                             (organ_id,)))


def move_delivery_txn(conn: Tx, delivery_id: str, message_id: str,
                      old: str, new: str, ts: int) -> bool:
    """Readdress one delivery; False when the successor already has one for that message
    (then the old delivery stays where it is, for the retired unit's grace period)."""
    taken = conn.execute("SELECT 1 FROM deliveries WHERE message_id = ? AND recipient_id = ?",
                         (message_id, new)).fetchone()
    if taken:
        return False
    conn.execute("UPDATE deliveries SET recipient_id = ?, routed_from = COALESCE(routed_from, ?),"
                 " updated_ts = ? WHERE delivery_id = ?", (new, old, ts, delivery_id))
    return True

