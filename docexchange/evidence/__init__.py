"""Evidence primitives: canonical leaf bytes, RFC 9162 Merkle hashing and proofs, tree heads.

Pure functions and values only (no database, no HTTP), so the hub and the offline verifier
share one implementation. The public contract is described in docs/evidence.md.
"""

from docexchange.evidence.canonical import canonical_json
from docexchange.evidence.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    consistency_proof,
    decode_proof,
    encode_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from docexchange.evidence.tree_head import TreeHead, sign_tree_head, verify_tree_head

__all__ = [
    "EMPTY_ROOT",
    "MerkleAccumulator",
    "TreeHead",
    "canonical_json",
    "consistency_proof",
    "decode_proof",
    "encode_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "sign_tree_head",
    "verify_consistency",
    "verify_inclusion",
    "verify_tree_head",
]
