"""Issue, find and revoke unit credentials: API keys (stored hashed), signing certificates
and TLS client certificates.

Every issue and revocation, from any face, writes its evidence leaf in the same transaction as
the change (the key id or fingerprint, never a secret), naming who made it (`actor`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from docexchange.ids import hash_secret, new_api_key
from docexchange.signing.certificates import key_id, load_certificate
from docexchange.signing.keyring import issue_unit_client_key, issue_unit_signing_key
from docexchange.store import units as unit_store
from docexchange.store import vdxp as vdxp_store
from docexchange.store.tx import Tx

if TYPE_CHECKING:
    from docexchange.hub import Hub


async def issue_api_key(hub: Hub, organ_id: str, actor: str) -> str:
    """A new API key for the unit; only its hash is stored, the key is returned once."""
    kid, key = new_api_key()

    def txn(conn: Tx) -> None:
        unit_store.insert_api_key_txn(conn, kid, organ_id, hash_secret(key), hub.clock.now_ms())
        hub.evidence.append_txn(conn, "api_key_issued", {
            "unit": organ_id, "key_id": kid, "operator": actor}, units=(organ_id,))
    await hub.db.write("issue_api_key", txn)
    return key


async def register_certificate(hub: Hub, organ_id: str, cert: x509.Certificate,
                               actor: str) -> str:
    """Register a signing certificate of the unit (its XML-DSig signatures verify against
    it); returns its key id."""
    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    kid = key_id(cert)
    before = int(cert.not_valid_before_utc.timestamp() * 1000)
    after = int(cert.not_valid_after_utc.timestamp() * 1000)

    def txn(conn: Tx) -> None:
        unit_store.insert_certificate_txn(conn, kid, organ_id, pem, before, after,
                                          hub.clock.now_ms())
        hub.evidence.append_txn(conn, "signing_certificate_registered", {
            "unit": organ_id, "key_id": kid, "not_before_ts": before, "not_after_ts": after,
            "operator": actor}, units=(organ_id,))
    await hub.db.write("register_certificate", txn)
    hub.exchange.signing_keys.invalidate()  # this process sees it at once; others: ≤ 1 s
    return kid


async def issue_signing_certificate(hub: Hub, organ_id: str, name: str,
                                    actor: str) -> tuple[Path, Path]:
    """A dev-CA signing key and certificate for the unit, registered for XML-DSig checks."""
    key_path, cert_path = issue_unit_signing_key(hub.config.keys.dir, organ_id, name)
    await register_certificate(hub, organ_id, load_certificate(cert_path), actor)
    return key_path, cert_path


async def issue_client_certificate(hub: Hub, organ_id: str, name: str,
                                   actor: str) -> tuple[Path, Path, str]:
    """A TLS client certificate for the unit, registered (by its SHA-256 fingerprint) so that
    a connection presenting it is that unit; returns the key, certificate and fingerprint."""
    key_path, cert_path = issue_unit_client_key(hub.config.keys.dir, organ_id, name,
                                                hub.config.keys.client_cert_days)
    cert = load_certificate(cert_path)
    fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    after = int(cert.not_valid_after_utc.timestamp() * 1000)

    def txn(conn: Tx) -> None:
        unit_store.insert_client_cert_txn(conn, fingerprint, organ_id,
                                          cert.subject.rfc4514_string(), after,
                                          hub.clock.now_ms())
        hub.evidence.append_txn(conn, "client_certificate_issued", {
            "unit": organ_id, "fingerprint": fingerprint, "not_after_ts": after,
            "operator": actor}, units=(organ_id,))
    await hub.db.write("register_client_certificate", txn)
    return key_path, cert_path, fingerprint


async def revoke_client_certificate(hub: Hub, fingerprint: str, actor: str) -> bool:
    """False when no active client certificate has this fingerprint."""
    row = await unit_store.find_client_cert(hub.db, fingerprint)
    if row is None:
        return False
    organ_id = str(row["organ_id"])

    def txn(conn: Tx) -> bool:
        if not unit_store.revoke_client_cert_txn(conn, fingerprint, hub.clock.now_ms()):
            return False
        hub.evidence.append_txn(conn, "client_certificate_revoked", {
            "unit": organ_id, "fingerprint": fingerprint, "operator": actor},
            units=(organ_id,))
        return True
    return bool(await hub.db.write("revoke_client_certificate", txn))


async def find_api_key(hub: Hub, key_id: str) -> Any:
    """The stored row of an API key (its hash, unit, expiry, revocation), or None."""
    return await unit_store.find_api_key(hub.db, key_id)


async def find_client_certificate(hub: Hub, fingerprint: str) -> Any:
    """The registered client certificate with this SHA-256 fingerprint, or None."""
    return await unit_store.find_client_cert(hub.db, fingerprint)


async def credential_listing(hub: Hub) -> tuple[list[Any], list[Any], list[Any]]:
    """API keys, VDXP credentials and client certificates of every unit, for `keys list`
    (ids, dates and states; never a secret)."""
    return (await unit_store.list_api_keys(hub.db), await vdxp_store.list_credentials(hub.db),
            await unit_store.list_client_certs(hub.db))
