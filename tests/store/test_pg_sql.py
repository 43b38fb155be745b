"""The store's ?-SQL as psycopg reads it, and rows that behave like sqlite3's."""

from __future__ import annotations

import pytest

from docexchange.store.pg_sql import row_class, translate


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = %s AND c = %s"),
    ("SELECT '?', \"?\" FROM t WHERE x = ?", "SELECT '?', \"?\" FROM t WHERE x = %s"),
    ("SELECT 'it''s ?' WHERE x = ?", "SELECT 'it''s ?' WHERE x = %s"),
    ("SELECT x % 2, '%s' FROM t", "SELECT x %% 2, '%%s' FROM t"),  # psycopg unescapes all
    ("SELECT 1 -- why? 100%\nWHERE y = ?", "SELECT 1 -- why? 100%%\nWHERE y = %s"),
    ("SELECT 1 /* ? */ WHERE y = ?", "SELECT 1 /* ? */ WHERE y = %s"),
    ("WHERE name LIKE ? ESCAPE '\\'", "WHERE name ILIKE %s ESCAPE '\\'"),
    ("WHERE name NOT LIKE 'LIKE'", "WHERE name NOT ILIKE 'LIKE'"),
    ("WHERE instr(units, ?) > 0", "WHERE strpos(units, %s) > 0"),
    ("WHERE a = :name AND b::text = ':x'", "WHERE a = %(name)s AND b::text = ':x'"),
])
def test_translation_touches_nothing_inside_literals(sql: str, expected: str) -> None:
    assert translate(sql) == expected


def test_translations_are_cached() -> None:
    sql = "SELECT ? AS cached_once"
    translate(sql)
    hits = translate.cache_info().hits
    translate(sql)
    assert translate.cache_info().hits == hits + 1


def test_rows_answer_by_position_and_by_name_and_equal_tuples() -> None:
    row = row_class(("organ_id", "Name", "organ_id"))(("a", "b", "c"))
    assert row == ("a", "b", "c") and row[0] == "a" and row[-1] == "c"
    assert row["name"] == "b" and row["NAME"] == "b" and row["organ_id"] == "a"
    assert row.keys() == ["organ_id", "Name", "organ_id"]
    assert dict(row_class(("x", "y"))((1, 2))) == {"x": 1, "y": 2}
    assert row_class(("organ_id", "Name", "organ_id")) is type(row)  # one class per shape
    with pytest.raises(IndexError):
        row["missing"]
