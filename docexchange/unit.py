"""A unit of the province (sở, ban, ngành, huyện, xã ...) as the hub knows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KINDS = ("province", "office", "department", "district", "commune", "other")
MAX_ORGAN_ID = 35


@dataclass(frozen=True)
class Unit:
    organ_id: str
    name: str
    kind: str
    parent_id: str | None = None
    valid_from: dt.date = dt.date(2000, 1, 1)
    valid_to: dt.date | None = None
    successor_id: str | None = None
    aliases: tuple[str, ...] = field(default=())
    organization_in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""
    #: Every successor after a merge, split or recode (successor_id is the first, kept for the
    #: CSV and older readers); empty for a unit that is valid or was dissolved.
    successors: tuple[str, ...] = field(default=())
    #: The OrganId is the hub's own placeholder: no official code is known yet.
    placeholder: bool = False

    @property
    def all_successors(self) -> tuple[str, ...]:
        return self.successors or ((self.successor_id,) if self.successor_id else ())

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def to_json(self) -> dict[str, object]:
        return {
            "organ_id": self.organ_id,
            "name": self.name,
            "kind": self.kind,
            "parent": self.parent_id,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "successor": self.successor_id,
            "successors": list(self.all_successors),
            "placeholder": self.placeholder,
            "aliases": list(self.aliases),
            "organization_in_charge": self.organization_in_charge,
            "address": self.address,
            "email": self.email,
            "telephone": self.telephone,
            "fax": self.fax,
            "website": self.website,
        }
