"""The hub's own key changes as evidence events (`keys rotate-hub`): the rotation is logged
under a head the OLD key signs, the retirement under the first head of the new one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docexchange.hub import Hub


async def log_hub_key_rotated(hub: Hub, old_key_id: str, new_key_id: str, algorithm: str,
                              certificate_pem: str) -> int:
    """Run on a hub still signing with the old key: it vouches for its successor."""
    index: int = await hub.db.write("hub_key_rotated", lambda c: hub.evidence.append_txn(
        c, "hub_key_rotated", {"old_key_id": old_key_id, "new_key_id": new_key_id,
                               "algorithm": algorithm, "certificate": certificate_pem}))
    return index


async def log_hub_key_retired(hub: Hub, key_id: str, successor_key_id: str,
                              private_key: str) -> int:
    """Run on a hub opened with the new key; `private_key` is where the old one was moved."""
    index: int = await hub.db.write("hub_key_retired", lambda c: hub.evidence.append_txn(
        c, "hub_key_retired", {"key_id": key_id, "successor_key_id": successor_key_id,
                               "private_key": private_key}))
    return index
