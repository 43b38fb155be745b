"""Keys and certificates made with cryptography: shape, subject, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from docexchange.signing.certificates import (
    DOCUMENT_SIGNING,
    algorithm_of,
    generate_private_key,
    key_id,
    load_certificate,
    load_private_key,
    organ_id_of,
    self_signed_certificate,
    write_certificate,
    write_private_key,
)

from .conftest import PROVINCE, Pki


def test_unknown_algorithms_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_private_key("dsa-1024")


def test_algorithm_names_round_trip() -> None:
    assert algorithm_of(generate_private_key("ec-p256")) == "ec-p256"
    assert algorithm_of(generate_private_key("rsa-2048")) == "rsa-2048"


def test_unit_certificate_names_the_unit_and_limits_its_use(pki: Pki) -> None:
    cert = pki.ec.certificate
    subject = cert.subject

    assert organ_id_of(cert) == PROVINCE
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "UBND tỉnh Phú Yên (EC)"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert DOCUMENT_SIGNING in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = pki.ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    cert.verify_directly_issued_by(pki.ca)


def test_ca_certificate_is_a_ca_without_organ_id(pki: Pki) -> None:
    constraints = pki.ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    assert pki.ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert organ_id_of(pki.ca) is None


def test_self_signed_hub_certificate() -> None:
    key = generate_private_key()
    cert = self_signed_certificate(key, common_name="docexchange hub", days=30)

    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)
    assert key_id(cert) != key_id(
        self_signed_certificate(generate_private_key(), common_name="docexchange hub")
    )


def test_keys_and_certificates_round_trip_through_pem(tmp_path: Path, pki: Pki) -> None:
    write_private_key(tmp_path / "unit.key", pki.rsa.key)
    write_certificate(tmp_path / "unit.crt", pki.rsa.certificate)

    loaded = load_private_key(tmp_path / "unit.key")
    assert loaded.private_numbers() == pki.rsa.key.private_numbers()
    assert load_certificate(tmp_path / "unit.crt") == pki.rsa.certificate
    assert (tmp_path / "unit.key").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
