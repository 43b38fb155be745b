"""Merkle tree hashing and proofs exactly as RFC 9162 §2.1 (Certificate Transparency v2).

Auditors check our log with any RFC 9162 implementation, so nothing here may drift from the
RFC: leaf and node prefixes, the split at the largest power of two below ``n``, the empty-tree
hash, and the order of proof nodes (leaf to root).

Leaf hashes come from a ``Sequence[bytes]`` that may be lazy (a store reading rows on demand):
the functions only call ``len()`` and integer ``[]`` on it and never slice or copy it. Work is
done on half-open index ranges ``[lo, hi)`` of that one sequence.

Computing a proof from leaf hashes alone costs O(n) hashes. Perfect subtrees of an append-only
log never change, so a caller may pass ``cache``, a mapping it owns (a dict, or a table in the
store), keyed ``(lo, hi)``; only perfect, aligned subtrees are read from or written to it. Nothing
is memoised globally.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import MutableMapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_HEX_HASH = re.compile(r"[0-9a-f]{64}")

#: Caller-owned store of perfect subtree hashes, keyed by the leaf range ``(lo, hi)``.
SubtreeCache = MutableMapping[tuple[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data): the prefix keeps a leaf from ever passing for an inner node."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right), the hash of an inner node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``): RFC 9162's ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_perfect(lo: int, hi: int) -> bool:
    """True for a complete subtree: a power-of-two size starting at a multiple of that size."""
    size = hi - lo
    return size > 1 and size & (size - 1) == 0 and lo % size == 0


def _subtree_root(hashes: Sequence[bytes], lo: int, hi: int, cache: SubtreeCache | None) -> bytes:
    """MTH of ``hashes[lo:hi]`` (``hi > lo``) without copying the range."""
    if hi - lo == 1:
        return hashes[lo]
    if cache is None or not _is_perfect(lo, hi):
        return _join(hashes, lo, hi, cache)
    root = cache.get((lo, hi))
    if root is None:
        root = cache[(lo, hi)] = _join(hashes, lo, hi, cache)
    return root


def _join(hashes: Sequence[bytes], lo: int, hi: int, cache: SubtreeCache | None) -> bytes:
    """Hash the two RFC 9162 halves of ``[lo, hi)`` together."""
    mid = lo + _split(hi - lo)
    return node_hash(_subtree_root(hashes, lo, mid, cache), _subtree_root(hashes, mid, hi, cache))


def root_hash(leaf_hashes: Sequence[bytes], *, cache: SubtreeCache | None = None) -> bytes:
    """MTH(D[n]) of the given leaf hashes; the empty tree's root is SHA-256 of no bytes."""
    if len(leaf_hashes) == 0:
        return EMPTY_ROOT
    return _subtree_root(leaf_hashes, 0, len(leaf_hashes), cache)


def inclusion_proof(
    index: int, leaf_hashes: Sequence[bytes], *, cache: SubtreeCache | None = None
) -> list[bytes]:
    """PATH(index, D[n]) (RFC 9162 §2.1.3.1), ordered from the leaf's sibling up to the root.

    Raises IndexError unless ``0 <= index < len(leaf_hashes)``.
    """
    lo, hi = 0, len(leaf_hashes)
    if not 0 <= index < hi:
        raise IndexError(f"leaf index {index} is outside a tree of size {hi}")
    path: list[bytes] = []
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            path.append(_subtree_root(leaf_hashes, mid, hi, cache))
            hi = mid
        else:
            path.append(_subtree_root(leaf_hashes, lo, mid, cache))
            lo = mid
    path.reverse()
    return path


def consistency_proof(
    m: int, leaf_hashes: Sequence[bytes], *, cache: SubtreeCache | None = None
) -> list[bytes]:
    """PROOF(m, D[n]) (RFC 9162 §2.1.4.1): the tree of size ``m`` is a prefix of this one.

    ``m == n`` gives an empty proof. Raises ValueError unless ``0 < m <= n``: RFC 9162 defines
    no proof from the empty tree, and we refuse to pretend otherwise.
    """
    n = len(leaf_hashes)
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    lo, hi, whole_old_tree = 0, n, True
    proof: list[bytes] = []
    while m != hi - lo:
        mid = lo + _split(hi - lo)
        if m <= mid - lo:
            proof.append(_subtree_root(leaf_hashes, mid, hi, cache))
            hi = mid
        else:
            proof.append(_subtree_root(leaf_hashes, lo, mid, cache))
            m -= mid - lo
            lo, whole_old_tree = mid, False
    if not whole_old_tree:
        proof.append(_subtree_root(leaf_hashes, lo, hi, cache))
    proof.reverse()
    return proof


def _well_formed(*hashes: bytes) -> bool:
    """Proof material from outside must be 32-byte strings before we hash it."""
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``leaf`` (a leaf hash) sit at ``index`` in the tree ``root``?

    Returns False, never raises, for any malformed input. The result binds the leaf to
    ``root``; the size is only trustworthy when ``root`` comes from a signed tree head.
    """
    if not 0 <= index < tree_size or not _well_formed(leaf, root, *proof):
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    m: int, n: int, root_m: bytes, root_n: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree ``root_m`` of size ``m`` a prefix of ``root_n``?

    ``m == n`` holds only with an empty proof and equal roots; ``m == 0`` is refused (False).
    Returns False, never raises, for any malformed input.
    """
    if not 0 < m <= n or not _well_formed(root_m, root_n, *proof):
        return False
    if m == n:
        return len(proof) == 0 and root_m == root_n
    if len(proof) == 0:
        return False
    path = list(proof)
    if m & (m - 1) == 0:
        path.insert(0, root_m)
    return _consistency_roots(m - 1, n - 1, path) == (root_m, root_n, 0)


def _consistency_roots(fn: int, sn: int, path: list[bytes]) -> tuple[bytes, bytes, int] | None:
    """Steps 3-6 of §2.1.4.2: rebuild both roots from the path; None if the path is too long."""
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr, sr, sn


def encode_proof(proof: Sequence[bytes]) -> list[str]:
    """The wire form of a proof (receipts, exports): a JSON list of lowercase hex strings."""
    return [h.hex() for h in proof]


def decode_proof(encoded: object) -> list[bytes]:
    """Parse the wire form strictly; raises ValueError naming the first bad element.

    Always ValueError, even for a wrong JSON type: to the caller it is all just bad input.
    """
    if not isinstance(encoded, list):
        raise ValueError("a proof must be a list of hex strings")  # noqa: TRY004
    for position, item in enumerate(encoded):
        if not isinstance(item, str) or not _HEX_HASH.fullmatch(item):
            raise ValueError(f"proof element {position} is not 64 lowercase hex characters")
    return [bytes.fromhex(item) for item in encoded]


class MerkleAccumulator:
    """The log's root kept up to date leaf by leaf, without rereading the log.

    It holds only the roots of the perfect subtrees ("peaks") that make up the current tree,
    one per set bit of ``size``, largest first: O(log n) hashes. The hub appends each batch's
    leaf hashes, reads ``root()`` for the tree head, and stores ``to_state()`` alongside it so a
    restart resumes from there. Not thread-safe; use ``copy()`` to try a batch that may roll back.
    """

    def __init__(self) -> None:
        self._size = 0
        self._peaks: list[bytes] = []

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash (not leaf data: hash it with ``leaf_hash`` first).

        Returns the perfect subtrees this leaf completed, as ``(lo, hi, hash)``, smallest first
        (none for an even index): exactly what a stored ``cache`` of subtree hashes needs, so
        the hub fills it while appending instead of rehashing the log later.
        """
        if not _well_formed(leaf):
            raise ValueError("a leaf hash must be 32 bytes")
        self._peaks.append(leaf)
        completed: list[tuple[int, int, bytes]] = []
        merges, width = self._size, 2
        while merges & 1:
            right = self._peaks.pop()
            self._peaks[-1] = node_hash(self._peaks[-1], right)
            completed.append((self._size + 1 - width, self._size + 1, self._peaks[-1]))
            merges >>= 1
            width <<= 1
        self._size += 1
        return completed

    def extend(self, leaves: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
        """Append a batch of leaf hashes in log order; returns every subtree it completed."""
        completed: list[tuple[int, int, bytes]] = []
        for leaf in leaves:
            completed.extend(self.append(leaf))
        return completed

    def root(self) -> bytes:
        """The RFC 9162 root of the current tree: peaks folded from the right."""
        if not self._peaks:
            return EMPTY_ROOT
        root = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            root = node_hash(peak, root)
        return root

    @property
    def peaks(self) -> tuple[bytes, ...]:
        """The peak hashes, largest subtree first (``to_state()`` without the hex round trip)."""
        return tuple(self._peaks)

    def copy(self) -> MerkleAccumulator:
        """An independent accumulator in the same state."""
        twin = MerkleAccumulator()
        twin._size, twin._peaks = self._size, list(self._peaks)
        return twin

    def to_state(self) -> dict[str, object]:
        """JSON-ready state: ``{"size": n, "peaks": [lowercase hex, largest subtree first]}``."""
        return {"size": self._size, "peaks": encode_proof(self._peaks)}

    @classmethod
    def from_state(cls, state: object) -> MerkleAccumulator:
        """Restore ``to_state()`` output; raises ValueError if it is not a possible state."""
        if not isinstance(state, dict) or set(state) != {"size", "peaks"}:
            raise ValueError('accumulator state must be {"size": ..., "peaks": [...]}')
        size, peaks = state["size"], decode_proof(state["peaks"])
        if type(size) is not int or size < 0 or len(peaks) != size.bit_count():
            raise ValueError("accumulator size and number of peaks disagree")
        restored = cls()
        restored._size, restored._peaks = size, peaks
        return restored

    @classmethod
    def from_leaf_hashes(
        cls, leaf_hashes: Sequence[bytes], *, cache: SubtreeCache | None = None
    ) -> MerkleAccumulator:
        """Rebuild the state from the log itself, e.g. to check a stored state after a crash."""
        restored, lo = cls(), 0
        size = len(leaf_hashes)
        for bit in reversed(range(size.bit_length())):
            if size >> bit & 1:
                restored._peaks.append(_subtree_root(leaf_hashes, lo, lo + (1 << bit), cache))
                lo += 1 << bit
        restored._size = size
        return restored
