"""Keys and X.509 certificates for the hub, the development CA and unit signers.

Only ``cryptography`` is used. Private keys are written as unencrypted PKCS#8 PEM into files
created with mode 0600 (the keys/ folder is the secret; see keys/README.md). Key ids are the hex
SHA-256 of the DER SubjectPublicKeyInfo, so a key keeps its id when its certificate is renewed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID, ObjectIdentifier

from docexchange.durable import write_durably

Algorithm = Literal["ec-p256", "rsa-2048"]
Purpose = Literal["signing", "hub", "tls-client"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

ALGORITHMS: tuple[Algorithm, ...] = ("ec-p256", "rsa-2048")
#: id-kp-documentSigning (RFC 9336): the unit certificate signs documents, not TLS sessions.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
#: Certificates start slightly in the past so a peer whose clock lags still accepts them.
CLOCK_SKEW = dt.timedelta(minutes=5)


def generate_private_key(algorithm: str = "ec-p256") -> PrivateKey:
    """A fresh key; ECDSA P-256 is the default (small, fast), RSA-2048 for old verifiers."""
    if algorithm == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "rsa-2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unknown key algorithm {algorithm!r}; expected one of {ALGORITHMS}")


def algorithm_of(key: PrivateKey | PublicKey) -> str:
    """The algorithm name of a key: ``ec-p256``, ``ec-<curve>`` or ``rsa-<bits>``."""
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return "ec-p256" if isinstance(key.curve, ec.SECP256R1) else f"ec-{key.curve.name}"
    return f"rsa-{key.key_size}"


def public_key_id(public_key: CertificatePublicKeyTypes) -> str:
    """Hex SHA-256 of the DER SubjectPublicKeyInfo (the same id as evidence tree heads use)."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


@lru_cache(maxsize=1024)
def key_id(cert: x509.Certificate) -> str:
    """The id of the certificate's key (any key type); stable across renewals of the key.

    Cached per certificate (certificates are equal, and hash alike, exactly when their DER
    bytes are): the exchange asks it of the signer of every packet, a unit signs with the
    same certificate for years, and exporting and hashing the key cost 4 µs each time."""
    return public_key_id(cert.public_key())


def organ_id_of(cert: x509.Certificate) -> str | None:
    """The OrganId in the subject (organizationIdentifier, else serialNumber), if any."""
    for oid in (NameOID.ORGANIZATION_IDENTIFIER, NameOID.SERIAL_NUMBER):
        values = cert.subject.get_attributes_for_oid(oid)
        if values:
            value = values[0].value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return None


def create_ca(common_name: str, key: PrivateKey, days: int = 3650) -> x509.Certificate:
    """A self-signed CA shaped to pass cryptography's WebPKI CA policy (which signxml and our
    verifier apply): critical basicConstraints and keyUsage keyCertSign, with a key identifier."""
    subject = _name(common_name, organization=common_name)
    builder = _builder(subject, subject, key.public_key(), days)
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    builder = builder.add_extension(_key_usage(ca=True), critical=True)
    return builder.sign(key, hashes.SHA256())


def issue_certificate(
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    *,
    common_name: str,
    organ_id: str,
    public_key: PublicKey,
    days: int = 365,
    purpose: Purpose = "signing",
    organization: str | None = None,
) -> x509.Certificate:
    """An end-entity certificate for a unit signer (or the hub) issued by ``ca_cert``.

    The subject carries CN, O and the OrganId as organizationIdentifier (OID 2.5.4.97), which is
    how the verifier ties a signature to the sending unit.
    """
    subject = _name(common_name, organ_id=organ_id, organization=organization or common_name)
    builder = _builder(subject, ca_cert.subject, public_key, days)
    builder = _end_entity_extensions(builder, purpose).add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(_supported_public_key(ca_cert)),
        critical=False,
    )
    return builder.sign(ca_key, hashes.SHA256())


def self_signed_certificate(
    key: PrivateKey,
    *,
    common_name: str,
    organ_id: str | None = None,
    days: int = 1825,
    purpose: Purpose = "hub",
) -> x509.Certificate:
    """A self-signed end-entity certificate: the hub's key carrier, trusted by pinning its key id
    (auditors verify tree heads with the hub certificate alone, no CA involved)."""
    subject = _name(common_name, organ_id=organ_id, organization="docexchange")
    builder = _builder(subject, subject, key.public_key(), days)
    return _end_entity_extensions(builder, purpose).sign(key, hashes.SHA256())


def write_private_key(path: Path, key: PrivateKey) -> None:
    """Write PKCS#8 PEM atomically into a file that is born with mode 0600.

    docexchange/durable.py: a temporary file born 0600, fsync'ed and renamed over ``path``;
    an existing file's looser mode is never inherited, and no chmod ever follows a write.
    """
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_durably(path, pem, mode=0o600)


def write_certificate(path: Path, cert: x509.Certificate) -> None:
    """Write a PEM certificate atomically (mode 0644: certificates are public)."""
    write_durably(path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def load_private_key(path: Path) -> PrivateKey:
    """Load an unencrypted PEM private key; refuses key types the hub cannot sign with."""
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise TypeError(f"{path}: only ECDSA and RSA keys are supported")
    return key


def load_certificate(path: Path) -> x509.Certificate:
    """Load one PEM certificate (the first if the file holds several)."""
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Load every PEM certificate in a file (a CA bundle)."""
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def same_key(cert: x509.Certificate, key: PrivateKey) -> bool:
    """True when ``cert`` certifies ``key``'s public half."""
    return key_id(cert) == public_key_id(key.public_key())


def _supported_public_key(cert: x509.Certificate) -> PublicKey:
    key = cert.public_key()
    if not isinstance(key, (ec.EllipticCurvePublicKey, rsa.RSAPublicKey)):
        raise TypeError("only ECDSA and RSA certificates are supported")
    return key


def _name(
    common_name: str, *, organ_id: str | None = None, organization: str | None = None
) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if organ_id:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organ_id))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: PublicKey, days: int
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _end_entity_extensions(
    builder: x509.CertificateBuilder, purpose: Purpose
) -> x509.CertificateBuilder:
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
    builder = builder.add_extension(_key_usage(ca=False), critical=True)
    if purpose == "signing":
        builder = builder.add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
    elif purpose == "tls-client":  # mTLS: usable to authenticate a TLS client, nothing else
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """CA: keyCertSign + cRLSign; end entity: digitalSignature + nonRepudiation."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
