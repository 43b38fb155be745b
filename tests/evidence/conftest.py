"""Hub keys and self-signed certificates generated at test time (never committed)."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import NameOID

from docexchange.signing.certificates import PrivateKey


def spki_sha256(key_or_cert: CertificatePublicKeyTypes | x509.Certificate) -> str:
    """The key id computed here from its definition, independently of the code under test."""
    key = key_or_cert.public_key() if isinstance(key_or_cert, x509.Certificate) else key_or_cert
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class SigningHub:
    """A hub key and its self-signed certificate, as a test sees them."""

    private_key: PrivateKey
    certificate: x509.Certificate

    @property
    def key_id(self) -> str:
        return spki_sha256(self.certificate)


def self_signed(
    private_key: CertificateIssuerPrivateKeyTypes, name: str = "docexchange hub"
) -> x509.Certificate:
    algorithm = None if isinstance(private_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(private_key, algorithm)
    )


def new_ec_key() -> SigningHub:
    key = ec.generate_private_key(ec.SECP256R1())
    return SigningHub(key, self_signed(key))


def new_rsa_key() -> SigningHub:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningHub(key, self_signed(key))


@pytest.fixture(scope="session")
def ec_hub() -> SigningHub:
    return new_ec_key()


@pytest.fixture(scope="session")
def rsa_hub() -> SigningHub:
    return new_rsa_key()


@pytest.fixture(scope="session", params=["ec", "rsa"])
def hub(request: pytest.FixtureRequest, ec_hub: SigningHub, rsa_hub: SigningHub) -> SigningHub:
    return ec_hub if request.param == "ec" else rsa_hub
