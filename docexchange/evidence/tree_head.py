"""Signed tree heads: the hub's signed statement "my log had this size and this root then".

This is a public contract (docs/evidence.md): auditors verify heads with ``openssl`` alone, so
the signature is over a plain text signing input, made with plain ECDSA P-256/SHA-256 (DER) or
RSA PKCS#1 v1.5/SHA-256, and the key is named by the SHA-256 of its SubjectPublicKeyInfo.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any, TypeGuard

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from docexchange.signing.certificates import PrivateKey, PublicKey, public_key_id

SIGNING_CONTEXT = "docexchange-tree-head-v1"
MIN_RSA_BITS = 2048
_HEX_64 = re.compile(r"[0-9a-f]{64}")
_FIELDS = frozenset({"tree_size", "root_hash", "timestamp", "key_id", "signature"})


def _check_signed_fields(
    tree_size: object, root_hash: object, timestamp: object, key_id: object
) -> None:
    """Refuse values the contract cannot carry; ``bool`` is refused although it is an ``int``."""
    for name, value in (("tree_size", tree_size), ("timestamp", timestamp)):
        if type(value) is not int or value < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    if not isinstance(root_hash, bytes) or len(root_hash) != 32:
        raise ValueError("root_hash must be 32 bytes")
    if not isinstance(key_id, str) or not _HEX_64.fullmatch(key_id):
        raise ValueError("key_id must be 64 lowercase hex characters")


@dataclass(frozen=True)
class TreeHead:
    """One signed tree head; construction validates it, so an instance is well formed.

    ``timestamp`` is UTC milliseconds since the epoch. Well formed is not verified: call
    ``verify_tree_head`` before trusting it. Raises ValueError when malformed.
    """

    tree_size: int
    root_hash: bytes
    timestamp: int
    key_id: str
    signature: bytes

    def __post_init__(self) -> None:
        _check_signed_fields(self.tree_size, self.root_hash, self.timestamp, self.key_id)
        if not isinstance(self.signature, bytes) or not self.signature:
            raise ValueError("signature must be non-empty bytes")

    def signing_input(self) -> bytes:
        """The exact bytes signed; ``printf`` can rebuild them (docs/evidence.md)."""
        return _signing_input(self.tree_size, self.root_hash, self.timestamp)

    def to_json(self) -> dict[str, Any]:
        """The public JSON form: hex root, standard base64 signature."""
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp,
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: object) -> TreeHead:
        """Parse the public JSON form strictly; raises ValueError naming what is wrong.

        Unknown members are refused: everything in a head must be covered by its signature.
        """
        if not isinstance(data, dict) or set(data) != _FIELDS:
            raise ValueError(f"a tree head has exactly the members {sorted(_FIELDS)}")
        root_hex = data["root_hash"]
        if not isinstance(root_hex, str) or not _HEX_64.fullmatch(root_hex):
            raise ValueError("root_hash must be 64 lowercase hex characters")
        return cls(
            tree_size=data["tree_size"],
            root_hash=bytes.fromhex(root_hex),
            timestamp=data["timestamp"],
            key_id=data["key_id"],
            signature=_decode_base64(data["signature"]),
        )


def _signing_input(tree_size: int, root_hash: bytes, timestamp: int) -> bytes:
    return f"{SIGNING_CONTEXT}\n{tree_size}\n{root_hash.hex()}\n{timestamp}\n".encode()


def _decode_base64(value: object) -> bytes:
    """Standard base64 with padding, nothing else: one signature has one text form."""
    if not isinstance(value, str) or not value.isascii():
        raise ValueError("signature must be a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError("signature is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != value:
        raise ValueError("signature is not in canonical base64")
    return raw


def sign_tree_head(
    tree_size: int, root_hash: bytes, timestamp_ms: int, private_key: PrivateKey, key_id: str
) -> TreeHead:
    """Sign a tree head with the hub key.

    ``key_id`` must be the id of ``private_key``'s public key: a head naming the wrong
    certificate could never be verified, so the mismatch is refused here (ValueError), as are
    keys the contract does not allow (not P-256, RSA under 2048 bits).
    """
    return TreeHeadSigner(private_key, key_id).sign(tree_size, root_hash, timestamp_ms)


class TreeHeadSigner:
    """`sign_tree_head` for one key, its checks done once.

    Why: the writer signs a head per write batch; deriving the key id (DER-encoding the
    public key and hashing it) and checking the key type each time cost as much Python work
    under the GIL as the rest of the seal. The checks are the same, just not repeated.
    """

    def __init__(self, private_key: PrivateKey, key_id: str) -> None:
        if not _allowed(private_key.public_key()):
            raise ValueError(f"hub keys are ECDSA P-256 or RSA of at least {MIN_RSA_BITS} bits")
        if public_key_id(private_key.public_key()) != key_id:
            raise ValueError("key_id does not identify this private key")
        self.private_key, self.key_id = private_key, key_id

    def sign(self, tree_size: int, root_hash: bytes, timestamp_ms: int) -> TreeHead:
        """A signed head over (size, root, time); ValueError for values the contract cannot
        carry."""
        _check_signed_fields(tree_size, root_hash, timestamp_ms, self.key_id)
        data = _signing_input(tree_size, root_hash, timestamp_ms)
        key = self.private_key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            signature = key.sign(data, _ECDSA_SHA256)
        else:
            signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return TreeHead(tree_size, root_hash, timestamp_ms, self.key_id, signature)


_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


def verify_tree_head(head: TreeHead, certificate: x509.Certificate) -> bool:
    """True only if ``certificate``'s key is the one named by ``key_id`` and it signed the head.

    Only the key is checked, not the certificate's dates or chain: a retired hub certificate
    must still verify the heads it signed while it was current.
    """
    key = certificate.public_key()
    if not _allowed(key) or public_key_id(key) != head.key_id:
        return False
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(head.signature, head.signing_input(), ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(head.signature, head.signing_input(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _allowed(key: object) -> TypeGuard[PublicKey]:
    """The keys the contract allows: ECDSA on P-256, RSA of at least MIN_RSA_BITS."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        return isinstance(key.curve, ec.SECP256R1)
    return isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS
