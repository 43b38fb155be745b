"""The demo directory (Phú Yên as it was in 2018) stays loadable and internally consistent."""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

DEMO_CSV = Path(__file__).resolve().parents[2] / "config" / "demo-province.csv"

COLUMNS = [
    "organ_id",
    "name",
    "kind",
    "parent",
    "valid_from",
    "valid_to",
    "aliases",
    "organization_in_charge",
    "address",
    "email",
    "telephone",
    "fax",
    "website",
]
KINDS = {"province", "office", "department", "district", "commune", "other"}
PROVINCE = "000.00.00.H45"
SONG_HINH = "000.00.31.H45"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with DEMO_CSV.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def by_id(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["organ_id"]: row for row in rows}


def test_enough_units(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 100


def test_every_row_has_every_column(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert None not in row, f"extra cells in {row['organ_id']}"
        assert all(value is not None for value in row.values()), row["organ_id"]


def test_organ_ids_unique_and_short(rows: list[dict[str, str]]) -> None:
    counts = Counter(row["organ_id"] for row in rows)
    assert [code for code, n in counts.items() if n > 1] == []
    for code in counts:
        assert code and code == code.strip() and len(code) <= 35, code


def test_kinds_valid(rows: list[dict[str, str]]) -> None:
    assert {row["kind"] for row in rows} <= KINDS


def test_exactly_one_province_without_parent(rows: list[dict[str, str]]) -> None:
    roots = [row for row in rows if not row["parent"]]
    assert [(r["organ_id"], r["kind"]) for r in roots] == [(PROVINCE, "province")]


def test_every_parent_exists(by_id: dict[str, dict[str, str]]) -> None:
    for code, row in by_id.items():
        if row["parent"]:
            assert row["parent"] in by_id, f"{code}: unknown parent {row['parent']}"
            assert row["parent"] != code


def test_communes_hang_under_districts(by_id: dict[str, dict[str, str]]) -> None:
    for code, row in by_id.items():
        if row["kind"] == "commune":
            assert by_id[row["parent"]]["kind"] == "district", code


def test_aliases_do_not_shadow_codes(by_id: dict[str, dict[str, str]]) -> None:
    aliases = [a for row in by_id.values() for a in row["aliases"].split(";") if a]
    assert aliases, "the demo should exercise aliases"
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & set(by_id)


def test_validity_dates(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert row["valid_from"] == "2018-01-01", row["organ_id"]
        assert row["valid_to"] == "", row["organ_id"]


def test_mandatory_units(by_id: dict[str, dict[str, str]]) -> None:
    assert by_id[PROVINCE]["name"] == "UBND tỉnh Phú Yên"
    assert by_id["000.00.12.H45"]["name"] == "Sở Nội vụ"
    assert by_id["000.00.12.H45"]["parent"] == PROVINCE
    assert by_id[SONG_HINH]["name"] == "UBND huyện Sông Hinh"
    assert by_id[SONG_HINH]["kind"] == "district"


def test_song_hinh_communes(rows: list[dict[str, str]]) -> None:
    names = {row["name"] for row in rows if row["parent"] == SONG_HINH}
    assert "UBND xã Sơn Giang" in names
    assert "UBND thị trấn Hai Riêng" in names
    assert len(names) == 11


def test_nine_districts(rows: list[dict[str, str]]) -> None:
    districts = [row for row in rows if row["kind"] == "district"]
    assert len(districts) == 9
    assert all(row["parent"] == PROVINCE for row in districts)


def test_text_is_nfc(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, value in row.items():
            assert unicodedata.is_normalized("NFC", value), (row["organ_id"], column)
