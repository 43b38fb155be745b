"""VDXP credentials: a system id and a secret per unit, the secret sealed at rest.

The SDK's HMAC is keyed by the secret itself, so a hash of it (as for API keys) could not check
a signature: the hub keeps the secret encrypted with AES-256-GCM under `keys/vdxp-seal.key`
(created with mode 0600 on first issue), binding each ciphertext to its system id and unit so
that rows cannot be swapped. The secret is printed once by `keys issue-vdxp` and never logged.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from docexchange.durable import write_durably
from docexchange.hub import Hub
from docexchange.store import vdxp as vdxp_store
from docexchange.store.tx import Tx

SEAL_KEY_FILE = "vdxp-seal.key"


@dataclass(frozen=True)
class Credential:
    organ_id: str
    system_id: str
    secret: str

    def to_json(self) -> dict[str, str]:
        return {"organ_id": self.organ_id, "system_id": self.system_id, "secret": self.secret}


class SecretBox:
    """AES-256-GCM with a 12-byte random nonce; associated data = system id and unit."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    @classmethod
    def load(cls, keys_dir: Path, *, create: bool = False) -> SecretBox | None:
        path = keys_dir / SEAL_KEY_FILE
        if not path.exists():
            if not create:
                return None
            write_durably(path, AESGCM.generate_key(bit_length=256))
        return cls(path.read_bytes())

    def seal(self, system_id: str, organ_id: str, secret: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, secret.encode("utf-8"),
                                          _aad(system_id, organ_id))

    def open(self, system_id: str, organ_id: str, sealed: bytes) -> str | None:
        try:
            plain = self._aead.decrypt(sealed[:12], sealed[12:], _aad(system_id, organ_id))
        except InvalidTag:
            return None
        return plain.decode("utf-8")


def _aad(system_id: str, organ_id: str) -> bytes:
    return f"vdxp-credential\n{system_id}\n{organ_id}".encode()


async def issue_credential(hub: Hub, organ_id: str, actor: str) -> Credential:
    """A new system id and secret for the unit; its earlier VDXP credentials stop working."""
    box = SecretBox.load(hub.config.keys.dir, create=True)
    assert box is not None
    system_id = f"{organ_id}.{secrets.token_hex(4)}"
    secret = secrets.token_urlsafe(32)
    sealed = box.seal(system_id, organ_id, secret)

    def txn(conn: Tx) -> None:
        revoked = vdxp_store.replace_credential_txn(conn, system_id, organ_id, sealed,
                                                    hub.clock.now_ms())
        hub.evidence.append_txn(conn, "vdxp_credential_issued", {
            "unit": organ_id, "system_id": system_id, "revoked": revoked,
            "operator": actor}, units=(organ_id,))
    await hub.db.write("issue_vdxp_credential", txn)
    return Credential(organ_id, system_id, secret)


async def revoke_credentials(hub: Hub, organ_id: str, actor: str) -> int:
    """Every VDXP credential of the unit stops working at its next request."""
    def txn(conn: Tx) -> int:
        revoked = vdxp_store.revoke_credentials_txn(conn, organ_id, hub.clock.now_ms())
        if revoked:
            hub.evidence.append_txn(conn, "vdxp_credentials_revoked", {
                "unit": organ_id, "revoked": revoked, "operator": actor}, units=(organ_id,))
        return revoked
    result: int = await hub.db.write("revoke_vdxp_credentials", txn)
    return result


async def lookup_secret(hub: Hub, system_id: str) -> tuple[str, str] | None:
    """(unit, secret) of an active system id, or None."""
    row = await vdxp_store.find_credential(hub.db, system_id)
    if row is None or row["revoked_ts"] is not None:
        return None
    box = SecretBox.load(hub.config.keys.dir)
    secret = box.open(system_id, row["organ_id"], bytes(row["sealed_secret"])) if box else None
    return (str(row["organ_id"]), secret) if secret is not None else None
