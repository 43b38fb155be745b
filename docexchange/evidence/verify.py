"""Offline verification of receipts and audit exports: only the hub's certificates are trusted.

Pure functions and one streaming checker, no files and no database, so the CLI, the tests and
any embedding tool share them. Every check says what failed and where (the leaf index, the
record), and stops at the first failure: the first bad record is what an auditor needs.
The formats are docs/evidence.md §7 (receipts) and §8 (exports).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from docexchange.evidence.merkle import (
    MerkleAccumulator,
    decode_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from docexchange.evidence.tree_head import TreeHead, verify_tree_head
from docexchange.signing.certificates import public_key_id

EXPORT_FORMAT = "docexchange-audit-v1"


class VerificationError(Exception):
    """A failed check: ``reason`` in plain words, ``index`` the leaf it concerns, if any, and
    ``record`` the number of the export record when the reader already knows it."""

    def __init__(self, reason: str, *, index: int | None = None,
                 record: int | None = None) -> None:
        super().__init__(reason if index is None else f"leaf {index}: {reason}")
        self.reason = reason
        self.index = index
        self.record = record


def certificates_by_key_id(certificates: Iterable[x509.Certificate]
                           ) -> dict[str, x509.Certificate]:
    """Index hub certificates by the key id tree heads name them with."""
    return {public_key_id(cert.public_key()): cert for cert in certificates}


def check_tree_head(data: object, certificates: Mapping[str, x509.Certificate]) -> TreeHead:
    """Parse a tree head and verify its signature with the certificate its key id names."""
    try:
        head = TreeHead.from_json(data)
    except ValueError as exc:
        raise VerificationError(f"malformed tree head: {exc}") from exc
    cert = certificates.get(head.key_id)
    if cert is None:
        raise VerificationError(f"no hub certificate given for key id {head.key_id} "
                                f"(tree head of size {head.tree_size})")
    if not verify_tree_head(head, cert):
        raise VerificationError(f"the signature of the tree head of size {head.tree_size} "
                                "does not verify")
    return head


def decode_leaf(encoded: object, index: int) -> bytes:
    """Strict standard base64 of the leaf bytes."""
    if isinstance(encoded, str):
        try:
            return base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            pass
    raise VerificationError("leaf data is not base64", index=index)


def check_leaf(data: bytes, index: int) -> dict[str, Any]:
    """Our leaves are JSON objects that name their own position (``leaf_index``): a leaf moved,
    swapped or renumbered is caught right here, at its index."""
    try:
        event = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise VerificationError("leaf data is not UTF-8 JSON", index=index) from None
    if not isinstance(event, dict) or event.get("leaf_index") != index:
        found = event.get("leaf_index") if isinstance(event, dict) else None
        raise VerificationError(f"the leaf says it is leaf {found}: leaves were moved, "
                                "swapped or removed", index=index)
    return event


def _proof(encoded: object, index: int | None = None) -> list[bytes]:
    try:
        return decode_proof(encoded)
    except ValueError as exc:
        raise VerificationError(f"malformed proof: {exc}", index=index) from exc


def _int(value: object, what: str) -> int:
    if type(value) is not int or value < 0:
        raise VerificationError(f"{what} must be a non-negative integer")
    return value


def check_inclusion(data: bytes, index: int, proof: object, head: TreeHead) -> None:
    """Leaf bytes ``data`` are leaf ``index`` of the (already verified) head's tree."""
    if not verify_inclusion(leaf_hash(data), index, head.tree_size, _proof(proof, index),
                            head.root_hash):
        raise VerificationError(f"the inclusion proof against the tree head of size "
                                f"{head.tree_size} fails", index=index)


@dataclass(frozen=True)
class ReceiptCheck:
    """What a verified receipt proves: this leaf (event) is in this signed tree."""

    leaf_index: int
    event: dict[str, Any]
    tree_head: TreeHead


#: receipt member -> leaf member that must agree with it (the receipt's own fields are unsigned)
_RECEIPT_FIELDS = {"message_id": "message_id", "sha256": "sha256", "log_index": "leaf_index",
                   "document_id": "document_id", "business_type": "business_type"}


def check_receipt(receipt: object, certificates: Mapping[str, x509.Certificate]
                  ) -> ReceiptCheck:
    """Verify a send receipt: the head's signature, the leaf's inclusion under its root, and
    that the receipt's plain fields say what the signed leaf says."""
    if not isinstance(receipt, dict):
        raise VerificationError("a receipt is a JSON object")
    missing = {"leaf", "leaf_index", "inclusion_proof", "tree_head"} - set(receipt)
    if missing:
        raise VerificationError(f"the receipt has no {', '.join(sorted(missing))}")
    index = _int(receipt["leaf_index"], "leaf_index")
    head = check_tree_head(receipt["tree_head"], certificates)
    data = decode_leaf(receipt["leaf"], index)
    check_inclusion(data, index, receipt["inclusion_proof"], head)
    event = check_leaf(data, index)
    for field, member in _RECEIPT_FIELDS.items():
        if field in receipt and receipt[field] != event.get(member, receipt[field]):
            raise VerificationError(f"the receipt's {field} is not the one in the signed leaf",
                                    index=index)
    return ReceiptCheck(index, event, head)


@dataclass
class AuditSummary:
    """Counts reported by a successful ``audit verify``."""

    leaves: int = 0
    tree_heads: int = 0
    consistency_proofs: int = 0
    inclusion_proofs: int = 0
    first_index: int = 0
    tree_size: int = 0
    filtered: bool = False


class AuditVerifier:
    """Checks an export record by record (``feed``), in constant memory, then ``finish``.

    A full export must rebuild every signed root from its leaves; a filtered one (one unit's
    events) proves each leaf by inclusion against the last head. In both, every head's
    signature and the consistency proof between successive heads are checked.
    """

    def __init__(self, certificates: Mapping[str, x509.Certificate]) -> None:
        self._certs = certificates
        self._header: dict[str, Any] | None = None
        self._acc: MerkleAccumulator | None = None
        self._head: TreeHead | None = None
        self._pending: tuple[TreeHead, TreeHead] | None = None
        self._last_leaf = -1
        self._ended = False
        self.summary = AuditSummary()

    def feed(self, record: object) -> None:
        """Check one record; raises VerificationError naming the first problem."""
        if not isinstance(record, dict) or not isinstance(record.get("record"), str):
            raise VerificationError("not an export record")
        kind = record["record"]
        if self._ended:
            raise VerificationError("records after the end record")
        if self._header is None and kind != "export":
            raise VerificationError("the export does not start with its header record")
        if self._pending is not None and kind != "consistency":
            old, new = self._pending
            raise VerificationError(f"the consistency proof from tree size {old.tree_size} to "
                                    f"{new.tree_size} is missing")
        if "error" in record:
            index = record.get("index")
            raise VerificationError(f"the hub could not prove this {kind} record: "
                                    f"{record['error']}",
                                    index=index if isinstance(index, int) else None)
        handler = {"export": self._export, "base": self._base, "leaf": self._leaf,
                   "tree_head": self._tree_head, "consistency": self._consistency,
                   "end": self._end}.get(kind)
        if handler is None:
            raise VerificationError(f"unknown record type {kind!r}")
        handler(record)

    def finish(self) -> AuditSummary:
        if not self._ended:
            raise VerificationError("the export ends without its end record (truncated file)")
        return self.summary

    # -- records -------------------------------------------------------------------------
    def _export(self, record: dict[str, Any]) -> None:
        if self._header is not None:
            raise VerificationError("a second header record")
        if record.get("format") != EXPORT_FORMAT:
            raise VerificationError(f"not a {EXPORT_FORMAT} export")
        self._header = record
        self.summary.filtered = record.get("unit") is not None

    def _base(self, record: dict[str, Any]) -> None:
        if self._acc is not None:
            raise VerificationError("a second base record")
        size = _int(record.get("tree_size"), "base tree_size")
        try:
            acc = MerkleAccumulator.from_state({"size": size, "peaks": record.get("peaks")})
        except ValueError as exc:
            raise VerificationError(f"malformed base state: {exc}") from exc
        if size:
            head = check_tree_head(record.get("tree_head"), self._certs)
            if head.tree_size != size or head.root_hash != acc.root():
                raise VerificationError(f"the base subtree hashes do not give the signed root "
                                        f"of size {size}")
            self._head = head
        self._acc, self._last_leaf = acc, size - 1
        self.summary.first_index = self.summary.tree_size = size

    def _leaf(self, record: dict[str, Any]) -> None:
        if self._acc is None:
            raise VerificationError("a leaf before the base record")
        index = _int(record.get("index"), "leaf index")
        data = decode_leaf(record.get("data"), index)
        if "leaf_hash" in record and record["leaf_hash"] != leaf_hash(data).hex():
            raise VerificationError("the leaf data does not match its recorded leaf hash "
                                    "(the event was altered)", index=index)
        if self.summary.filtered:
            self._filtered_leaf(record, index, data)
        else:
            self._full_leaf(index, data)
        self.summary.leaves += 1

    def _full_leaf(self, index: int, data: bytes) -> None:
        assert self._acc is not None
        if index != self._acc.size:
            expected = self._acc.size
            raise VerificationError(f"expected leaf {expected} here, found leaf {index}: "
                                    + ("leaves are missing" if index > expected
                                       else "leaves are repeated or out of order"),
                                    index=expected)
        check_leaf(data, index)
        self._acc.append(leaf_hash(data))

    def _filtered_leaf(self, record: dict[str, Any], index: int, data: bytes) -> None:
        if self._head is None or index <= self._last_leaf:
            raise VerificationError("leaves out of order, or before any tree head", index=index)
        if record.get("tree_size") != self._head.tree_size:
            raise VerificationError("the inclusion proof is not against the last tree head",
                                    index=index)
        check_inclusion(data, index, record.get("inclusion_proof"), self._head)
        check_leaf(data, index)
        self._last_leaf = index
        self.summary.inclusion_proofs += 1

    def _tree_head(self, record: dict[str, Any]) -> None:
        if self._acc is None:
            raise VerificationError("a tree head before the base record")
        if self.summary.filtered and self.summary.leaves:
            raise VerificationError("a tree head after the leaves of a filtered export")
        head = check_tree_head(record.get("tree_head"), self._certs)
        previous = self._head.tree_size if self._head else 0
        if head.tree_size <= previous:
            raise VerificationError(f"tree head sizes must grow: {head.tree_size} follows "
                                    f"{previous}")
        if not self.summary.filtered:
            self._check_root(head)
        if self._head is not None:
            self._pending = (self._head, head)
        self._head = head
        self.summary.tree_heads += 1
        self.summary.tree_size = head.tree_size

    def _check_root(self, head: TreeHead) -> None:
        """Full export: the leaves so far must be exactly this head's tree."""
        assert self._acc is not None
        if self._acc.size < head.tree_size:
            raise VerificationError(f"the tree head of size {head.tree_size} covers leaves "
                                    f"{self._acc.size} to {head.tree_size - 1}, which are "
                                    "missing from the export", index=self._acc.size)
        if self._acc.size > head.tree_size:
            raise VerificationError(f"leaves beyond the tree head of size {head.tree_size}",
                                    index=head.tree_size)
        if self._acc.root() != head.root_hash:
            first = self._head.tree_size if self._head else 0
            raise VerificationError(f"leaves {first} to {head.tree_size - 1} do not hash to the "
                                    f"signed root of size {head.tree_size}: one of them was "
                                    "altered", index=first)

    def _consistency(self, record: dict[str, Any]) -> None:
        if self._pending is None:
            raise VerificationError("a consistency proof that follows no new tree head")
        old, new = self._pending
        if (record.get("first"), record.get("second")) != (old.tree_size, new.tree_size):
            raise VerificationError(f"expected the consistency proof from {old.tree_size} to "
                                    f"{new.tree_size}")
        if not verify_consistency(old.tree_size, new.tree_size, old.root_hash, new.root_hash,
                                  _proof(record.get("proof"))):
            raise VerificationError(f"the consistency proof from tree size {old.tree_size} to "
                                    f"{new.tree_size} fails: the log was rewritten")
        self._pending = None
        self.summary.consistency_proofs += 1

    def _end(self, record: dict[str, Any]) -> None:
        if self._acc is None:
            raise VerificationError("the end record comes before the base record")
        if not self.summary.filtered and self._acc.size != self.summary.tree_size:
            raise VerificationError("leaves after the last tree head are not covered by any "
                                    "signed head", index=self.summary.tree_size)
        counts = (record.get("leaves"), record.get("tree_heads"))
        if counts != (self.summary.leaves, self.summary.tree_heads):
            raise VerificationError(f"the end record counts {counts[0]} leaves and {counts[1]} "
                                    f"tree heads, the export has {self.summary.leaves} and "
                                    f"{self.summary.tree_heads}: records are missing")
        self._ended = True
