"""The keys/ folder: hub keys with ids, rotation, dev CA, unit keys, file modes."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from docexchange.signing.certificates import (
    generate_private_key,
    key_id,
    load_certificate,
    load_private_key,
    organ_id_of,
    write_private_key,
)
from docexchange.signing.keyring import (
    KeyRing,
    ensure_dev_ca,
    init_hub_keys,
    issue_unit_signing_key,
    list_keys,
    rotate_hub_key,
    verify_signature,
)
from docexchange.signing.xmldsig import PacketSigner, PacketVerifier

from .conftest import PROVINCE

TREE_HEAD = b"docexchange-tree-head-v1\n42\n" + b"ab" * 32 + b"\n1700000000000\n"


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """Mode 0600 must come from os.open itself, not from a friendly umask."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def spki_sha256(cert_path: Path) -> str:
    public_key = load_certificate(cert_path).public_key()
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


@pytest.mark.parametrize(
    ("algorithm", "key_type"),
    [("ec-p256", ec.EllipticCurvePrivateKey), ("rsa-2048", rsa.RSAPrivateKey)],
)
def test_init_creates_the_hub_key_once(tmp_path: Path, algorithm: str, key_type: type) -> None:
    first = init_hub_keys(tmp_path, algorithm)
    files = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    second = init_hub_keys(tmp_path, "rsa-2048" if algorithm == "ec-p256" else "ec-p256")

    assert second.key_id == first.key_id
    assert second.algorithm == first.algorithm == algorithm
    assert isinstance(first.private_key, key_type)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == files
    assert (tmp_path / "hub-certs" / f"{first.key_id}.crt").is_file()


def test_key_id_is_the_sha256_of_the_der_spki(tmp_path: Path) -> None:
    hub = init_hub_keys(tmp_path)

    assert hub.key_id == spki_sha256(tmp_path / "hub.crt")
    assert key_id(hub.certificate) == hub.key_id
    assert len(hub.key_id) == 64


def test_private_key_files_are_born_0600(tmp_path: Path, permissive_umask: None) -> None:
    init_hub_keys(tmp_path)
    ensure_dev_ca(tmp_path)
    unit_key, unit_cert = issue_unit_signing_key(tmp_path, PROVINCE, "UBND tỉnh Phú Yên")
    rotate_hub_key(tmp_path)

    secrets = [
        tmp_path / "hub.key",
        tmp_path / "dev-ca.key",
        unit_key,
        *(tmp_path / "retired").glob("*.key"),
    ]
    assert len(secrets) == 4
    assert all(mode(path) == 0o600 for path in secrets)
    assert mode(unit_cert) == 0o644
    assert not list(tmp_path.rglob("*.tmp"))


def test_rewriting_a_loose_key_file_still_gives_0600(tmp_path: Path) -> None:
    path = tmp_path / "loose.key"
    path.write_bytes(b"old")
    path.chmod(0o644)

    write_private_key(path, generate_private_key())

    assert mode(path) == 0o600
    load_private_key(path)


@pytest.mark.parametrize("algorithm", ["ec-p256", "rsa-2048"])
def test_keyring_signs_and_verify_signature_checks(tmp_path: Path, algorithm: str) -> None:
    init_hub_keys(tmp_path, algorithm)
    ring = KeyRing.load(tmp_path)

    signature = ring.sign(TREE_HEAD)

    cert = ring.certificate(ring.current.key_id)
    assert verify_signature(cert, TREE_HEAD, signature)
    assert not verify_signature(cert, TREE_HEAD + b"x", signature)
    assert not verify_signature(cert, TREE_HEAD, signature[:-1] + bytes([signature[-1] ^ 1]))


def test_keyring_reads_files_only_at_load(tmp_path: Path) -> None:
    init_hub_keys(tmp_path)
    ring = KeyRing.load(tmp_path)
    for path in sorted(tmp_path.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()

    assert verify_signature(ring.current.certificate, b"x", ring.sign(b"x"))


def test_rotation_keeps_old_certificates_retrievable(tmp_path: Path) -> None:
    old = init_hub_keys(tmp_path)
    old_signature = KeyRing.load(tmp_path).sign(TREE_HEAD)

    new = rotate_hub_key(tmp_path, "rsa-2048")
    ring = KeyRing.load(tmp_path)

    assert new.key_id != old.key_id
    assert ring.current.key_id == new.key_id and ring.current.algorithm == "rsa-2048"
    assert ring.key_ids == sorted([old.key_id, new.key_id])
    old_cert = ring.certificate(old.key_id)
    assert old_cert == old.certificate
    assert old_cert.not_valid_after_utc == old.certificate.not_valid_after_utc
    assert verify_signature(old_cert, TREE_HEAD, old_signature)
    assert not verify_signature(ring.current.certificate, TREE_HEAD, old_signature)
    assert (tmp_path / "retired" / f"{old.key_id}.key").is_file()
    assert load_certificate(tmp_path / "hub.crt") == new.certificate


def test_an_unknown_key_id_is_a_key_error(tmp_path: Path) -> None:
    init_hub_keys(tmp_path)

    with pytest.raises(KeyError):
        KeyRing.load(tmp_path).certificate("00" * 32)


def test_load_before_init_says_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        KeyRing.load(tmp_path)


def test_the_current_key_is_found_by_id_even_if_hub_crt_is_stale(tmp_path: Path) -> None:
    """A crash between writing hub.key and hub.crt leaves a stale hub.crt; hub.key decides."""
    old = init_hub_keys(tmp_path)
    stale = (tmp_path / "hub.crt").read_bytes()
    new = rotate_hub_key(tmp_path)
    (tmp_path / "hub.crt").write_bytes(stale)

    assert KeyRing.load(tmp_path).current.key_id == new.key_id != old.key_id


def test_dev_ca_is_created_once(tmp_path: Path) -> None:
    _, first = ensure_dev_ca(tmp_path)
    _, second = ensure_dev_ca(tmp_path)

    assert first == second


def test_unit_keys_are_issued_by_the_dev_ca_and_sign_packets(tmp_path: Path) -> None:
    key_path, cert_path = issue_unit_signing_key(tmp_path, PROVINCE, "UBND tỉnh Phú Yên")
    _, ca = ensure_dev_ca(tmp_path)
    cert = load_certificate(cert_path)

    assert (key_path, cert_path) == (
        tmp_path / "units" / f"{PROVINCE}.key",
        tmp_path / "units" / f"{PROVINCE}.crt",
    )
    assert organ_id_of(cert) == PROVINCE
    assert cert.issuer == ca.subject
    packet = (Path(__file__).resolve().parents[2] / "samples" / "edoc_new.edxml").read_bytes()
    signed = PacketSigner(load_private_key(key_path), cert).sign(packet)
    assert PacketVerifier([ca]).verify(signed, expected_certs=[cert]).certificate == cert


@pytest.mark.parametrize("organ_id", ["../escape", "a/b", "", ".hidden", "x" * 36])
def test_organ_ids_that_are_not_file_names_are_refused(tmp_path: Path, organ_id: str) -> None:
    with pytest.raises(ValueError):
        issue_unit_signing_key(tmp_path, organ_id, "Bad")


def test_list_keys_shows_every_certificate(tmp_path: Path) -> None:
    old = init_hub_keys(tmp_path)
    new = rotate_hub_key(tmp_path)
    issue_unit_signing_key(tmp_path, PROVINCE, "UBND tỉnh Phú Yên")

    rows = {(row.kind, row.id) for row in list_keys(tmp_path)}

    _, ca = ensure_dev_ca(tmp_path)
    assert rows == {
        ("hub", new.key_id),
        ("hub-previous", old.key_id),
        ("dev-ca", key_id(ca)),
        ("unit", PROVINCE),
    }
    unit_row = next(row for row in list_keys(tmp_path) if row.kind == "unit")
    assert "000.00.00.H45" in unit_row.subject
    assert unit_row.not_valid_before < unit_row.not_valid_after


def test_rotation_keeps_a_hub_certificate_that_was_only_in_hub_crt(tmp_path: Path) -> None:
    """Keys placed by hand (hub.key + hub.crt, no hub-certs/) must not lose their certificate."""
    old = init_hub_keys(tmp_path)
    (tmp_path / "hub-certs" / f"{old.key_id}.crt").unlink()

    rotate_hub_key(tmp_path)

    assert KeyRing.load(tmp_path).certificate(old.key_id) == old.certificate
