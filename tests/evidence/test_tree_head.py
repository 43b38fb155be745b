"""Signed tree heads: format, signing, verification, and refusal of anything altered."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from docexchange.evidence.merkle import leaf_hash, root_hash
from docexchange.evidence.tree_head import TreeHead, sign_tree_head, verify_tree_head
from docexchange.signing import certificates

from .conftest import SigningHub, new_ec_key, self_signed, spki_sha256

ROOT = root_hash([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")])
TIMESTAMP = 1_767_225_600_123


def signed(hub: SigningHub, tree_size: int = 3, root: bytes = ROOT) -> TreeHead:
    return sign_tree_head(tree_size, root, TIMESTAMP, hub.private_key, hub.key_id)


def test_signing_input_is_the_documented_text() -> None:
    head = TreeHead(3, ROOT, TIMESTAMP, "0" * 64, b"sig")
    expected = f"docexchange-tree-head-v1\n3\n{ROOT.hex()}\n{TIMESTAMP}\n".encode()
    assert head.signing_input() == expected


def test_key_ids_agree_with_the_key_ring(hub: SigningHub) -> None:
    """Tree heads and keys/hub-certs/<key_id>.crt must name a key the same way."""
    assert certificates.key_id(hub.certificate) == hub.key_id
    assert signed(hub).key_id == hub.key_id


def test_sign_and_verify(hub: SigningHub) -> None:
    head = signed(hub)
    assert (head.tree_size, head.root_hash, head.timestamp) == (3, ROOT, TIMESTAMP)
    assert head.key_id == hub.key_id
    assert verify_tree_head(head, hub.certificate)


def test_ecdsa_signatures_are_der(ec_hub: SigningHub) -> None:
    assert signed(ec_hub).signature[0] == 0x30


@pytest.mark.parametrize(
    "change",
    [
        {"tree_size": 4},
        {"tree_size": 0},
        {"root_hash": bytes(32)},
        {"timestamp": TIMESTAMP + 1},
    ],
)
def test_altered_heads_fail(hub: SigningHub, change: dict[str, object]) -> None:
    head = dataclasses.replace(signed(hub), **change)  # type: ignore[arg-type]
    assert not verify_tree_head(head, hub.certificate)


def test_altered_signature_fails(hub: SigningHub) -> None:
    head = signed(hub)
    for position in (0, len(head.signature) // 2, len(head.signature) - 1):
        sig = bytearray(head.signature)
        sig[position] ^= 1
        assert not verify_tree_head(
            dataclasses.replace(head, signature=bytes(sig)), hub.certificate
        )
    assert not verify_tree_head(dataclasses.replace(head, signature=b"\x30\x00"), hub.certificate)


def test_wrong_certificate_fails(ec_hub: SigningHub, rsa_hub: SigningHub) -> None:
    assert not verify_tree_head(signed(ec_hub), rsa_hub.certificate)
    assert not verify_tree_head(signed(rsa_hub), ec_hub.certificate)
    assert not verify_tree_head(signed(ec_hub), new_ec_key().certificate)


def test_the_key_id_must_name_the_certificate(ec_hub: SigningHub) -> None:
    """A genuine signature is still refused when the head names another key."""
    head = dataclasses.replace(signed(ec_hub), key_id="ab" * 32)
    assert not verify_tree_head(head, ec_hub.certificate)


def test_a_renewed_certificate_for_the_same_key_keeps_the_id(ec_hub: SigningHub) -> None:
    renewed = self_signed(ec_hub.private_key, "docexchange hub (renewed)")
    assert spki_sha256(renewed) == ec_hub.key_id
    assert verify_tree_head(signed(ec_hub), renewed)


def test_signing_refuses_a_key_id_of_another_key(ec_hub: SigningHub, rsa_hub: SigningHub) -> None:
    with pytest.raises(ValueError):
        sign_tree_head(3, ROOT, TIMESTAMP, ec_hub.private_key, rsa_hub.key_id)


@pytest.mark.parametrize("kind", ["p384", "rsa1024"])
def test_keys_outside_the_contract_are_refused(kind: str) -> None:
    private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        ec.generate_private_key(ec.SECP384R1())
        if kind == "p384"
        else rsa.generate_private_key(public_exponent=65537, key_size=1024)
    )
    key_id = spki_sha256(private_key.public_key())
    with pytest.raises(ValueError):
        sign_tree_head(3, ROOT, TIMESTAMP, private_key, key_id)


def test_certificates_outside_the_contract_do_not_verify() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    cert = self_signed(key)
    data = TreeHead(3, ROOT, TIMESTAMP, "0" * 64, b"x").signing_input()
    sig = key.sign(data, ec.ECDSA(hashes.SHA256()))
    head = TreeHead(3, ROOT, TIMESTAMP, spki_sha256(cert), sig)
    assert not verify_tree_head(head, cert)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_head = TreeHead(3, ROOT, TIMESTAMP, spki_sha256(ed_key.public_key()), ed_key.sign(data))
    assert not verify_tree_head(ed_head, self_signed(ed_key))


def test_json_round_trip(hub: SigningHub) -> None:
    head = signed(hub)
    document = json.loads(json.dumps(head.to_json()))
    assert document == {
        "tree_size": 3,
        "root_hash": ROOT.hex(),
        "timestamp": TIMESTAMP,
        "key_id": hub.key_id,
        "signature": base64.b64encode(head.signature).decode(),
    }
    assert TreeHead.from_json(document) == head
    assert verify_tree_head(TreeHead.from_json(document), hub.certificate)


def test_the_empty_tree_can_be_signed(ec_hub: SigningHub) -> None:
    head = signed(ec_hub, tree_size=0, root=root_hash([]))
    assert verify_tree_head(TreeHead.from_json(head.to_json()), ec_hub.certificate)


GOOD = {
    "tree_size": 3,
    "root_hash": ROOT.hex(),
    "timestamp": TIMESTAMP,
    "key_id": "ab" * 32,
    "signature": "MEUCIQ==",
}


@pytest.mark.parametrize(
    "change",
    [
        {"tree_size": -1},
        {"tree_size": "3"},
        {"tree_size": 3.0},
        {"tree_size": True},
        {"tree_size": None},
        {"timestamp": -5},
        {"timestamp": "1767225600123"},
        {"root_hash": ROOT.hex().upper()},
        {"root_hash": ROOT.hex()[:-2]},
        {"root_hash": ROOT.hex() + "\n"},
        {"root_hash": ROOT},
        {"key_id": "AB" * 32},
        {"key_id": "ab" * 31},
        {"key_id": 7},
        {"signature": ""},
        {"signature": "MEUCIQ"},
        {"signature": "MEUC IQ=="},
        {"signature": "MEUCIQ==\n"},
        {"signature": "MEUC-Q=="},
        {"signature": "MEUCIR=="},
        {"signature": b"MEUCIQ=="},
        {"extra": "not covered by the signature"},
    ],
)
def test_from_json_refuses_malformed_heads(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TreeHead.from_json({**GOOD, **change})


@pytest.mark.parametrize("missing", sorted(GOOD))
def test_from_json_needs_every_member(missing: str) -> None:
    document = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ValueError):
        TreeHead.from_json(document)


def test_from_json_needs_an_object() -> None:
    with pytest.raises(ValueError):
        TreeHead.from_json([GOOD])
