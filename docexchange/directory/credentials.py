"""Issue and revoke unit credentials: API keys (stored hashed) and signing certificates."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from docexchange.ids import hash_secret, new_api_key
from docexchange.signing.certificates import key_id, load_certificate
from docexchange.signing.keyring import issue_unit_client_key, issue_unit_signing_key
from docexchange.store import units as unit_store
from docexchange.store.engine import Database


async def issue_api_key(db: Database, organ_id: str) -> str:
    """A new API key for the unit; only its hash is stored, the key is returned once."""
    kid, key = new_api_key()
    await db.write("issue_api_key", lambda c: unit_store.insert_api_key_txn(
        c, kid, organ_id, hash_secret(key)))
    return key


async def register_certificate(db: Database, organ_id: str, cert: x509.Certificate) -> str:
    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    kid = key_id(cert)
    before = int(cert.not_valid_before_utc.timestamp() * 1000)
    after = int(cert.not_valid_after_utc.timestamp() * 1000)
    await db.write("register_certificate", lambda c: unit_store.insert_certificate_txn(
        c, kid, organ_id, pem, before, after))
    return kid


async def issue_signing_certificate(db: Database, keys_dir: Path, organ_id: str,
                                    name: str) -> tuple[Path, Path]:
    """A dev-CA signing key and certificate for the unit, registered for XML-DSig checks."""
    key_path, cert_path = issue_unit_signing_key(keys_dir, organ_id, name)
    await register_certificate(db, organ_id, load_certificate(cert_path))
    return key_path, cert_path


async def issue_client_certificate(db: Database, keys_dir: Path, organ_id: str, name: str,
                                   days: int) -> tuple[Path, Path, str]:
    """A TLS client certificate for the unit, registered (by its SHA-256 fingerprint) so that
    a connection presenting it is that unit; returns the key, certificate and fingerprint."""
    key_path, cert_path = issue_unit_client_key(keys_dir, organ_id, name, days)
    cert = load_certificate(cert_path)
    fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    after = int(cert.not_valid_after_utc.timestamp() * 1000)
    await db.write("register_client_certificate", lambda c: unit_store.insert_client_cert_txn(
        c, fingerprint, organ_id, cert.subject.rfc4514_string(), after))
    return key_path, cert_path, fingerprint


async def revoke_client_certificate(db: Database, fingerprint: str) -> bool:
    return bool(await db.write("revoke_client_certificate",
                               lambda c: unit_store.revoke_client_cert_txn(c, fingerprint)))
