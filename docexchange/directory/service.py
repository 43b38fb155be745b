"""The directory as the exchange sees it: an in-memory snapshot of units, aliases and groups.

Routing happens on every send, so lookups must not cost a query each; the snapshot is reloaded
after every change made through this hub (`reload()`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from docexchange.store import units as unit_store
from docexchange.store.engine import Database
from docexchange.unit import Unit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resolution:
    """What one requested To code became."""

    requested: str
    organ_ids: tuple[str, ...]
    via: str  # "unit", "alias", "successor", "successors" (all of a split), "group"
    note: str = ""  # the trace kept on the delivery: "routing: followed A → B"

    def to_json(self) -> dict[str, Any]:
        return {"requested": self.requested, "resolved": list(self.organ_ids), "via": self.via,
                "note": self.note}


@dataclass(frozen=True)
class Unresolved:
    """Why a To code has no recipient today. `retired`: policy says refuse rather than follow;
    `split`: several successors; `dissolved`: none (the district level, 2025)."""

    requested: str
    reason: str  # "unknown", "retired", "split", "dissolved", "not_yet_valid"
    successor: str | None = None
    successors: tuple[str, ...] = ()


@dataclass
class Snapshot:
    units: dict[str, Unit] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    predecessors: dict[str, list[str]] = field(default_factory=dict)
    versions: dict[str, list[Any]] = field(default_factory=dict)


def _key(code: str) -> str:
    return unicodedata.normalize("NFC", code.strip())


class Directory:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._snap = Snapshot()
        #: The province's "today" for routing and validity; tests replay days by setting it.
        self.clock: Callable[[], dt.date] | None = None

    def today(self, zone: ZoneInfo) -> dt.date:
        return self.clock() if self.clock is not None else dt.datetime.now(zone).date()

    async def version(self) -> tuple[int, ...]:
        """Changes whenever units, aliases or groups change (also from another process)."""
        return await unit_store.directory_version(self._db)

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
            for successor in unit.all_successors:
                snap.predecessors.setdefault(successor, []).append(unit.organ_id)
        for row in await unit_store.load_versions(self._db):
            snap.versions.setdefault(row["organ_id"], []).append(row)
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

    def recoded_as(self, organ_id: str, day: dt.date) -> str:
        """The code a unit's credentials act as on `day`: its own, or, once a recode (rename
        to a new code) has taken effect, the new code, following a chain of recodes.

        A recode keeps the organisation and its DMS, so its API keys, client certificates and
        VDXP credentials carry on as the new unit from the effective date, not before (the new
        unit does not exist yet) and without rewriting any stored credential (a VDXP secret
        is sealed to the code it was issued for). A merge or split is another organisation:
        the old unit's credentials stay its own, for its grace period."""
        code, seen = organ_id, {organ_id}
        while (unit := self._snap.units.get(code)) is not None and unit.valid_to is not None \
                and unit.valid_to < day and (new := self._snap.aliases.get(code)) is not None \
                and unit.all_successors == (new,) and new not in seen:
            code = new
            seen.add(code)
        return code

    def recoded_from(self, organ_id: str) -> list[str]:
        """The former codes of a unit (its aliases, through chains of recodes): whose signing
        certificates are still its own."""
        found: list[str] = []
        todo = list(self._snap.units[organ_id].aliases) if organ_id in self._snap.units else []
        while todo:
            code = todo.pop()
            if code not in found and code != organ_id:
                found.append(code)
                if code in self._snap.units:
                    todo.extend(self._snap.units[code].aliases)
        return sorted(found)

    def predecessors(self, organ_id: str) -> list[str]:
        """Every unit that became this one, directly or through a chain of changes."""
        found: list[str] = []
        todo = list(self._snap.predecessors.get(organ_id, []))
        while todo:
            code = todo.pop()
            if code not in found and code != organ_id:
                found.append(code)
                todo.extend(self._snap.predecessors.get(code, []))
        return sorted(found)

    def direct_predecessors(self, organ_id: str) -> list[str]:
        return sorted(self._snap.predecessors.get(organ_id, []))

    def as_of(self, organ_id: str, day: dt.date) -> Unit | None:
        """The unit with the name, kind and parent it had on `day` (history, reports)."""
        unit = self.get(organ_id)
        if unit is None:
            return None
        for v in self._snap.versions.get(unit.organ_id, []):
            if v["valid_from"] <= day.isoformat() <= v["valid_to"]:
                return dataclasses.replace(unit, name=v["name"], kind=v["kind"],
                                           parent_id=v["parent_id"])
        return unit

    def described_on(self, organ_id: str, day: dt.date) -> dict[str, Any] | None:
        """Code, name and parent (code and name) of a unit as they were on `day`: what
        timelines, reports and exports show for an event of that day."""
        unit = self.as_of(organ_id, day)
        if unit is None:
            return None
        parent = self.as_of(unit.parent_id, day) if unit.parent_id else None
        return {"organ_id": unit.organ_id, "name": unit.name, "parent": unit.parent_id,
                "parent_name": parent.name if parent else None}

    def version_ends(self) -> dict[str, dt.date]:
        """Per unit with recorded history, the last day of its latest earlier version."""
        return {code: dt.date.fromisoformat(max(v["valid_to"] for v in versions))
                for code, versions in self._snap.versions.items() if versions}

    def units_on(self, day: dt.date) -> list[Unit]:
        """The units valid on `day`, as they were that day (coverage counts, KPIs)."""
        return [self.as_of(u.organ_id, day) or u for u in self._snap.units.values()
                if u.is_valid_on(day)]

    def resolve(self, code: str, day: dt.date, *, follow_successor: bool,
                all_successors: bool = False) -> Resolution | Unresolved:
        """Turn one To code into the day's recipients (aliases, successors, groups).

        A retired code follows a chain of single successors (merge, recode) with a trace; a
        split (several successors) or a dissolved unit (none) is unresolved, unless
        `all_successors` asks for every unit that carries the old one on."""
        code = _key(code)
        if code in self._snap.groups and code not in self._snap.units:
            members = self.expand_group(code, day)
            return Resolution(code, tuple(members), "group")
        unit = self.lookup(code)
        if unit is None:
            return Unresolved(code, "unknown")
        if unit.valid_from > day:
            return Unresolved(code, "not_yet_valid")
        if unit.is_valid_on(day):
            via = "unit" if unit.organ_id == code else "alias"
            note = "" if via == "unit" else f"routing: alias {code} → {unit.organ_id}"
            return Resolution(code, (unit.organ_id,), via, note)
        if not follow_successor:
            return Unresolved(code, "retired", unit.successor_id, unit.all_successors)
        path = [code] if unit.organ_id == code else [code, unit.organ_id]
        while not unit.is_valid_on(day) and len(unit.all_successors) == 1:
            nxt = self._snap.units.get(unit.all_successors[0])
            if nxt is None or nxt.organ_id in path:
                break
            unit = nxt
            path.append(unit.organ_id)
        trace = "routing: followed " + " → ".join(path)
        if unit.is_valid_on(day):
            return Resolution(code, (unit.organ_id,), "successor", trace)
        successors = unit.all_successors
        if not successors:
            return Unresolved(code, "dissolved")
        if not all_successors:
            return Unresolved(code, "split", successors[0], successors)
        reached = self._valid_successors(unit, day)
        if not reached:
            return Unresolved(code, "dissolved")
        return Resolution(code, tuple(reached), "successors",
                          f"{trace} → {', '.join(reached)}")

    def _valid_successors(self, unit: Unit, day: dt.date) -> list[str]:
        found: list[str] = []
        seen = {unit.organ_id}
        todo = list(unit.all_successors)
        while todo:
            nxt = self._snap.units.get(todo.pop(0))
            if nxt is None or nxt.organ_id in seen:
                continue
            seen.add(nxt.organ_id)
            if nxt.is_valid_on(day):
                found.append(nxt.organ_id)
            else:
                todo.extend(nxt.all_successors)
        return sorted(found)

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
