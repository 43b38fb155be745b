"""SQL of the evidence log: leaves, signed tree heads and stored subtree hashes (append-only)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from typing import Any, overload

from docexchange.store.engine import Database
from docexchange.store.multirow import insert_rows_txn
from docexchange.store.tx import Tx


def shares_log_with_other_writers(conn: Tx) -> bool:
    """True on PostgreSQL, where several nodes write to one log (their batches take turns
    under the engine's writer lock). On SQLite other hub processes may too, but the seal's
    shortcut for a batch without leaves is only taken here."""
    return not isinstance(conn, sqlite3.Connection)


def next_leaf_index_txn(conn: Tx) -> int:
    """MAX+1: gap-free and unique across nodes because every write batch, on any node, holds
    the engine's writer lock from BEGIN to COMMIT (store/postgres.py WRITER_LOCK; SQLite's
    write lock), and a job rolled back to its savepoint leaves no hole."""
    row = conn.execute("SELECT COALESCE(MAX(leaf_index), -1) + 1 FROM log_leaves").fetchone()
    return int(row[0])


def insert_leaf_txn(conn: Tx, index: int, leaf_hash: bytes, data: bytes,
                    event: str, units: str, message_id: str | None, ts: int) -> None:
    conn.execute("INSERT INTO log_leaves (leaf_index, leaf_hash, data, event, units, message_id,"
                 " created_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (index, leaf_hash, data, event, units, message_id, ts))


def leaf_hashes_from_txn(conn: Tx, start: int) -> list[bytes]:
    return [row[0] for row in conn.execute(
        "SELECT leaf_hash FROM log_leaves WHERE leaf_index >= ? ORDER BY leaf_index", (start,))]


def latest_tree_head_txn(conn: Tx) -> Any:
    return conn.execute("SELECT tree_size, root_hash, timestamp_ts, key_id, signature FROM "
                        "tree_heads ORDER BY tree_size DESC LIMIT 1").fetchone()


def insert_tree_head_txn(conn: Tx, size: int, root_hex: str, ts: int,
                         key_id: str, signature_b64: str) -> None:
    conn.execute("INSERT INTO tree_heads (tree_size, root_hash, timestamp_ts, key_id, signature)"
                 " VALUES (?, ?, ?, ?, ?)", (size, root_hex, ts, key_id, signature_b64))


async def latest_tree_head(db: Database) -> Any:
    return await db.fetchone("SELECT tree_size, root_hash, timestamp_ts, key_id, signature FROM "
                             "tree_heads ORDER BY tree_size DESC LIMIT 1")


# -- proofs: the leaf hashes and subtree hashes as the Merkle functions want them ----------

HEAD_COLUMNS = "tree_size, root_hash, timestamp_ts, key_id, signature"


class MissingLeaf(LookupError):
    """A leaf row a signed tree head covers is gone: the log was altered behind the hub."""


class StoredLeafHashes(Sequence[bytes]):
    """The first ``size`` leaf hashes, read one row at a time when the Merkle code asks.

    With a ``StoredSubtrees`` cache a proof only reads the few leaves at the edges of its
    subtrees, never the whole log. Raises MissingLeaf for a row that should exist and does not.
    """

    def __init__(self, conn: Tx, size: int) -> None:
        self._conn, self._size = conn, size

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(index, slice):
            raise TypeError("stored leaf hashes are read one at a time")
        if not 0 <= index < self._size:
            raise IndexError(index)
        row = self._conn.execute("SELECT leaf_hash FROM log_leaves WHERE leaf_index = ?",
                                 (index,)).fetchone()
        if row is None:
            raise MissingLeaf(f"leaf {index} is missing from the log")
        return bytes(row[0])


class StoredSubtrees(MutableMapping[tuple[int, int], bytes]):
    """``merkle_nodes`` as the ``cache`` mapping of merkle.py, keyed ``(lo, hi)``.

    On the writer (``persist=True``) a computed subtree is stored for good; on a read
    connection it is only remembered in memory for this object's life, and only for subtrees
    of at least ``memo_from`` leaves, so a long export keeps a bounded memo.
    """

    def __init__(self, conn: Tx, *, persist: bool = False,
                 memo_from: int = 1024) -> None:
        self._conn, self._persist, self._memo_from = conn, persist, memo_from
        self._memo: dict[tuple[int, int], bytes] = {}

    def __getitem__(self, key: tuple[int, int]) -> bytes:
        if key in self._memo:
            return self._memo[key]
        row = self._conn.execute("SELECT hash FROM merkle_nodes WHERE lo = ? AND hi = ?",
                                 key).fetchone()
        if row is None:
            raise KeyError(key)
        value = bytes(row[0])
        if key[1] - key[0] >= self._memo_from:
            self._memo[key] = value
        return value

    def __setitem__(self, key: tuple[int, int], value: bytes) -> None:
        if self._persist:
            insert_nodes_txn(self._conn, [(key[0], key[1], value)])
        elif key[1] - key[0] >= self._memo_from:
            self._memo[key] = value

    def __delitem__(self, key: tuple[int, int]) -> None:
        raise TypeError("subtree hashes of an append-only log are never deleted")

    def __iter__(self) -> Iterator[tuple[int, int]]:
        raise TypeError("stored subtrees are looked up by key, not listed")

    def __len__(self) -> int:
        raise TypeError("stored subtrees are looked up by key, not counted")


def insert_nodes_txn(conn: Tx, nodes: Iterable[tuple[int, int, bytes]]) -> None:
    """One statement for a batch's completed subtrees (store/multirow.py)."""
    insert_rows_txn(conn, "INSERT INTO merkle_nodes (lo, hi, hash) VALUES", list(nodes),
                    "ON CONFLICT DO NOTHING")


def leaf_txn(conn: Tx, index: int) -> tuple[bytes, bytes, str] | None:
    """(leaf hash, data, units) of one leaf."""
    row = conn.execute("SELECT leaf_hash, data, units FROM log_leaves WHERE leaf_index = ?",
                       (index,)).fetchone()
    return (bytes(row[0]), bytes(row[1]), str(row[2])) if row else None


def head_of_size_txn(conn: Tx, size: int) -> Any:
    return conn.execute(f"SELECT {HEAD_COLUMNS} FROM tree_heads WHERE tree_size = ?",
                        (size,)).fetchone()


def first_head_covering_txn(conn: Tx, index: int) -> Any:
    """The head of the batch that wrote leaf ``index``: the smallest one that includes it."""
    return conn.execute(f"SELECT {HEAD_COLUMNS} FROM tree_heads WHERE tree_size > ? "
                        "ORDER BY tree_size LIMIT 1", (index,)).fetchone()


def last_head_within_txn(conn: Tx, size: int) -> Any:
    """The largest head of at most ``size`` leaves."""
    return conn.execute(f"SELECT {HEAD_COLUMNS} FROM tree_heads WHERE tree_size <= ? "
                        "ORDER BY tree_size DESC LIMIT 1", (size,)).fetchone()


def last_head_before_txn(conn: Tx, to_ts: int) -> Any:
    """The largest head signed before ``to_ts``."""
    return conn.execute(f"SELECT {HEAD_COLUMNS} FROM tree_heads WHERE timestamp_ts < ? "
                        "ORDER BY tree_size DESC LIMIT 1", (to_ts,)).fetchone()


def heads_txn(conn: Tx, first_size: int, last_size: int,
              after: int, limit: int) -> list[Any]:
    """Heads with ``first_size <= tree_size <= last_size`` beyond the cursor ``after``."""
    return conn.execute(f"SELECT {HEAD_COLUMNS} FROM tree_heads WHERE tree_size >= ? AND "
                        "tree_size <= ? AND tree_size > ? ORDER BY tree_size LIMIT ?",
                        (first_size, last_size, after, limit)).fetchall()


def heads_by_time_txn(conn: Tx, from_ts: int, to_ts: int, after: int,
                      limit: int) -> list[Any]:
    """Heads signed in ``[from_ts, to_ts)``, by size, beyond the cursor ``after``."""
    return conn.execute(f"SELECT {HEAD_COLUMNS} FROM tree_heads WHERE timestamp_ts >= ? AND "
                        "timestamp_ts < ? AND tree_size > ? ORDER BY tree_size LIMIT ?",
                        (from_ts, to_ts, after, limit)).fetchall()


def leaf_range_by_time_txn(conn: Tx, from_ts: int, to_ts: int
                           ) -> tuple[int, int] | None:
    """[first, last] leaf indexes written in ``[from_ts, to_ts)``; None if there are none."""
    row = conn.execute("SELECT MIN(leaf_index), MAX(leaf_index) FROM log_leaves WHERE "
                       "created_ts >= ? AND created_ts < ?", (from_ts, to_ts)).fetchone()
    return None if row[0] is None else (int(row[0]), int(row[1]))


def leaves_page_txn(conn: Tx, after: int, end: int, limit: int,
                    unit: str | None = None) -> list[tuple[int, bytes, bytes]]:
    """(index, leaf hash, data) of leaves ``after < index < end``, optionally one unit's."""
    where = " AND instr(units, ?) > 0" if unit else ""  # LIKE would treat _ as a wildcard
    params: tuple[Any, ...] = (after, end, *((f",{unit},",) if unit else ()), limit)
    return [(int(r[0]), bytes(r[1]), bytes(r[2])) for r in conn.execute(
        "SELECT leaf_index, leaf_hash, data FROM log_leaves WHERE leaf_index > ? AND "
        f"leaf_index < ?{where} ORDER BY leaf_index LIMIT ?", params)]


def latest_leaf_of_event_txn(conn: Tx, event: str) -> tuple[int, bytes] | None:
    """(index, data) of the newest leaf of this kind, or None."""
    row = conn.execute("SELECT leaf_index, data FROM log_leaves WHERE event = ? "
                       "ORDER BY leaf_index DESC LIMIT 1", (event,)).fetchone()
    return (int(row[0]), bytes(row[1])) if row else None
