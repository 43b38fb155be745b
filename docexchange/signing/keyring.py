"""The hub's key ring: the current hub signing key, every hub certificate ever used, the dev CA
and unit signing keys, all in one keys/ folder (layout in keys/README.md).

Keys are named by key id (hex SHA-256 of the DER SubjectPublicKeyInfo). Rotation never deletes a
certificate: tree heads signed by a retired key stay verifiable through ``KeyRing.certificate``.
PEM loading is slow (tens of ms for RSA), so ``KeyRing.load`` reads everything once at start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from docexchange.signing.certificates import (
    PrivateKey,
    algorithm_of,
    create_ca,
    generate_private_key,
    issue_certificate,
    key_id,
    load_certificate,
    load_private_key,
    organ_id_of,
    public_key_id,
    same_key,
    self_signed_certificate,
    write_certificate,
    write_private_key,
)

HUB_COMMON_NAME = "docexchange hub"
DEV_CA_COMMON_NAME = "docexchange development CA (not for production)"
HUB_CERT_DAYS = 1825
DEV_CA_DAYS = 3650
#: OrganIds become file names under units/: opaque codes, but never paths.
_SAFE_ORGAN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,34}")


@dataclass(frozen=True)
class KeyPaths:
    """Where each file lives under keys/; the one place that knows the layout."""

    root: Path

    @property
    def hub_key(self) -> Path:
        return self.root / "hub.key"

    @property
    def hub_cert(self) -> Path:
        return self.root / "hub.crt"

    @property
    def hub_certs(self) -> Path:
        return self.root / "hub-certs"

    @property
    def retired(self) -> Path:
        return self.root / "retired"

    @property
    def dev_ca_key(self) -> Path:
        return self.root / "dev-ca.key"

    @property
    def dev_ca_cert(self) -> Path:
        return self.root / "dev-ca.crt"

    @property
    def units(self) -> Path:
        return self.root / "units"

    def hub_cert_for(self, kid: str) -> Path:
        return self.hub_certs / f"{kid}.crt"

    def retired_key_for(self, kid: str) -> Path:
        return self.retired / f"{kid}.key"

    def unit_files(self, organ_id: str) -> tuple[Path, Path]:
        if not _SAFE_ORGAN_ID.fullmatch(organ_id):
            raise ValueError(f"OrganId {organ_id!r} cannot name a key file")
        return self.units / f"{organ_id}.key", self.units / f"{organ_id}.crt"


@dataclass(frozen=True)
class HubKey:
    """One hub signing key with its certificate; ``key_id`` names it in tree heads."""

    key_id: str
    private_key: PrivateKey
    certificate: x509.Certificate
    algorithm: str


@dataclass(frozen=True)
class KeyRow:
    """One line of ``docexchange keys list``; ``id`` is a key id, or the OrganId for units."""

    kind: str
    id: str
    subject: str
    not_valid_before: datetime
    not_valid_after: datetime
    path: Path


class KeyRing:
    """The hub keys loaded once: sign with the current key, find any historic certificate."""

    def __init__(self, current: HubKey, certificates: dict[str, x509.Certificate]) -> None:
        self.current = current
        self._certificates = {**certificates, current.key_id: current.certificate}

    @classmethod
    def load(cls, keys_dir: Path) -> KeyRing:
        """Read hub.key and every hub certificate; FileNotFoundError before ``init``."""
        paths = KeyPaths(Path(keys_dir))
        certificates = _load_hub_certificates(paths)
        return cls(_load_current(paths, certificates), certificates)

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._certificates)

    def certificate(self, kid: str) -> x509.Certificate:
        """The hub certificate with this key id, current or retired; KeyError if unknown."""
        return self._certificates[kid]

    def sign(self, data: bytes) -> bytes:
        """Sign with the current key: ECDSA P-256/SHA-256 (DER) or RSA PKCS#1 v1.5/SHA-256."""
        key = self.current.private_key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hashes.SHA256()))
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def verify_signature(cert: x509.Certificate, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` verifies with ``cert``'s key (as ``KeyRing.sign``
    makes them). Dates are not checked: old tree heads must verify with retired certificates."""
    key = cert.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except InvalidSignature:
        return False
    return True


def init_hub_keys(keys_dir: Path, algorithm: str = "ec-p256") -> HubKey:
    """Create the hub key on first run; if hub.key exists, load it and change nothing (even when
    ``algorithm`` differs: changing the key is ``rotate_hub_key``'s job)."""
    paths = KeyPaths(Path(keys_dir))
    if paths.hub_key.exists():
        return KeyRing.load(paths.root).current
    return _install_hub_key(paths, algorithm)


def rotate_hub_key(keys_dir: Path, algorithm: str = "ec-p256") -> HubKey:
    """Make a new current hub key; the old private key moves to retired/, its certificate stays
    in hub-certs/ with its original validity so the heads it signed still verify."""
    paths = KeyPaths(Path(keys_dir))
    if not paths.hub_key.exists():
        return _install_hub_key(paths, algorithm)
    old = KeyRing.load(paths.root).current
    if not paths.hub_cert_for(old.key_id).exists():
        write_certificate(paths.hub_cert_for(old.key_id), old.certificate)
    write_private_key(paths.retired_key_for(old.key_id), old.private_key)
    return _install_hub_key(paths, algorithm)


def ensure_dev_ca(keys_dir: Path) -> tuple[PrivateKey, x509.Certificate]:
    """The development CA that issues unit signing keys; created once, then only loaded."""
    paths = KeyPaths(Path(keys_dir))
    if paths.dev_ca_key.exists() and paths.dev_ca_cert.exists():
        return load_private_key(paths.dev_ca_key), load_certificate(paths.dev_ca_cert)
    key = generate_private_key("ec-p256")
    cert = create_ca(DEV_CA_COMMON_NAME, key, DEV_CA_DAYS)
    write_private_key(paths.dev_ca_key, key)
    write_certificate(paths.dev_ca_cert, cert)
    return key, cert


def issue_unit_signing_key(
    keys_dir: Path, organ_id: str, name: str, days: int = 365, *, algorithm: str = "ec-p256"
) -> tuple[Path, Path]:
    """A new key and dev-CA certificate for a unit, written to units/<OrganId>.key/.crt.

    Re-issuing replaces the unit's files (a retried ``init`` must not fail); certificates
    already registered in the directory stay valid until they expire or are revoked there.
    """
    paths = KeyPaths(Path(keys_dir))
    key_path, cert_path = paths.unit_files(organ_id)
    ca_key, ca_cert = ensure_dev_ca(paths.root)
    key = generate_private_key(algorithm)
    cert = issue_certificate(
        ca_key,
        ca_cert,
        common_name=name,
        organ_id=organ_id,
        public_key=key.public_key(),
        days=days,
        purpose="signing",
    )
    write_private_key(key_path, key)
    write_certificate(cert_path, cert)
    return key_path, cert_path


def issue_unit_client_key(
    keys_dir: Path, organ_id: str, name: str, days: int = 365
) -> tuple[Path, Path]:
    """A key and dev-CA TLS client certificate (mTLS) for a unit: units/<OrganId>.client.key
    and .client.crt. Only its registration in the directory makes it authenticate the unit."""
    paths = KeyPaths(Path(keys_dir))
    key_path, _ = paths.unit_files(organ_id)
    key_path = key_path.with_suffix(".client.key")
    cert_path = key_path.with_suffix(".crt")
    ca_key, ca_cert = ensure_dev_ca(paths.root)
    key = generate_private_key("ec-p256")
    cert = issue_certificate(ca_key, ca_cert, common_name=name, organ_id=organ_id,
                             public_key=key.public_key(), days=days, purpose="tls-client")
    write_private_key(key_path, key)
    write_certificate(cert_path, cert)
    return key_path, cert_path


def list_keys(keys_dir: Path) -> list[KeyRow]:
    """Every certificate under keys/: the current hub key, previous hub keys, the dev CA, units."""
    paths = KeyPaths(Path(keys_dir))
    hub = load_certificate(paths.hub_cert) if paths.hub_cert.exists() else None
    history = dict(_certificates_in(paths.hub_certs))
    if hub is not None and key_id(hub) not in {key_id(cert) for cert in history.values()}:
        history[paths.hub_cert] = hub
    rows = [
        _row(
            "hub" if hub and key_id(cert) == key_id(hub) else "hub-previous",
            key_id(cert),
            cert,
            path,
        )
        for path, cert in history.items()
    ]
    if paths.dev_ca_cert.exists():
        cert = load_certificate(paths.dev_ca_cert)
        rows.append(_row("dev-ca", key_id(cert), cert, paths.dev_ca_cert))
    for path, cert in _certificates_in(paths.units):
        rows.append(_row("unit", organ_id_of(cert) or path.stem, cert, path))
    return rows


def _install_hub_key(paths: KeyPaths, algorithm: str) -> HubKey:
    """Write order matters for crash safety: the certificate lands in hub-certs/ before hub.key
    names it, so whenever hub.key exists its certificate can be found by key id."""
    key = generate_private_key(algorithm)
    cert = self_signed_certificate(key, common_name=HUB_COMMON_NAME, days=HUB_CERT_DAYS)
    kid = key_id(cert)
    write_certificate(paths.hub_cert_for(kid), cert)
    write_private_key(paths.hub_key, key)
    write_certificate(paths.hub_cert, cert)
    return HubKey(kid, key, cert, algorithm_of(key))


def _load_hub_certificates(paths: KeyPaths) -> dict[str, x509.Certificate]:
    return {key_id(cert): cert for _, cert in _certificates_in(paths.hub_certs)}


def _load_current(paths: KeyPaths, certificates: dict[str, x509.Certificate]) -> HubKey:
    """hub.key decides; its certificate is found by key id, hub.crt is only a fallback copy."""
    key = load_private_key(paths.hub_key)
    kid = public_key_id(key.public_key())
    cert = certificates.get(kid)
    if cert is None and paths.hub_cert.exists():
        cert = load_certificate(paths.hub_cert)
    if cert is None or not same_key(cert, key):
        raise ValueError(f"no certificate for the hub key {kid} in {paths.hub_certs}")
    return HubKey(kid, key, cert, algorithm_of(key))


def _certificates_in(folder: Path) -> list[tuple[Path, x509.Certificate]]:
    if not folder.is_dir():
        return []
    return [(path, load_certificate(path)) for path in sorted(folder.glob("*.crt"))]


def _row(kind: str, ident: str, cert: x509.Certificate, path: Path) -> KeyRow:
    return KeyRow(
        kind,
        ident,
        cert.subject.rfc4514_string(),
        cert.not_valid_before_utc,
        cert.not_valid_after_utc,
        path,
    )
