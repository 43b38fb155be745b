"""Unit directory CSV, in and out (the format of config/demo-province.csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from docexchange.errors import DocExchangeError
from docexchange.unit import KINDS, MAX_ORGAN_ID, Unit

COLUMNS = ("organ_id", "name", "kind", "parent", "valid_from", "valid_to", "aliases",
           "organization_in_charge", "address", "email", "telephone", "fax", "website",
           "successor", "placeholder")
#: Read by monitor/unit_contacts.py on import, written here on export (a round trip keeps them).
CONTACT_COLUMNS = ("contact_person", "contact_phone", "contact_email")


def _invalid(line: int, column: str, why_en: str, why_vi: str) -> DocExchangeError:
    return DocExchangeError(
        "DX_INVALID_UNIT", f"Dòng {line}, cột {column}: {why_vi}",
        f"Line {line}, column {column}: {why_en}", errors=[{"line": line, "column": column}])


def _date(value: str, line: int, column: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _invalid(line, column, f"not a date (yyyy-mm-dd): {value!r}",
                       f"không phải ngày (yyyy-mm-dd): {value!r}") from None


def read_units_csv(text: str) -> list[Unit]:
    """Parse and check a directory CSV; raises DX_INVALID_UNIT naming line and column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("organ_id", "name", "kind") if c not in (reader.fieldnames or [])]
    if missing:
        raise _invalid(1, missing[0], "required column missing", "thiếu cột bắt buộc")
    units = []
    for line, row in enumerate(reader, start=2):
        units.append(_unit_from_row(row, line))
    return units


def _unit_from_row(row: dict[str, str], line: int) -> Unit:
    get = lambda key: unicodedata.normalize("NFC", (row.get(key) or "").strip())  # noqa: E731
    organ_id = get("organ_id")
    if not organ_id or len(organ_id) > MAX_ORGAN_ID:
        raise _invalid(line, "organ_id", f"must be 1 to {MAX_ORGAN_ID} characters",
                       f"phải dài từ 1 đến {MAX_ORGAN_ID} ký tự")
    if get("kind") not in KINDS:
        raise _invalid(line, "kind", f"must be one of {', '.join(KINDS)}",
                       f"phải là một trong {', '.join(KINDS)}")
    if not get("name"):
        raise _invalid(line, "name", "must not be empty", "không được để trống")
    # several successors (a split) are written "A;B"
    successors = tuple(s.strip() for s in get("successor").split(";") if s.strip())
    return Unit(
        organ_id=organ_id, name=get("name"), kind=get("kind"),
        parent_id=get("parent") or None,
        valid_from=_date(get("valid_from"), line, "valid_from") or dt.date(2000, 1, 1),
        valid_to=_date(get("valid_to"), line, "valid_to"),
        aliases=tuple(a.strip() for a in get("aliases").split(";") if a.strip()),
        organization_in_charge=get("organization_in_charge"), address=get("address"),
        email=get("email"), telephone=get("telephone"), fax=get("fax"),
        website=get("website"), successor_id=successors[0] if successors else None,
        successors=successors, placeholder=get("placeholder").lower() in ("yes", "1", "true"),
    )


def write_units_csv(units: Iterable[Unit],
                    contacts: Mapping[str, Sequence[str]] | None = None) -> str:
    """The directory as CSV; `contacts` maps an OrganId to (person, phone, e-mail), written
    in the contact columns that `units import` reads back."""
    contacts = contacts or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*COLUMNS, *CONTACT_COLUMNS))
    for u in units:
        writer.writerow([u.organ_id, u.name, u.kind, u.parent_id or "",
                         u.valid_from.isoformat(), u.valid_to.isoformat() if u.valid_to else "",
                         ";".join(u.aliases), u.organization_in_charge, u.address, u.email,
                         u.telephone, u.fax, u.website, ";".join(u.all_successors),
                         "yes" if u.placeholder else "",
                         *(contacts.get(u.organ_id) or ("", "", ""))])
    return out.getvalue()
