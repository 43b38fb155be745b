"""Receipt proofs computed in memory at seal time equal RFC 9162 proofs over the whole log."""

from __future__ import annotations

import base64

import pytest

from docexchange.evidence.log import _batch_proofs
from docexchange.evidence.merkle import MerkleAccumulator, inclusion_proof, leaf_hash
from docexchange.evidence.tree_head import TreeHead


def _head(size: int) -> TreeHead:
    return TreeHead(size, b"\x00" * 32, 1, "ab" * 32, base64.b64decode("AA=="))


@pytest.mark.parametrize("old_size", range(0, 34))
def test_in_memory_proofs_match_full_proofs(old_size: int) -> None:
    for batch in (1, 2, 3, 5, 8, 13):
        data = [f"leaf {i}".encode() for i in range(old_size + batch)]
        hashes = [leaf_hash(d) for d in data]
        old = MerkleAccumulator()
        old.extend(hashes[:old_size])
        grown = old.copy()
        completed = grown.extend(hashes[old_size:])
        wanted = {i: (data[i], ",u,") for i in range(old_size, old_size + batch)}
        proofs = _batch_proofs(old, hashes[old_size:], completed, wanted, _head(len(data)))
        assert set(proofs) == set(wanted)
        for i, proof in proofs.items():
            assert proof.proof == inclusion_proof(i, hashes), (old_size, batch, i)


def test_a_rolled_back_leaf_gets_no_proof() -> None:
    old = MerkleAccumulator()
    new = [leaf_hash(b"kept")]
    grown = old.copy()
    completed = grown.extend(new)
    proofs = _batch_proofs(old, new, completed, {0: (b"rolled back", ",u,")}, _head(1))
    assert proofs == {}
