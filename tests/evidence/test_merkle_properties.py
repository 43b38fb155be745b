"""Every tree shape up to 64 leaves, against the literal RFC transcription in rfc9162_reference.

Sizes are only bound to roots by signed tree heads, so a proof is expected to fail against the
*real* root of any nearby tree (a one-off sweep of all sizes found nothing more), and against
the reference suite's size changes (n * 2, n // 2) with the same root. RFC 9162 verification
does not, and cannot, reject every other size paired with the same root: a proof for leaf 0 of
5 also "verifies" as leaf 0 of 6 against the size-5 root, which no honest size-6 head carries.
"""

from __future__ import annotations

import pytest

from docexchange.evidence.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

from . import rfc9162_reference as rfc

MAX = 64
DATA = [f"leaf {i}".encode() for i in range(2 * MAX + 1)]
LEAVES = [leaf_hash(d) for d in DATA]
ROOTS = [root_hash(LEAVES[:n]) for n in range(2 * MAX + 1)]


def flip(h: bytes, position: int = 0) -> bytes:
    return h[:position] + bytes([h[position] ^ 1]) + h[position + 1 :]


def alterations(proof: list[bytes]) -> list[list[bytes]]:
    """Each node flipped in turn, one node dropped, one added at either end."""
    altered = [proof[:i] + [flip(p, i % 32)] + proof[i + 1 :] for i, p in enumerate(proof)]
    altered += [[*proof, LEAVES[0]], [LEAVES[0], *proof]]
    if proof:
        altered += [proof[:-1], proof[1:]]
    return altered


@pytest.mark.parametrize("n", range(2 * MAX + 1))
def test_root_matches_the_rfc_definition(n: int) -> None:
    assert ROOTS[n] == rfc.mth(DATA[:n])


@pytest.mark.parametrize("n", range(1, MAX + 1))
def test_every_inclusion_proof_verifies_and_nothing_else_does(n: int) -> None:
    for i in range(n):
        proof = inclusion_proof(i, LEAVES[:n])
        assert proof == rfc.path(i, DATA[:n])
        assert verify_inclusion(LEAVES[i], i, n, proof, ROOTS[n])
        assert not verify_inclusion(flip(LEAVES[i]), i, n, proof, ROOTS[n])
        assert not verify_inclusion(LEAVES[i], i, n, proof, flip(ROOTS[n]))
        for j in range(n + 1):
            assert j == i or not verify_inclusion(LEAVES[j], i, n, proof, ROOTS[n])
            assert j == i or not verify_inclusion(LEAVES[i], j, n, proof, ROOTS[n])
        for size in range(max(i + 1, n - 4), n + 5):
            assert size == n or not verify_inclusion(LEAVES[i], i, size, proof, ROOTS[size])
        for size in (n * 2, n // 2):
            assert not verify_inclusion(LEAVES[i], i, size, proof, ROOTS[n])
        for altered in alterations(proof):
            assert not verify_inclusion(LEAVES[i], i, n, altered, ROOTS[n])


@pytest.mark.parametrize("n", range(1, MAX + 1))
def test_every_consistency_proof_verifies_and_nothing_else_does(n: int) -> None:
    for m in range(1, n + 1):
        proof = consistency_proof(m, LEAVES[:n])
        assert proof == rfc.proof(m, DATA[:n])
        assert verify_consistency(m, n, ROOTS[m], ROOTS[n], proof)
        assert not verify_consistency(m, n, flip(ROOTS[m]), ROOTS[n], proof)
        assert not verify_consistency(m, n, ROOTS[m], flip(ROOTS[n]), proof)
        if m == n:
            assert proof == []
            continue
        assert not verify_consistency(m, n, ROOTS[n], ROOTS[m], proof)
        for m2, n2 in [(m - 1, n), (m + 1, n), (m ^ 2, n), (m, n * 2), (m, n // 2)]:
            assert not verify_consistency(m2, n2, ROOTS[m], ROOTS[n], proof)
        for m2 in range(max(1, m - 3), m + 4):
            for n2 in range(max(m2 + 1, n - 3), n + 4):
                honest_elsewhere = verify_consistency(m2, n2, ROOTS[m2], ROOTS[n2], proof)
                assert (m2, n2) == (m, n) or not honest_elsewhere
        for altered in alterations(proof):
            assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], altered)


def test_proofs_from_forked_logs_fail() -> None:
    """A log that rewrote one old leaf can prove neither inclusion nor consistency."""
    forked = list(LEAVES[:40])
    forked[17] = leaf_hash(b"rewritten")
    assert not verify_consistency(
        20, 40, ROOTS[20], root_hash(forked), consistency_proof(20, forked)
    )
    assert not verify_inclusion(LEAVES[17], 17, 40, inclusion_proof(17, forked), root_hash(forked))
