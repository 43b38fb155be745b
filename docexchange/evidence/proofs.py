"""Proofs served from the stored log: inclusion of one leaf and consistency between two heads.

Everything here reads through ``Database.read`` (one snapshot, in a worker thread), and walks
``merkle_nodes`` so that a proof touches O(log n) rows whatever the size of the log. Only sizes
of signed tree heads are offered: a proof against an unsigned size would prove nothing.

Visibility: a leaf is shown only to the units it concerns (``log_leaves.units``); for anyone
else it does not exist (DX_NOT_FOUND), so probing cannot tell another unit's events apart from
missing ones. Consistency proofs and tree heads are hashes only and go to any caller.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from docexchange.errors import DocExchangeError
from docexchange.evidence.merkle import consistency_proof, encode_proof, inclusion_proof
from docexchange.evidence.tree_head import TreeHead
from docexchange.store import evidence as sql
from docexchange.store.engine import Database
from docexchange.store.tx import Tx


@dataclass(frozen=True)
class LeafProof:
    """A leaf with its inclusion proof against a signed head: the evidence part of a receipt."""

    leaf_index: int
    leaf: bytes
    units: str
    proof: list[bytes]
    head: TreeHead

    def to_json(self) -> dict[str, Any]:
        return {"leaf": base64.b64encode(self.leaf).decode("ascii"),
                "leaf_index": self.leaf_index, "inclusion_proof": encode_proof(self.proof),
                "tree_head": self.head.to_json()}


def head_from_row(row: Any) -> TreeHead:
    """A stored ``tree_heads`` row (hex root, base64 signature) as a TreeHead."""
    return TreeHead.from_json({"tree_size": row[0], "root_hash": row[1], "timestamp": row[2],
                               "key_id": row[3], "signature": row[4]})


def not_found(en: str, vi: str, **details: Any) -> DocExchangeError:
    return DocExchangeError("DX_NOT_FOUND", vi, en, **details)


def bad_request(parameter: str, en: str, vi: str) -> DocExchangeError:
    return DocExchangeError("DX_BAD_REQUEST", vi, en, errors=[{"parameter": parameter}])


def _head_txn(conn: Tx, size: int | None) -> TreeHead:
    """The signed head of exactly ``size`` leaves, or the latest one when ``size`` is None."""
    row = sql.latest_tree_head_txn(conn) if size is None else sql.head_of_size_txn(conn, size)
    if row is None:
        raise not_found("No signed tree head of this size.",
                        "Không có tree head đã ký với kích thước này.", tree_size=size)
    return head_from_row(row)


def leaf_proof_txn(conn: Tx, index: int, head: TreeHead) -> LeafProof | None:
    """Leaf ``index`` proved against ``head``; None when the leaf is not in the log."""
    leaf = sql.leaf_txn(conn, index)
    if leaf is None or index >= head.tree_size:
        return None
    hashes = sql.StoredLeafHashes(conn, head.tree_size)
    proof = inclusion_proof(index, hashes, cache=sql.StoredSubtrees(conn))
    return LeafProof(index, leaf[1], leaf[2], proof, head)


async def receipt_proof(db: Database, index: int, *, same_batch: bool) -> LeafProof:
    """The proof for a receipt: against the head signed with the leaf's own batch (a fresh
    send), or against the latest head (a repeated send, a receipt fetched later)."""
    def txn(conn: Tx) -> LeafProof:
        row = (sql.first_head_covering_txn(conn, index) if same_batch
               else sql.latest_tree_head_txn(conn))
        found = leaf_proof_txn(conn, index, head_from_row(row)) if row else None
        if found is None:
            raise DocExchangeError("DX_INTERNAL", "Không lập được bằng chứng cho biên nhận.",
                                   "The receipt's log proof could not be built.")
        return found
    return await db.read("receipt_proof", txn)


async def inclusion_for_unit(db: Database, unit: str, index: int,
                             tree_size: int | None) -> LeafProof:
    """Leaf ``index`` with its proof against the head of ``tree_size`` (default: latest).

    Raises DX_NOT_FOUND for a leaf ``unit`` may not see, exactly as for one that does not
    exist; DX_BAD_REQUEST when ``tree_size`` does not include the leaf.
    """
    if tree_size is not None and tree_size <= index:
        raise bad_request("tree_size", "tree_size must be greater than leaf_index.",
                          "tree_size phải lớn hơn leaf_index.")

    def txn(conn: Tx) -> LeafProof:
        leaf = sql.leaf_txn(conn, index)
        if leaf is None or f",{unit}," not in leaf[2]:
            raise not_found("No such log entry for this unit.",
                            "Không có mục nhật ký này cho đơn vị.", leaf_index=index)
        found = leaf_proof_txn(conn, index, _head_txn(conn, tree_size))
        if found is None:
            raise not_found("The leaf is not yet covered by a signed tree head.",
                            "Mục nhật ký chưa thuộc tree head đã ký.", leaf_index=index)
        return found
    return await db.read("inclusion_proof", txn)


async def consistency(db: Database, first: int, second: int | None
                      ) -> tuple[TreeHead, TreeHead, list[bytes]]:
    """Both signed heads and the RFC 9162 proof that the first is a prefix of the second."""
    if first < 1 or (second is not None and second < first):
        raise bad_request("first", "Need 1 <= first <= second.", "Cần 1 <= first <= second.")

    def txn(conn: Tx) -> tuple[TreeHead, TreeHead, list[bytes]]:
        old, new = _head_txn(conn, first), _head_txn(conn, second)
        if new.tree_size < old.tree_size:
            raise bad_request("second", "second must not be smaller than first.",
                              "second không được nhỏ hơn first.")
        hashes = sql.StoredLeafHashes(conn, new.tree_size)
        proof = consistency_proof(old.tree_size, hashes, cache=sql.StoredSubtrees(conn))
        return old, new, proof
    return await db.read("consistency_proof", txn)


async def latest_head(db: Database) -> TreeHead:
    """The newest signed head; DX_NOT_FOUND before the first event."""
    return await db.read("latest_tree_head", lambda conn: _head_txn(conn, None))


async def heads_by_time(db: Database, from_ts: int, to_ts: int, after: int, limit: int
                        ) -> list[TreeHead]:
    """Signed heads of ``[from_ts, to_ts)`` in size order, after the size cursor ``after``."""
    rows = await db.read("tree_heads", lambda conn: sql.heads_by_time_txn(
        conn, from_ts, to_ts, after, limit))
    return [head_from_row(row) for row in rows]
