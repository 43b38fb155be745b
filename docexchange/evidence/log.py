"""The hub's append-only evidence log: every event becomes an RFC 9162 leaf in the same
transaction as the change it records, and every write batch that added leaves ends with one
signed tree head (one signature per batch, not per document).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from docexchange.clock import SYSTEM_CLOCK, Clock
from docexchange.evidence.canonical import canonical_json
from docexchange.evidence.merkle import (
    MerkleAccumulator,
    inclusion_proof,
    leaf_hash,
)
from docexchange.evidence.proofs import LeafProof
from docexchange.evidence.tree_head import TreeHead, TreeHeadSigner
from docexchange.signing.keyring import KeyRing
from docexchange.store import evidence as sql
from docexchange.store.tx import Tx


def units_field(units: Iterable[str]) -> str:
    """Stored as ',a,b,' so `units LIKE '%,code,%'` finds a unit's events exactly."""
    codes = sorted(set(units))
    return "," + ",".join(codes) + "," if codes else ""


class EvidenceLog:
    def __init__(self, keyring: KeyRing, clock: Clock = SYSTEM_CLOCK) -> None:
        self._keyring = keyring
        self._clock = clock
        self._acc: MerkleAccumulator | None = None
        self.heads_signed = 0
        self._wanted: dict[int, tuple[bytes, str]] = {}  # receipts asked for in this batch
        self._staged: dict[int, LeafProof] = {}  # proved at seal, not yet committed
        self._ready: dict[int, LeafProof] = {}  # committed: handed out once by take_proof()
        self._lock = threading.Lock()
        self._appended = False  # this batch added a leaf
        #: the index the batch's next leaf takes (None: not known yet in this batch, read
        #: once as MAX+1) and the (index, hash) of the leaves the batch added so far (None:
        #: a job was rolled back, the seal reads them back instead)
        self._next: int | None = None
        self._fresh: list[tuple[int, bytes]] | None = []
        self.proofs_from_memory = 0
        self._tree_head_signer: TreeHeadSigner | None = None

    def append_txn(self, conn: Tx, event: str, body: dict[str, Any],
                   units: Iterable[str] = (), message_id: str | None = None, *,
                   receipt: bool = False) -> int:
        """Add one event; returns its leaf index. Must run inside the change's transaction.

        `receipt`: the caller will want this leaf's inclusion proof against the batch's tree
        head; it is computed in memory when the batch is sealed (see take_proof).

        The index comes from a counter kept for the batch: MAX+1 is read once, at the
        batch's first leaf (the engine's writer lock keeps every other writer out until
        COMMIT), then counted on; a job rolled back to its savepoint resets it
        (`rolled_back`), so the log stays gap-free.
        """
        ts = self._clock.now_ms()
        index = self.next_index_txn(conn)
        reserved = {"event", "leaf_index", "time"} & body.keys()
        if reserved:
            raise ValueError(f"event body must not set {sorted(reserved)}")
        data = canonical_json({**body, "event": event, "leaf_index": index, "time": ts})
        units_text = units_field(units)
        hashed = leaf_hash(data)
        sql.insert_leaf_txn(conn, index, hashed, data, event, units_text, message_id, ts)
        self._next = index + 1
        if self._fresh is not None:
            self._fresh.append((index, hashed))
        if receipt:
            self._wanted[index] = (data, units_text)
        self._appended = True
        return index

    def next_index_txn(self, conn: Tx) -> int:
        """The index the next `append_txn` of this batch will give its leaf (a row that
        records its own leaf index, a message, is written before its leaf)."""
        if self._next is None:
            self._next = sql.next_leaf_index_txn(conn)
        return self._next

    def rolled_back(self) -> None:
        """Rollback hook (engine): the leaves of a rolled-back job, or batch, are gone."""
        self._next = None
        self._fresh = None

    def seal_txn(self, conn: Tx) -> None:
        """Batch hook: sign a tree head over every leaf written so far, if any are new, and
        store the perfect subtrees the batch completed (``merkle_nodes``, read by proofs).

        Several nodes (PostgreSQL): every batch holds the engine's writer lock until it
        commits, so no other node appends or signs meanwhile; a batch that did not append
        signs nothing (every other node's leaves came with their own head).
        The accumulator is rebuilt from the stored peaks whenever another node's head moved
        the log on since this node last sealed."""
        try:
            self._seal_txn(conn)
        finally:  # the next batch may follow another process's: its first leaf reads MAX+1
            self._next = None
            self._fresh = []

    def _seal_txn(self, conn: Tx) -> None:
        appended, self._appended = self._appended, False
        if not appended and sql.shares_log_with_other_writers(conn):
            self._wanted, self._staged = {}, {}
            return
        head = sql.latest_tree_head_txn(conn)
        signed_size = head[0] if head else 0
        acc = self._acc
        if acc is None or acc.size != signed_size:  # first use, or a rolled-back batch
            # O(log n) stored peaks; a log older than merkle_nodes is hashed and stored once
            acc = MerkleAccumulator.from_leaf_hashes(
                sql.StoredLeafHashes(conn, signed_size),
                cache=sql.StoredSubtrees(conn, persist=True))
        new = self._new_leaf_hashes(conn, acc.size)
        wanted, self._wanted = self._wanted, {}
        self._staged = {}
        if not new:
            self._acc = acc
            return
        old = acc
        acc = acc.copy()
        completed = acc.extend(new)
        sql.insert_nodes_txn(conn, completed)
        tree_head = self._signer().sign(acc.size, acc.root(), self._clock.now_ms())
        sql.insert_tree_head_txn(conn, tree_head.tree_size, tree_head.root_hash.hex(),
                                 tree_head.timestamp, tree_head.key_id,
                                 base64.b64encode(tree_head.signature).decode("ascii"))
        self._acc = acc
        self.heads_signed += 1
        self._staged = _batch_proofs(old, new, completed, wanted, tree_head)

    def _signer(self) -> TreeHeadSigner:
        """The signer of the key ring's current key, checked once per key (a key rotation
        replaces `current`, so the next seal checks the new key)."""
        current = self._keyring.current
        signer = self._tree_head_signer
        if signer is None or signer.private_key is not current.private_key \
                or signer.key_id != current.key_id:
            signer = self._tree_head_signer = TreeHeadSigner(current.private_key,
                                                             current.key_id)
        return signer

    def _new_leaf_hashes(self, conn: Tx, start: int) -> list[bytes]:
        """The hashes of leaves `start`…: those this batch appended, from memory, when they
        are exactly that range; else read back (a job was rolled back)."""
        fresh = self._fresh
        if fresh and fresh[0][0] == start:
            return [hashed for _, hashed in fresh]
        return sql.leaf_hashes_from_txn(conn, start)

    def committed(self) -> None:
        """Commit hook: the batch is durable, so its proofs may be handed out."""
        with self._lock:
            self._ready.update(self._staged)
            while len(self._ready) > MAX_READY:  # callers that never came back
                del self._ready[next(iter(self._ready))]
        self._staged = {}

    def take_proof(self, index: int) -> LeafProof | None:
        """The proof prepared for leaf `index` when its batch was sealed, once."""
        with self._lock:
            proof = self._ready.pop(index, None)
        self.proofs_from_memory += proof is not None
        return proof


MAX_READY = 10_000


class _BatchLeaves(Sequence[bytes]):
    """Leaf hashes of the tree after a batch, where only the batch's own leaves are known:
    everything before them is covered by the accumulator's peaks in the cache."""

    def __init__(self, start: int, leaves: list[bytes], before: dict[int, bytes]) -> None:
        self._start, self._leaves, self._before = start, leaves, before

    def __len__(self) -> int:
        return self._start + len(self._leaves)

    def __getitem__(self, index: int) -> bytes:  # type: ignore[override]
        if index < self._start:  # only a one-leaf peak is ever read this way
            return self._before[index]
        return self._leaves[index - self._start]


def _peak_ranges(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees an accumulator of `size` leaves holds, largest first."""
    ranges, lo = [], 0
    for bit in reversed(range(size.bit_length())):
        if size >> bit & 1:
            ranges.append((lo, lo + (1 << bit)))
            lo += 1 << bit
    return ranges


def _batch_proofs(old: MerkleAccumulator, new: list[bytes],
                  completed: list[tuple[int, int, bytes]],
                  wanted: dict[int, tuple[bytes, str]], head: TreeHead) -> dict[int, LeafProof]:
    """Inclusion proofs for the batch's receipts, from memory only (no database reads)."""
    cache: dict[tuple[int, int], bytes] = dict(zip(
        _peak_ranges(old.size), old.peaks, strict=True))
    cache.update({(lo, hi): node for lo, hi, node in completed})
    singles = {lo: node for (lo, hi), node in cache.items() if hi - lo == 1}
    leaves = _BatchLeaves(old.size, new, singles)
    proofs = {}
    for index, (data, units) in wanted.items():
        if not old.size <= index < len(leaves) or leaves[index] != leaf_hash(data):
            continue  # its job was rolled back; the index may now hold another leaf
        proof = inclusion_proof(index, leaves, cache=cache)
        proofs[index] = LeafProof(index, data, units, proof, head)
    return proofs
