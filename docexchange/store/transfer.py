"""Copying a SQLite hub into an empty PostgreSQL database (`docexchange store migrate`).

Why a copy of rows rather than a dump: the two engines' schemas are written per engine
(migrations/ and migrations/postgresql/) but carry the same tables and columns, so every row
goes across as it is, in the order the migrations created the tables (parents before the rows
that refer to them). Blobs are not copied: `[storage] blobs` is a folder every node shares,
and rows refer to files by their SHA-256. `schema_migrations` is not copied either: the target
records its own engine's migrations, checked to be the same version first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docexchange.config import PostgresURL

#: Tables the copy leaves alone (the engines' own bookkeeping)
SKIPPED = frozenset({"schema_migrations", "sqlite_sequence"})
_PAGE = 5000


class TransferError(Exception):
    """The copy cannot start (a non-empty target, different schema versions); nothing was
    written to the target."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    copied: int


def source_tables(source: sqlite3.Connection) -> list[str]:
    """Tables in creation order (sqlite_master keeps it): referenced tables come first."""
    return [row[0] for row in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY rowid") if row[0] not in SKIPPED]


def schema_version_sqlite(source: sqlite3.Connection) -> int:
    row = source.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def schema_version_postgres(target: Any) -> int:
    row = target.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def target_has_rows(target: Any, tables: list[str]) -> str | None:
    """The first table of `tables` that already holds a row in the target, if any."""
    for table in tables:
        if target.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
            return table
    return None


def target_columns(target: Any, table: str) -> list[str]:
    return [row[0] for row in target.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = %s ORDER BY ordinal_position", (table,))]


def copy_table(source: sqlite3.Connection, target: Any, table: str) -> TableCount:
    """Every row of `table` with COPY (the fastest bulk path into PostgreSQL)."""
    here = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
    there = set(target_columns(target, table))
    missing = [column for column in here if column not in there]
    if missing:
        raise TransferError(f"table {table}: the target has no column {', '.join(missing)}")
    names = ", ".join(here)
    copied = 0
    with target.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        rows = source.execute(f"SELECT {names} FROM {table} ORDER BY rowid")
        while page := rows.fetchmany(_PAGE):
            for row in page:
                copy.write_row(row)
            copied += len(page)
    count = int(source.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    return TableCount(table, count, copied)


def reset_identities(target: Any, tables: list[str]) -> None:
    """Identity columns continue after the copied ids (rows were inserted with their ids)."""
    for table, column in target.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE "
            "table_schema = current_schema() AND is_identity = 'YES'").fetchall():
        if table in tables:
            target.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                           f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                           (table, column))


def copy_all(source_path: Path, target: Any) -> list[TableCount]:
    """Copy every table of the SQLite file at `source_path` into `target` (a psycopg
    connection whose schema is migrated), in ONE target transaction: all or nothing."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        source.execute("BEGIN")  # one snapshot, even if a hub still writes
        tables = source_tables(source)
        theirs = schema_version_postgres(target)
        ours = schema_version_sqlite(source)
        if theirs != ours:
            raise TransferError(f"schema versions differ: SQLite {ours}, PostgreSQL {theirs}")
        busy = target_has_rows(target, tables)
        if busy is not None:
            raise TransferError(f"the target database is not empty (table {busy} has rows)")
        counts = []
        with target.transaction():
            for table in tables:
                counts.append(copy_table(source, target, table))
            reset_identities(target, tables)
        return counts
    finally:
        source.close()


def copy_into(source_path: Path, target: PostgresURL) -> list[TableCount]:
    """`copy_all` on a connection of its own to `target`."""
    import psycopg

    with psycopg.connect(target.url, autocommit=True) as conn:
        return copy_all(source_path, conn)
