"""Changes to the directory (units, their contacts, recipient groups) from any face.

Each change is one transaction that also writes its evidence leaf, so the log can neither miss
a change nor record one that did not happen; the leaf names who made it (`actor`: an
operator's name, or `cli:USER`) and where the rows came from (`source`: a file name, or the
command). The in-memory directory is reloaded afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docexchange.monitor.unit_contacts import Contact, import_contacts_txn
from docexchange.store import units as unit_store
from docexchange.store.tx import Tx
from docexchange.unit import Unit

if TYPE_CHECKING:
    from docexchange.hub import Hub


@dataclass(frozen=True)
class GroupSpec:
    """A named recipient group: static members and/or a rule (valid units of a kind, under
    a parent), expanded at send time."""

    group_id: str
    name: str
    description: str = ""
    members: tuple[str, ...] = ()
    kind: str | None = None
    parent: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"group_id": self.group_id, "name": self.name, "description": self.description,
                "members": list(self.members), "kind": self.kind, "parent": self.parent}


async def save_units(hub: Hub, units: Sequence[Unit], actor: str, source: str,
                     contacts: Sequence[Contact] = ()) -> int:
    """Add or update units (and their contacts); returns how many were new. One leaf,
    `units_saved`, lists the codes added and updated."""
    def txn(conn: Tx) -> int:
        ts = hub.clock.now_ms()
        added = [u.organ_id for u in units if unit_store.upsert_unit_txn(conn, u, ts)]
        import_contacts_txn(conn, list(contacts), ts)
        new = set(added)
        hub.evidence.append_txn(conn, "units_saved", {
            "added": added, "updated": [u.organ_id for u in units if u.organ_id not in new],
            "contacts": [c.organ_id for c in contacts], "source": source, "operator": actor},
            units=[u.organ_id for u in units])
        return len(added)
    added: int = await hub.db.write("save_units", txn)
    await hub.directory.reload()
    return added


async def save_groups(hub: Hub, groups: Sequence[GroupSpec], actor: str, source: str) -> None:
    """Add or replace groups; one leaf, `groups_saved`, carries each group as saved."""
    def txn(conn: Tx) -> None:
        ts = hub.clock.now_ms()
        for g in groups:
            unit_store.upsert_group_txn(conn, g.group_id, g.name, g.description,
                                        list(g.members), g.kind, g.parent, ts)
        hub.evidence.append_txn(conn, "groups_saved", {
            "groups": [g.to_json() for g in groups], "source": source, "operator": actor},
            units=sorted({m for g in groups for m in g.members}))
    await hub.db.write("save_groups", txn)
    await hub.directory.reload()
