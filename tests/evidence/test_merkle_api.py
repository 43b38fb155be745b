"""Argument contracts, lazy sequences, the caller's cache and the proof wire form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import pytest

from docexchange.evidence.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    decode_proof,
    encode_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)


class LazyLeaves(Sequence[bytes]):
    """Stands in for a store: computes each hash on demand and refuses to be sliced."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.reads = 0

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        if not isinstance(index, int) or not 0 <= index < self.size:
            raise AssertionError(f"unexpected access {index!r}")
        self.reads += 1
        return leaf_hash(index.to_bytes(8, "big"))


def eager(size: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(8, "big")) for i in range(size)]


def test_lazy_sequences_are_read_by_index_only() -> None:
    lazy, listed = LazyLeaves(1000), eager(1000)
    assert root_hash(lazy) == root_hash(listed)
    assert inclusion_proof(777, lazy) == inclusion_proof(777, listed)
    assert consistency_proof(333, lazy) == consistency_proof(333, listed)


def test_a_caller_cache_keeps_perfect_subtrees_only_and_saves_reads() -> None:
    cache: dict[tuple[int, int], bytes] = {}
    lazy, listed = LazyLeaves(1000), eager(1000)
    assert root_hash(lazy, cache=cache) == root_hash(listed)
    for (lo, hi), value in cache.items():
        size = hi - lo
        assert size & (size - 1) == 0 and lo % size == 0
        assert value == root_hash(listed[lo:hi])
    lazy.reads = 0
    assert inclusion_proof(5, lazy, cache=cache) == inclusion_proof(5, listed)
    assert consistency_proof(600, lazy, cache=cache) == consistency_proof(600, listed)
    assert lazy.reads < 20


def test_a_stale_size_never_reuses_a_wrong_cache_entry() -> None:
    """Only perfect subtrees are cached, so growing the log cannot make an entry stale."""
    cache: dict[tuple[int, int], bytes] = {}
    for size in range(1, 70):
        assert root_hash(eager(size), cache=cache) == root_hash(eager(size))


@pytest.mark.parametrize(("index", "size"), [(0, 0), (3, 3), (4, 3), (-1, 3)])
def test_inclusion_proof_outside_the_tree_is_an_error(index: int, size: int) -> None:
    with pytest.raises(IndexError):
        inclusion_proof(index, eager(size))


@pytest.mark.parametrize(("m", "size"), [(0, 0), (0, 5), (6, 5), (-1, 5)])
def test_consistency_proof_needs_0_lt_m_le_n(m: int, size: int) -> None:
    with pytest.raises(ValueError):
        consistency_proof(m, eager(size))


def test_consistency_with_itself_is_the_empty_proof() -> None:
    leaves = eager(13)
    assert consistency_proof(13, leaves) == []
    assert verify_consistency(13, 13, root_hash(leaves), root_hash(leaves), [])
    assert not verify_consistency(13, 13, root_hash(leaves), root_hash(leaves), [EMPTY_ROOT])


def test_consistency_from_the_empty_tree_is_refused() -> None:
    leaves = eager(4)
    assert not verify_consistency(0, 4, EMPTY_ROOT, root_hash(leaves), [])
    assert not verify_consistency(0, 4, EMPTY_ROOT, root_hash(leaves), [root_hash(leaves)])


@pytest.mark.parametrize("bad", ["ab" * 32, b"short", bytearray(32), None])
def test_malformed_hashes_are_false_not_exceptions(bad: Any) -> None:
    leaves = eager(6)
    proof, good_root = inclusion_proof(2, leaves), root_hash(leaves)
    assert not verify_inclusion(bad, 2, 6, proof, good_root)
    assert not verify_inclusion(leaves[2], 2, 6, [bad, *proof[1:]], good_root)
    cproof = consistency_proof(3, leaves)
    assert not verify_consistency(3, 6, bad, good_root, cproof)
    assert not verify_consistency(3, 6, root_hash(leaves[:3]), good_root, [bad])


def test_proof_wire_form_round_trips() -> None:
    proof = inclusion_proof(9, eager(30))
    encoded = encode_proof(proof)
    assert all(len(h) == 64 and h == h.lower() for h in encoded)
    assert decode_proof(encoded) == proof
    assert decode_proof([]) == []


@pytest.mark.parametrize(
    "bad",
    [
        "ab" * 32,
        ["AB" * 32],
        ["ab" * 31],
        ["ab" * 32 + "\n"],
        [" " + "ab" * 32],
        [32],
        [None],
        {"0": "ab" * 32},
    ],
)
def test_proof_wire_form_is_strict(bad: object) -> None:
    with pytest.raises(ValueError):
        decode_proof(bad)
