"""Numbered SQL migrations with recorded checksums.

Files are `NNNN_name.sql` beside this module. Each is applied in its own transaction together
with its row in `schema_migrations`, so a failed migration leaves nothing half-built. A changed
file (checksum mismatch) or a database newer than this code stops the start.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from docexchange.errors import StorageError

MIGRATIONS_DIR = Path(__file__).resolve().parent
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
    """Apply what is pending; returns the versions applied now."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_ts INTEGER NOT NULL)")
    known = load_migrations(directory)
    applied = {row[0]: row[1] for row in
               conn.execute("SELECT version, checksum FROM schema_migrations")}
    newest = max(applied, default=0)
    if newest > len(known):
        raise MigrationError(f"database schema version {newest} is newer than this hub "
                             f"(knows {len(known)}); upgrade docexchange")
    for migration in known:
        if migration.version in applied and applied[migration.version] != migration.checksum:
            raise MigrationError(f"migration {migration.version:04d}_{migration.name} was "
                                 "changed after it was applied (checksum mismatch)")
    done = []
    for migration in known:
        if migration.version not in applied:
            _apply_one(conn, migration)
            done.append(migration.version)
    return done


def _apply_one(conn: sqlite3.Connection, migration: Migration) -> None:
    record = ("INSERT INTO schema_migrations (version, name, checksum, applied_ts) VALUES "
              f"({migration.version}, '{migration.name}', '{migration.checksum}', "
              f"{int(time.time() * 1000)});")
    try:
        conn.executescript("BEGIN IMMEDIATE;\n" + migration.sql + "\n" + record + "\nCOMMIT;")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise MigrationError(f"migration {migration.version:04d}_{migration.name} failed: "
                             f"{exc}") from exc
