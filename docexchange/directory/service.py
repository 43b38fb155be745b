"""The directory as the exchange sees it: an in-memory snapshot of units, aliases and groups.

Routing happens on every send, so lookups must not cost a query each; the snapshot is reloaded
after every change made through this hub (`reload()`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from docexchange.directory.model import Unit
from docexchange.store import units as unit_store
from docexchange.store.engine import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resolution:
    """What one requested To code became."""

    requested: str
    organ_ids: tuple[str, ...]
    via: str  # "unit", "alias", "successor", "group"
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"requested": self.requested, "resolved": list(self.organ_ids), "via": self.via,
                "note": self.note}


@dataclass(frozen=True)
class Unresolved:
    requested: str
    reason: str  # "unknown", "retired", "not_yet_valid"
    successor: str | None = None


@dataclass
class Snapshot:
    units: dict[str, Unit] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)


def _key(code: str) -> str:
    return unicodedata.normalize("NFC", code.strip())


class Directory:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._snap = Snapshot()

    async def version(self) -> tuple[int, ...]:
        """Changes whenever units, aliases or groups change (also from another process)."""
        row = await self._db.fetchone(
            "SELECT (SELECT COALESCE(MAX(updated_ts), 0) FROM units), (SELECT COUNT(*) FROM "
            "unit_aliases), (SELECT COALESCE(MAX(created_ts), 0) FROM unit_groups), (SELECT "
            "COUNT(*) FROM unit_group_members), (SELECT COUNT(*) FROM unit_groups)")
        return tuple(row) if row else ()

    async def refresh_forever(self, interval: float = 5.0) -> None:
        """Pick up directory changes made by the CLI or another hub process."""
        seen = await self.version()
        while True:
            await asyncio.sleep(interval)
            try:
                current = await self.version()
                if current != seen:
                    await self.reload()
                    seen = current
            except Exception:  # a failed refresh keeps the last good snapshot
                log.exception("directory refresh failed")

    async def reload(self) -> None:
        units = await unit_store.load_units(self._db)
        snap = Snapshot(units={u.organ_id: u for u in units},
                        groups=await unit_store.load_groups(self._db))
        for unit in units:
            for alias in unit.aliases:
                snap.aliases[alias] = unit.organ_id
            if unit.parent_id:
                snap.children.setdefault(unit.parent_id, []).append(unit.organ_id)
        self._snap = snap

    # -- lookups ---------------------------------------------------------------------------
    def get(self, organ_id: str) -> Unit | None:
        return self._snap.units.get(_key(organ_id))

    def all_units(self) -> list[Unit]:
        return list(self._snap.units.values())

    def children(self, organ_id: str) -> list[Unit]:
        return [self._snap.units[c] for c in self._snap.children.get(organ_id, [])]

    def groups(self) -> dict[str, dict[str, Any]]:
        return self._snap.groups

    def lookup(self, code: str) -> Unit | None:
        """A unit by its code or a former code (alias)."""
        code = _key(code)
        unit = self._snap.units.get(code)
        if unit is None and code in self._snap.aliases:
            unit = self._snap.units.get(self._snap.aliases[code])
        return unit

    def resolve(self, code: str, day: dt.date, *, follow_successor: bool
                ) -> Resolution | Unresolved:
        """Turn one To code into today's recipients (aliases, successors, groups)."""
        code = _key(code)
        if code in self._snap.groups and code not in self._snap.units:
            members = self.expand_group(code, day)
            return Resolution(code, tuple(members), "group")
        unit = self.lookup(code)
        if unit is None:
            return Unresolved(code, "unknown")
        via = "unit" if unit.organ_id == code else "alias"
        seen: set[str] = set()
        while not unit.is_valid_on(day):
            if unit.valid_from > day:
                return Unresolved(code, "not_yet_valid")
            successor = self._snap.units.get(unit.successor_id or "")
            if not follow_successor or successor is None or unit.organ_id in seen:
                return Unresolved(code, "retired", unit.successor_id)
            seen.add(unit.organ_id)
            unit, via = successor, "successor"
        note = "" if via == "unit" else f"{code} -> {unit.organ_id}"
        return Resolution(code, (unit.organ_id,), via, note)

    def expand_group(self, group_id: str, day: dt.date) -> list[str]:
        group = self._snap.groups[group_id]
        members = {m for m in group["members"]
                   if (u := self._snap.units.get(m)) is not None and u.is_valid_on(day)}
        if group.get("rule_kind") or group.get("rule_parent"):
            for unit in self._snap.units.values():
                if (group.get("rule_kind") in (None, unit.kind)
                        and group.get("rule_parent") in (None, unit.parent_id)
                        and unit.is_valid_on(day)):
                    members.add(unit.organ_id)
        return sorted(members)
