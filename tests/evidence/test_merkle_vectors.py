"""RFC 6962/9162 reference vectors: a log no other implementation agrees with proves nothing.

The leaves, roots and proofs are the Certificate Transparency test vectors published with
transparency-dev/merkle (proof/verify_test.go), used here as data. Their leaf numbers are
1-based; ours are 0-based indexes.
"""

from __future__ import annotations

import pytest

from docexchange.evidence.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

LEAF_DATA = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
LEAVES = [leaf_hash(d) for d in LEAF_DATA]

ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

INCLUSION = [  # (index, tree size, proof)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

CONSISTENCY = [  # (first size, second size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def root(size: int) -> bytes:
    return bytes.fromhex(ROOTS[size])


def test_the_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert EMPTY_ROOT == root(0)
    assert root_hash([]) == root(0)


def test_leaf_and_node_prefixes() -> None:
    assert leaf_hash(b"") == root(1)
    assert node_hash(LEAVES[0], LEAVES[1]) == root(2)


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_reference(size: int) -> None:
    assert root_hash(LEAVES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_inclusion_proofs_match_the_reference(index: int, size: int, expected: list[str]) -> None:
    proof = inclusion_proof(index, LEAVES[:size])
    assert [p.hex() for p in proof] == expected
    assert verify_inclusion(LEAVES[index], index, size, proof, root(size))


@pytest.mark.parametrize(("first", "second", "expected"), CONSISTENCY)
def test_consistency_proofs_match_the_reference(
    first: int, second: int, expected: list[str]
) -> None:
    proof = consistency_proof(first, LEAVES[:second])
    assert [p.hex() for p in proof] == expected
    assert verify_consistency(first, second, root(first), root(second), proof)


SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


@pytest.mark.parametrize(("index", "size", "proof_hex"), INCLUSION[1:])
def test_corrupted_reference_inclusion_proofs_fail(
    index: int, size: int, proof_hex: list[str]
) -> None:
    """The corruptions the reference suite applies (corruptInclusionProof)."""
    proof = [bytes.fromhex(p) for p in proof_hex]
    leaf, good = LEAVES[index], root(size)
    probes = [
        (leaf, index - 1, size, proof, good),
        (leaf, index + 1, size, proof, good),
        (leaf, index ^ 2, size, proof, good),
        (leaf, index, size * 2, proof, good),
        (leaf, index, size // 2, proof, good),
        (b"WrongLeaf", index, size, proof, good),
        (leaf, index, size, proof, EMPTY_ROOT),
        (leaf, index, size, proof, SOME_HASH),
        (leaf, index, size, [*proof, b""], good),
        (leaf, index, size, [*proof, good], good),
        (leaf, index, size, [b"", *proof], good),
        (leaf, index, size, [good, *proof], good),
        (leaf, index, size, proof[:-1], good),
        (leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], good),
    ]
    for position in range(len(proof)):
        flipped = list(proof)
        flipped[position] = bytes([proof[position][0] ^ 8]) + proof[position][1:]
        probes.append((leaf, index, size, flipped, good))
    for probe in probes:
        assert not verify_inclusion(*probe), probe


@pytest.mark.parametrize(("first", "second", "proof_hex"), CONSISTENCY[1:])
def test_corrupted_reference_consistency_proofs_fail(
    first: int, second: int, proof_hex: list[str]
) -> None:
    """The corruptions the reference suite applies (corruptConsistencyProof)."""
    proof = [bytes.fromhex(p) for p in proof_hex]
    r1, r2 = root(first), root(second)
    probes = [
        (first - 1, second, r1, r2, proof),
        (first + 1, second, r1, r2, proof),
        (first ^ 2, second, r1, r2, proof),
        (first, second * 2, r1, r2, proof),
        (first, second // 2, r1, r2, proof),
        (first, second, b"WrongRoot", r2, proof),
        (first, second, r1, b"WrongRoot", proof),
        (first, second, r2, r1, proof),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*proof, b""]),
        (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [*proof, r2]),
        (first, second, r1, r2, [b"", *proof]),
        (first, second, r1, r2, [r1, *proof]),
        (first, second, r1, r2, [r2, *proof]),
        (first, second, r1, r2, [proof[0], *proof]),
        (first, second, r1, r2, proof[:-1]),
    ]
    for position in range(len(proof)):
        flipped = list(proof)
        flipped[position] = bytes([proof[position][0] ^ 16]) + proof[position][1:]
        probes.append((first, second, r1, r2, flipped))
    for probe in probes:
        assert not verify_consistency(*probe), probe


def test_trivial_consistency_cases() -> None:
    """From the reference suite's TestVerifyConsistency, with m == 0 refused (our contract)."""
    assert verify_consistency(1, 1, root(1), root(1), [])
    assert not verify_consistency(1, 1, root(1), root(2), [])
    assert not verify_consistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 1, EMPTY_ROOT, root(1), [])
    assert not verify_consistency(1, 0, root(1), EMPTY_ROOT, [])
    assert not verify_consistency(2, 1, root(2), root(1), [])
    assert not verify_consistency(1, 2, root(1), root(2), [])


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (-1, 1)])
def test_inclusion_outside_the_tree_never_verifies(index: int, size: int) -> None:
    for leaf, good in [(SOME_HASH, EMPTY_ROOT), (EMPTY_ROOT, EMPTY_ROOT), (SOME_HASH, SOME_HASH)]:
        assert not verify_inclusion(leaf, index, size, [], good)


def test_single_leaf_tree() -> None:
    only = leaf_hash(b"data")
    assert verify_inclusion(only, 0, 1, [], only)
    assert not verify_inclusion(only, 0, 1, [], b"")
    assert not verify_inclusion(b"", 0, 1, [], only)
    assert not verify_inclusion(b"", 0, 1, [], b"")
