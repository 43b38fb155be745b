"""Operator actions on a unit's credentials, shared by the ops API and the dashboard.

Each action is one transaction with its evidence leaf ("operator_action", naming the operator),
so the log can never miss a change nor record one that did not happen. Only admins may act;
the check is here too, so that no caller can forget it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docexchange.accounts.operators import Operator
from docexchange.clock import local_now
from docexchange.errors import DocExchangeError
from docexchange.hub import Hub
from docexchange.ids import hash_secret, new_api_key
from docexchange.store import units as unit_store
from docexchange.store import vdxp as vdxp_store
from docexchange.store.tx import Tx
from docexchange.unit import Unit


@dataclass(frozen=True)
class CredentialChange:
    organ_id: str
    revoked: int                # API keys revoked by this action
    api_key: str | None = None  # the new key: shown once, stored only hashed
    key_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"organ_id": self.organ_id, "revoked": self.revoked}
        if self.api_key is not None:
            body.update(api_key=self.api_key, key_id=self.key_id)
        return body


def _unit(hub: Hub, organ_id: str, operator: Operator) -> Unit:
    if not operator.is_admin:
        raise DocExchangeError("DX_FORBIDDEN", "Cần quyền quản trị.", "Admin role required.")
    unit = hub.directory.lookup(organ_id)
    if unit is None:
        raise DocExchangeError("DX_NOT_FOUND", "Không có đơn vị với mã này.",
                               "No unit has this code.", organ_id=organ_id)
    return unit


def _revoke_txn(hub: Hub, conn: Tx, organ_id: str, operator: Operator,
                action: str, new_key_id: str | None = None) -> int:
    revoked = unit_store.active_api_key_ids_txn(conn, organ_id)
    unit_store.revoke_api_keys_txn(conn, organ_id, hub.clock.now_ms())
    hub.evidence.append_txn(conn, "operator_action", {
        "action": action, "operator": operator.name, "unit": organ_id,
        "revoked_key_ids": revoked, "new_key_id": new_key_id}, units=(organ_id,))
    return len(revoked)


async def disable_credentials(hub: Hub, organ_id: str, operator: Operator) -> CredentialChange:
    """Revoke every API key and VDXP credential of the unit: its software is refused from the
    next request on. Signing certificates are left alone (they prove past signatures)."""
    unit = _unit(hub, organ_id, operator)

    def txn(conn: Tx) -> int:
        vdxp_store.revoke_credentials_txn(conn, unit.organ_id, hub.clock.now_ms())
        return _revoke_txn(hub, conn, unit.organ_id, operator, "disable_credentials")
    revoked = await hub.db.write("disable_credentials", txn)
    hub.key_cache.clear()  # revoked keys stop working now, not when their cache entry ages
    return CredentialChange(unit.organ_id, revoked)


async def reissue_credentials(hub: Hub, organ_id: str, operator: Operator) -> CredentialChange:
    """Replace the unit's API keys by one new key (a lost or leaked key): the old keys are
    revoked in the same transaction. The key is returned once; only its hash is kept."""
    unit = _unit(hub, organ_id, operator)
    today = local_now(hub.clock, hub.config.zone).date()
    if not unit.is_valid_on(today):
        raise DocExchangeError("DX_CONFLICT", "Đơn vị đã giải thể hoặc chưa có hiệu lực; không "
                               "cấp khóa mới.", "The unit is retired or not yet valid; no new "
                               "key is issued.", organ_id=unit.organ_id)
    key_id, key = new_api_key()

    def txn(conn: Tx) -> int:
        revoked = _revoke_txn(hub, conn, unit.organ_id, operator, "reissue_credentials", key_id)
        unit_store.insert_api_key_txn(conn, key_id, unit.organ_id, hash_secret(key),
                                      hub.clock.now_ms())
        return revoked
    revoked = await hub.db.write("reissue_credentials", txn)
    hub.key_cache.clear()
    return CredentialChange(unit.organ_id, revoked, key, key_id)
