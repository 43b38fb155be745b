"""Claiming queue rows when several nodes work the same queue (PostgreSQL).

A worker must not hold a row lock across an HTTP call (no network inside a transaction), so a
claim is a lease: in one short transaction the due rows are selected `FOR UPDATE SKIP LOCKED`
(rows another node is claiming right now are skipped, not waited for) and their `next_ts` is
moved to the end of the lease. Other nodes see them as not due until the lease ends; the
claimer finishes them, reschedules them, or gives the unworked ones back (`release_txn`).
A claimer that dies leaves its rows to come due again when the lease ends.

SQLite has one writer and one elected worker: the queue is read as before, nothing is leased.
"""

from __future__ import annotations

from typing import Any

from docexchange.store.engine import Database
from docexchange.store.tx import Tx


def leases_rows(db: Database) -> bool:
    """True for an engine where several nodes may claim the same row (not SQLite)."""
    return db.engine == "postgresql"


def claim_txn(conn: Tx, select_sql: str, params: tuple[Any, ...], table: str,
              lease_until: int) -> list[Any]:
    """Rows of `select_sql` (which ends with `FOR UPDATE OF <alias> SKIP LOCKED` and names
    `delivery_id`), each leased until `lease_until`. The rows keep their old `next_ts`."""
    rows = list(conn.execute(select_sql, params).fetchall())
    if rows:
        ids = [row["delivery_id"] for row in rows]
        marks = ", ".join("?" for _ in ids)
        conn.execute(f"UPDATE {table} SET next_ts = ? WHERE delivery_id IN ({marks})",
                     (lease_until, *ids))
    return rows


def release_txn(conn: Tx, table: str, rows: list[Any], lease_until: int) -> None:
    """Give back leased rows that were not worked: due again at their old time."""
    for row in rows:
        conn.execute(f"UPDATE {table} SET next_ts = ? WHERE delivery_id = ? AND next_ts = ? "
                     "AND state = 'queued'", (row["next_ts"], row["delivery_id"], lease_until))


def take_over_txn(conn: Tx, table: str, now: int, lease_ms: int) -> int:
    """A newly elected node makes the leases of the one before due now (it died, or it is
    stepping down and stops within seconds): rows due within one lease. A short back-off
    caught too is only retried a little early; a push repeated by the overlap carries the
    same idempotency key."""
    return int(conn.execute(f"UPDATE {table} SET next_ts = ? WHERE state = 'queued' AND "
                            "next_ts > ? AND next_ts <= ?",
                            (now, now, now + lease_ms)).rowcount)


async def claim(db: Database, name: str, due_sql: str, alias: str, params: tuple[Any, ...],
                table: str, lease_until: int) -> list[Any]:
    """The rows of `due_sql` (a queue's due items, `alias` its queue table), leased to this
    node until `lease_until` where several nodes may work the queue; on SQLite a plain read."""
    if not leases_rows(db):
        return await db.fetchall(due_sql, params)
    return await db.write(name, lambda c: claim_txn(
        c, f"{due_sql} FOR UPDATE OF {alias} SKIP LOCKED", params, table, lease_until))


async def release(db: Database, name: str, table: str, rows: list[Any],
                  lease_until: int) -> None:
    """Give back claimed rows this node did not work (it stopped at a failure)."""
    if rows and leases_rows(db):
        await db.write(name, lambda c: release_txn(c, table, rows, lease_until))


async def take_over_claims(db: Database, now: int, lease_ms: int) -> None:
    """`take_over_txn` on every queue; nothing on SQLite (nothing is leased there)."""
    if leases_rows(db):
        await db.write("take_over_claims", lambda c: sum(
            take_over_txn(c, table, now, lease_ms) for table in ("push_queue", "relay_out")))
