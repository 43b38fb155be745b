"""PostgreSQL's migration set: the same versions, tables and columns as SQLite's, applied
once, checksummed, and refusing a database newer than the code."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docexchange.config import PostgresURL
from docexchange.store.migrations import (
    POSTGRES_MIGRATIONS_DIR,
    MigrationError,
    apply_migrations,
    apply_postgres_migrations,
    load_migrations,
)
from docexchange.store.postgres import connect


@pytest.fixture
def pg(pg_url: PostgresURL) -> Iterator[Any]:
    with connect(pg_url) as conn:
        yield conn


def _write(d: Path, name: str, sql: str) -> None:
    (d / name).write_text(sql, encoding="utf-8")


def test_both_sets_have_the_same_versions_and_names() -> None:
    sqlite_set = [(m.version, m.name) for m in load_migrations()]
    postgres_set = [(m.version, m.name) for m in load_migrations(POSTGRES_MIGRATIONS_DIR)]
    assert postgres_set == sqlite_set


def test_both_engines_end_with_the_same_tables_and_columns(pg: Any, tmp_path: Path) -> None:
    lite = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    apply_migrations(lite)
    tables = [r[0] for r in lite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    on_sqlite = {(t, c[1], bool(c[3]), c[5] > 0) for t in tables
                 for c in lite.execute(f"PRAGMA table_info({t})")}
    apply_postgres_migrations(pg)
    keys = {(r[0], r[1]) for r in pg.execute(
        "SELECT tc.table_name, k.column_name FROM information_schema.table_constraints tc "
        "JOIN information_schema.key_column_usage k USING (constraint_name, table_schema) "
        "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'")}
    on_postgres = {(r[0], r[1], r[2] == "NO" and (r[0], r[1]) not in keys, (r[0], r[1]) in keys)
                   for r in pg.execute(
                       "SELECT table_name, column_name, is_nullable FROM "
                       "information_schema.columns WHERE table_schema = 'public'")}
    # SQLite reports NOT NULL only where written; a PRIMARY KEY is NOT NULL on PostgreSQL
    on_sqlite = {(t, c, nn and not pk, pk) for t, c, nn, pk in on_sqlite}
    assert on_postgres == on_sqlite


def test_integers_are_64_bit_and_blobs_bytea(pg: Any) -> None:
    apply_postgres_migrations(pg)
    types = {r[0] for r in pg.execute(
        "SELECT DISTINCT data_type FROM information_schema.columns "
        "WHERE table_schema = 'public'")}
    assert types == {"bigint", "text", "bytea"}


def test_real_migrations_apply_once(pg: Any) -> None:
    known = load_migrations(POSTGRES_MIGRATIONS_DIR)
    assert apply_postgres_migrations(pg) == [m.version for m in known]
    assert apply_postgres_migrations(pg) == []
    rows = pg.execute("SELECT checksum FROM schema_migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [m.checksum for m in known]


def test_checksum_mismatch_is_detected(pg: Any, tmp_path: Path) -> None:
    _write(tmp_path, "0001_one.sql", "CREATE TABLE a (x BIGINT);")
    apply_postgres_migrations(pg, tmp_path)
    _write(tmp_path, "0001_one.sql", "CREATE TABLE a (x BIGINT, y BIGINT);")
    with pytest.raises(MigrationError, match="checksum mismatch"):
        apply_postgres_migrations(pg, tmp_path)


def test_failed_migration_leaves_nothing_half_built(pg: Any, tmp_path: Path) -> None:
    _write(tmp_path, "0001_one.sql", "CREATE TABLE a (x BIGINT);")
    _write(tmp_path, "0002_two.sql", "CREATE TABLE b (x BIGINT);\nINSERT INTO nowhere VALUES (1);")
    with pytest.raises(MigrationError, match="0002_two"):
        apply_postgres_migrations(pg, tmp_path)
    tables = {r[0] for r in pg.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
    assert "a" in tables and "b" not in tables
    assert [r[0] for r in pg.execute("SELECT version FROM schema_migrations")] == [1]


def test_database_newer_than_the_code_is_refused(pg: Any, tmp_path: Path) -> None:
    _write(tmp_path, "0001_one.sql", "CREATE TABLE a (x BIGINT);")
    _write(tmp_path, "0002_two.sql", "CREATE TABLE b (x BIGINT);")
    apply_postgres_migrations(pg, tmp_path)
    (tmp_path / "0002_two.sql").unlink()
    with pytest.raises(MigrationError, match="newer than this hub"):
        apply_postgres_migrations(pg, tmp_path)
