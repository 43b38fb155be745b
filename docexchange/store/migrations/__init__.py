"""Numbered SQL migrations with recorded checksums, one set per engine.

SQLite's files are `NNNN_name.sql` beside this module; PostgreSQL's are in `postgresql/`, one
per SQLite file with the same number and name (a test keeps the two sets' tables and columns
equal). Each is applied in its own transaction together with its row in `schema_migrations`,
so a failed migration leaves nothing half-built. A changed file (checksum mismatch) or a
database newer than this code stops the start.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docexchange.errors import StorageError

MIGRATIONS_DIR = Path(__file__).resolve().parent
POSTGRES_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
#: pg_advisory_lock key held while a node migrates (nodes starting together wait); "dxmigr"
_MIGRATE_LOCK = 0x6478_6D69_6772
_SCHEMA_TABLE = ("CREATE TABLE IF NOT EXISTS schema_migrations (version {int} PRIMARY KEY, "
                 "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_ts {int} NOT NULL)")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(StorageError):
    """The database and this code disagree about the schema."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"badly named migration file {path.name}")
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migrations must be numbered 1..n without gaps, got {versions}")
    return found


def apply_migrations(conn: sqlite3.Connection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply what is pending to a SQLite database; returns the versions applied now."""
    conn.execute(_SCHEMA_TABLE.format(int="INTEGER"))
    known = load_migrations(directory)
    applied = {row[0]: row[1] for row in
               conn.execute("SELECT version, checksum FROM schema_migrations")}
    done = []
    for migration in pending(known, applied):
        _apply_one(conn, migration)
        done.append(migration.version)
    return done


def apply_postgres_migrations(conn: Any, directory: Path = POSTGRES_MIGRATIONS_DIR
                              ) -> list[int]:
    """Apply what is pending to a PostgreSQL database (`conn`: a psycopg connection in
    autocommit mode); returns the versions applied now. Nodes starting at the same time take
    turns under an advisory lock, so each migration runs once."""
    known = load_migrations(directory)
    conn.execute(f"SELECT pg_advisory_lock({_MIGRATE_LOCK})")
    try:
        conn.execute(_SCHEMA_TABLE.format(int="BIGINT"))
        applied = {row[0]: row[1] for row in
                   conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()}
        done = []
        for migration in pending(known, applied):
            _apply_one_postgres(conn, migration)
            done.append(migration.version)
        return done
    finally:
        conn.execute(f"SELECT pg_advisory_unlock({_MIGRATE_LOCK})")


def pending(known: list[Migration], applied: dict[int, str]) -> list[Migration]:
    """The migrations still to apply, after checking the applied ones are the known ones."""
    newest = max(applied, default=0)
    if newest > len(known):
        raise MigrationError(f"database schema version {newest} is newer than this hub "
                             f"(knows {len(known)}); upgrade docexchange")
    for migration in known:
        if migration.version in applied and applied[migration.version] != migration.checksum:
            raise MigrationError(f"migration {migration.version:04d}_{migration.name} was "
                                 "changed after it was applied (checksum mismatch)")
    return [m for m in known if m.version not in applied]


def _record(migration: Migration) -> str:
    return ("INSERT INTO schema_migrations (version, name, checksum, applied_ts) VALUES "
            f"({migration.version}, '{migration.name}', '{migration.checksum}', "
            f"{int(time.time() * 1000)});")


def _apply_one(conn: sqlite3.Connection, migration: Migration) -> None:
    try:
        conn.executescript("BEGIN IMMEDIATE;\n" + migration.sql + "\n" + _record(migration)
                           + "\nCOMMIT;")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise MigrationError(f"migration {migration.version:04d}_{migration.name} failed: "
                             f"{exc}") from exc


def _apply_one_postgres(conn: Any, migration: Migration) -> None:
    import psycopg  # only a hub on PostgreSQL needs the driver loaded

    try:
        with conn.transaction():
            conn.execute(migration.sql)
            conn.execute(_record(migration))
    except psycopg.Error as exc:
        raise MigrationError(f"migration {migration.version:04d}_{migration.name} failed: "
                             f"{exc}") from exc
