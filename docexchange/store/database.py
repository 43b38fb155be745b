"""Opening the database a configuration names: a SQLite file or a PostgreSQL server.

The one place that chooses an engine, so the hub, `init` and every CLI command open the same
kind of database the same way.
"""

from __future__ import annotations

from pathlib import Path

from docexchange.config import PostgresURL, StorageConfig
from docexchange.store.engine import Database


def make_database(storage: StorageConfig) -> Database:
    """The engine for `storage.database`, not yet opened."""
    if isinstance(storage.database, PostgresURL):
        from docexchange.store.postgres import PostgresDatabase

        return PostgresDatabase(storage.database, read_connections=storage.read_connections,
                                max_batch=storage.max_batch, gather_us=storage.batch_gather_us)
    from docexchange.store.sqlite import SqliteDatabase

    return SqliteDatabase(storage.database, synchronous=storage.synchronous,
                          read_connections=storage.read_connections,
                          max_batch=storage.max_batch, gather_us=storage.batch_gather_us)


async def open_database(storage: StorageConfig) -> Database:
    """The engine for `storage.database`, migrated and open."""
    db = make_database(storage)
    await db.open()
    return db


def database_exists(storage: StorageConfig) -> bool:
    """Whether the hub's schema is already there (`init --if-needed` does nothing then)."""
    if isinstance(storage.database, Path):
        return storage.database.exists()
    from docexchange.store.postgres import connect

    with connect(storage.database) as conn:
        row = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    return bool(row and row[0])
