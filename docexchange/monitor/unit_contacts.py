"""Whom operators call at a unit: one contact person, phone and e-mail per unit.

Admins edit a contact on the dashboard; the directory CSV may carry the optional columns
`contact_person`, `contact_phone`, `contact_email` (`units import` and `init` read them,
`units export` writes them, and files without them import as before). Each change by an
operator is an evidence log event (`unit_contact_changed`) in the same transaction as the row.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from typing import Any

from docexchange.accounts.operators import Operator
from docexchange.errors import DocExchangeError
from docexchange.hub import Hub
from docexchange.store import units as unit_store
from docexchange.store.tx import Tx

CSV_COLUMNS = ("contact_person", "contact_phone", "contact_email")
MAX_FIELD = 200


@dataclass(frozen=True)
class Contact:
    organ_id: str
    person: str = ""
    phone: str = ""
    email: str = ""

    def to_json(self) -> dict[str, str]:
        return {"person": self.person, "phone": self.phone, "email": self.email}


def _clean(value: object) -> str:
    return unicodedata.normalize("NFC", str(value or "").strip())


def checked(organ_id: str, person: object, phone: object, email: object) -> Contact:
    """A contact with its fields trimmed; raises DX_INVALID_UNIT for an unusable value."""
    contact = Contact(organ_id, _clean(person), _clean(phone), _clean(email))
    for name, value in (("person", contact.person), ("phone", contact.phone),
                        ("email", contact.email)):
        if len(value) > MAX_FIELD or any(ord(c) < 32 for c in value):
            raise DocExchangeError("DX_INVALID_UNIT", f"Trường liên hệ {name} không hợp lệ.",
                                   f"The contact field {name} is not valid.", field=name)
    if contact.email and ("@" not in contact.email or " " in contact.email):
        raise DocExchangeError("DX_INVALID_UNIT", "Địa chỉ thư điện tử không hợp lệ.",
                               "The e-mail address is not valid.", field="email")
    return contact


async def get_contact(hub: Hub, organ_id: str) -> Contact:
    row = await unit_store.contact(hub.db, organ_id)
    if row is None:
        return Contact(organ_id)
    return Contact(organ_id, row["person"], row["phone"], row["email"])


async def all_contacts(hub: Hub) -> dict[str, tuple[str, str, str]]:
    """Every unit's (person, phone, e-mail), for `units export`."""
    rows = await unit_store.contacts(hub.db)
    return {code: (r["person"], r["phone"], r["email"]) for code, r in rows.items()}


async def set_contact(hub: Hub, contact: Contact, operator: Operator) -> Contact:
    """Store an admin's edit and log it; only admins may change a contact."""
    if not operator.is_admin:
        raise DocExchangeError("DX_FORBIDDEN", "Cần quyền quản trị.", "Admin role required.")
    if hub.directory.get(contact.organ_id) is None:
        raise DocExchangeError("DX_NOT_FOUND", "Không có đơn vị với mã này.",
                               "No unit has this code.", organ_id=contact.organ_id)

    def txn(conn: Tx) -> None:
        unit_store.upsert_contact_txn(conn, contact.organ_id, contact.person, contact.phone,
                                      contact.email, hub.clock.now_ms(), operator.name)
        hub.evidence.append_txn(conn, "unit_contact_changed", {
            "operator": operator.name, "unit": contact.organ_id, **contact.to_json()},
            units=(contact.organ_id,))
    await hub.db.write("set_unit_contact", txn)
    return contact


def read_contacts_csv(text: str) -> list[Contact]:
    """The contacts of a directory CSV; [] when it has none of the contact columns (the
    older format), so importing such a file never erases contacts edited by admins."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not set(CSV_COLUMNS) & set(reader.fieldnames or []):
        return []
    found = []
    for row in reader:
        values: dict[str, Any] = {c: row.get(c) for c in CSV_COLUMNS}
        if row.get("organ_id") and any(_clean(v) for v in values.values()):
            found.append(checked(_clean(row["organ_id"]), values["contact_person"],
                                 values["contact_phone"], values["contact_email"]))
    return found


def import_contacts_txn(conn: Tx, contacts: list[Contact], ts: int) -> None:
    """Inside the import's transaction (the units must be there first)."""
    for c in contacts:
        unit_store.upsert_contact_txn(conn, c.organ_id, c.person, c.phone, c.email, ts,
                                      "import")
