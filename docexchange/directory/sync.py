"""Directory sync: a national or provincial code list, compared with ours as a reviewed diff.

Two shapes come in: the national axis's agency list (getAgenciesList / getSynchronizeUnit,
`{"data": [{"id", "pid", "code", "name", "mail", "deleted"?}]}`, docs/reorganisation.md §5)
and the CSV of `units import`. The diff says what is new, changed and gone; a new official
code whose name matches a unit with a placeholder OrganId *replaces* it (a recode: the
placeholder becomes an alias, documents sent to it follow). Nothing is written until the
operator has read the diff and asks for --apply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from docexchange.directory.csvio import read_units_csv
from docexchange.errors import DocExchangeError
from docexchange.unit import MAX_ORGAN_ID, Unit


@dataclass
class SyncDiff:
    new: list[Unit] = field(default_factory=list)
    changed: list[tuple[Unit, Unit, list[str]]] = field(default_factory=list)  # old, new, fields
    gone: list[Unit] = field(default_factory=list)
    replaces: list[tuple[Unit, Unit]] = field(default_factory=list)  # placeholder, official

    def lines(self) -> list[str]:
        out = [f"new      {u.organ_id} {u.name}" for u in self.new]
        out += [f"replaces {p.organ_id} (placeholder) → {u.organ_id} {u.name}"
                for p, u in self.replaces]
        out += [f"changed  {new.organ_id} " + "; ".join(
            f"{f}: {getattr(old, f)!r} → {getattr(new, f)!r}" for f in fields)
            for old, new, fields in self.changed]
        out += [f"gone     {u.organ_id} {u.name}" for u in self.gone]
        out.append(f"{len(self.new)} new, {len(self.replaces)} replacing placeholders, "
                   f"{len(self.changed)} changed, {len(self.gone)} gone")
        return out


def _bad(why_en: str, why_vi: str) -> DocExchangeError:
    return DocExchangeError("DX_INVALID_UNIT", f"Danh sách đơn vị không hợp lệ: {why_vi}",
                            f"Invalid unit list: {why_en}")


def read_agency_list(text: str, known: dict[str, Unit]) -> tuple[list[Unit], set[str]]:
    """Units from an axis agency list, and the codes it marks deleted. The list carries no
    kind: a known unit keeps its own, a new one is 'other' until an operator says more."""
    try:
        body: Any = json.loads(text)
    except ValueError:
        raise _bad("not JSON", "không phải JSON") from None
    items = body.get("data") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise _bad("no 'data' array", "không có mảng 'data'")
    by_id = {str(i.get("id", "")): i for i in items if isinstance(i, dict)}
    units: list[Unit] = []
    deleted: set[str] = set()
    for item in by_id.values():
        code = unicodedata.normalize("NFC", str(item.get("code") or "").strip())
        if not code or len(code) > MAX_ORGAN_ID or not str(item.get("name") or "").strip():
            raise _bad(f"item {item.get('id')!r} needs a code (≤{MAX_ORGAN_ID}) and a name",
                       f"mục {item.get('id')!r} cần mã (≤{MAX_ORGAN_ID}) và tên")
        if item.get("deleted") is True:
            deleted.add(code)
            continue
        parent = by_id.get(str(item.get("pid") or ""))
        old = known.get(code)
        units.append(Unit(
            organ_id=code, name=unicodedata.normalize("NFC", str(item["name"]).strip()),
            kind=old.kind if old else "other",
            parent_id=str(parent["code"]).strip() if parent else (old.parent_id if old else None),
            email=str(item.get("mail") or "").strip()))
    return units, deleted


def read_list(text: str, fmt: str, known: dict[str, Unit]) -> tuple[list[Unit], set[str]]:
    if fmt == "agencies" or (fmt == "auto" and text.lstrip().startswith(("{", "["))):
        return read_agency_list(text, known)
    return read_units_csv(text), set()


def _same_name(a: str, b: str) -> bool:
    norm = lambda s: " ".join(unicodedata.normalize("NFC", s).casefold().split())  # noqa: E731
    return norm(a) == norm(b)


def diff(incoming: list[Unit], deleted: set[str], known: dict[str, Unit], day: dt.date,
         compare: tuple[str, ...]) -> SyncDiff:
    """What the list changes, against the units valid on `day`. `compare`: the fields the
    list really carries (an agency list has no address; absence is not a change)."""
    out = SyncDiff()
    aliases = {a for u in known.values() for a in u.aliases}
    placeholders = [u for u in known.values() if u.placeholder and u.is_valid_on(day)]
    seen = set()
    for unit in incoming:
        seen.add(unit.organ_id)
        old = known.get(unit.organ_id)
        if old is None and unit.organ_id not in aliases:
            match = next((p for p in placeholders if _same_name(p.name, unit.name)), None)
            if match is not None:
                out.replaces.append((match, unit))
                seen.add(match.organ_id)
            else:
                out.new.append(dataclasses.replace(unit, valid_from=day))
            continue
        if old is None:
            continue
        fields = [f for f in compare if getattr(old, f) != getattr(unit, f)]
        if fields:
            out.changed.append((old, dataclasses.replace(
                old, **{f: getattr(unit, f) for f in fields}), fields))
    for unit in known.values():
        if unit.is_valid_on(day) and not unit.placeholder and (
                unit.organ_id in deleted or unit.organ_id not in seen):
            out.gone.append(unit)
    return out
