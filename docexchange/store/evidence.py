"""SQL of the evidence log: leaves and signed tree heads (append-only)."""

from __future__ import annotations

import sqlite3
from typing import Any

from docexchange.store.engine import Database


def next_leaf_index_txn(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT COALESCE(MAX(leaf_index), -1) + 1 FROM log_leaves").fetchone()
    return int(row[0])


def insert_leaf_txn(conn: sqlite3.Connection, index: int, leaf_hash: bytes, data: bytes,
                    event: str, units: str, message_id: str | None, ts: int) -> None:
    conn.execute("INSERT INTO log_leaves (leaf_index, leaf_hash, data, event, units, message_id,"
                 " created_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (index, leaf_hash, data, event, units, message_id, ts))


def leaf_hashes_from_txn(conn: sqlite3.Connection, start: int) -> list[bytes]:
    return [row[0] for row in conn.execute(
        "SELECT leaf_hash FROM log_leaves WHERE leaf_index >= ? ORDER BY leaf_index", (start,))]


def latest_tree_head_txn(conn: sqlite3.Connection) -> Any:
    return conn.execute("SELECT tree_size, root_hash, timestamp_ts, key_id, signature FROM "
                        "tree_heads ORDER BY tree_size DESC LIMIT 1").fetchone()


def insert_tree_head_txn(conn: sqlite3.Connection, size: int, root_hex: str, ts: int,
                         key_id: str, signature_b64: str) -> None:
    conn.execute("INSERT INTO tree_heads (tree_size, root_hash, timestamp_ts, key_id, signature)"
                 " VALUES (?, ?, ?, ?, ?)", (size, root_hex, ts, key_id, signature_b64))


async def latest_tree_head(db: Database) -> Any:
    return await db.fetchone("SELECT tree_size, root_hash, timestamp_ts, key_id, signature FROM "
                             "tree_heads ORDER BY tree_size DESC LIMIT 1")
