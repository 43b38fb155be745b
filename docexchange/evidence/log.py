"""The hub's append-only evidence log: every event becomes an RFC 9162 leaf in the same
transaction as the change it records, and every write batch that added leaves ends with one
signed tree head (one signature per batch, not per document).
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterable
from typing import Any

from docexchange.evidence.canonical import canonical_json
from docexchange.evidence.merkle import MerkleAccumulator, leaf_hash
from docexchange.evidence.tree_head import sign_tree_head
from docexchange.signing.keyring import KeyRing
from docexchange.store import evidence as sql
from docexchange.store.engine import now_ms


def units_field(units: Iterable[str]) -> str:
    """Stored as ',a,b,' so `units LIKE '%,code,%'` finds a unit's events exactly."""
    codes = sorted(set(units))
    return "," + ",".join(codes) + "," if codes else ""


class EvidenceLog:
    def __init__(self, keyring: KeyRing) -> None:
        self._keyring = keyring
        self._acc: MerkleAccumulator | None = None
        self.heads_signed = 0

    def append_txn(self, conn: sqlite3.Connection, event: str, body: dict[str, Any],
                   units: Iterable[str] = (), message_id: str | None = None) -> int:
        """Add one event; returns its leaf index. Must run inside the change's transaction."""
        ts = now_ms()
        index = sql.next_leaf_index_txn(conn)
        reserved = {"event", "leaf_index", "time"} & body.keys()
        if reserved:
            raise ValueError(f"event body must not set {sorted(reserved)}")
        data = canonical_json({**body, "event": event, "leaf_index": index, "time": ts})
        sql.insert_leaf_txn(conn, index, leaf_hash(data), data, event, units_field(units),
                            message_id, ts)
        return index

    def seal_txn(self, conn: sqlite3.Connection) -> None:
        """Batch hook: sign a tree head over every leaf written so far, if any are new, and
        store the perfect subtrees the batch completed (``merkle_nodes``, read by proofs)."""
        head = sql.latest_tree_head_txn(conn)
        signed_size = head[0] if head else 0
        acc = self._acc
        if acc is None or acc.size != signed_size:  # first use, or a rolled-back batch
            # O(log n) stored peaks; a log older than merkle_nodes is hashed and stored once
            acc = MerkleAccumulator.from_leaf_hashes(
                sql.StoredLeafHashes(conn, signed_size),
                cache=sql.StoredSubtrees(conn, persist=True))
        new = sql.leaf_hashes_from_txn(conn, acc.size)
        if not new:
            self._acc = acc
            return
        acc = acc.copy()
        sql.insert_nodes_txn(conn, acc.extend(new))
        current = self._keyring.current
        tree_head = sign_tree_head(acc.size, acc.root(), now_ms(), current.private_key,
                                   current.key_id)
        sql.insert_tree_head_txn(conn, tree_head.tree_size, tree_head.root_hash.hex(),
                                 tree_head.timestamp, tree_head.key_id,
                                 base64.b64encode(tree_head.signature).decode("ascii"))
        self._acc = acc
        self.heads_signed += 1
