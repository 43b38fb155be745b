"""The incremental root must equal the RFC root at every size, and survive a restart."""

from __future__ import annotations

import json

import pytest

from docexchange.evidence.merkle import EMPTY_ROOT, MerkleAccumulator, leaf_hash, root_hash

LEAVES = [leaf_hash(f"event {i}".encode()) for i in range(301)]


def test_root_equals_root_hash_for_every_size_up_to_300() -> None:
    accumulator = MerkleAccumulator()
    assert accumulator.root() == EMPTY_ROOT
    for n in range(1, 301):
        accumulator.append(LEAVES[n - 1])
        assert accumulator.size == n
        assert accumulator.root() == root_hash(LEAVES[:n]), n


def test_peaks_stay_logarithmic() -> None:
    accumulator = MerkleAccumulator()
    for n in range(1, 301):
        accumulator.append(LEAVES[n - 1])
        assert len(accumulator.to_state()["peaks"]) == n.bit_count()  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [0, 1, 2, 7, 8, 100, 255, 256, 300])
def test_state_survives_json_and_continues(size: int) -> None:
    accumulator = MerkleAccumulator()
    accumulator.extend(LEAVES[:size])
    restored = MerkleAccumulator.from_state(json.loads(json.dumps(accumulator.to_state())))
    assert restored.size == size and restored.root() == accumulator.root()
    restored.extend(LEAVES[size:301])
    assert restored.root() == root_hash(LEAVES)


@pytest.mark.parametrize("size", [0, 1, 5, 64, 300])
def test_state_can_be_rebuilt_from_the_log(size: int) -> None:
    accumulator = MerkleAccumulator()
    accumulator.extend(LEAVES[:size])
    rebuilt = MerkleAccumulator.from_leaf_hashes(LEAVES[:size])
    assert rebuilt.to_state() == accumulator.to_state()


def test_copy_is_independent() -> None:
    accumulator = MerkleAccumulator()
    accumulator.extend(LEAVES[:10])
    trial = accumulator.copy()
    trial.extend(LEAVES[10:20])
    assert accumulator.size == 10 and accumulator.root() == root_hash(LEAVES[:10])
    assert trial.root() == root_hash(LEAVES[:20])


@pytest.mark.parametrize(
    "state",
    [
        {"size": 3, "peaks": ["ab" * 32]},
        {"size": 1, "peaks": []},
        {"size": -1, "peaks": []},
        {"size": True, "peaks": ["ab" * 32]},
        {"size": "1", "peaks": ["ab" * 32]},
        {"size": 1, "peaks": ["AB" * 32]},
        {"size": 1, "peaks": ["ab" * 32], "extra": 1},
        {"peaks": []},
        [],
    ],
)
def test_impossible_states_are_refused(state: object) -> None:
    with pytest.raises(ValueError):
        MerkleAccumulator.from_state(state)


def test_only_leaf_hashes_are_accepted() -> None:
    with pytest.raises(ValueError):
        MerkleAccumulator().append(b"raw leaf data, not a hash")
