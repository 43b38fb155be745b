import sqlite3
from pathlib import Path

import pytest

from docexchange.store.migrations import MigrationError, apply_migrations, load_migrations
from tests.conftest import HubEnv


def _write(d: Path, name: str, sql: str) -> None:
    (d / name).write_text(sql, encoding="utf-8")


def test_real_migrations_apply_once(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    applied = apply_migrations(conn)
    assert applied == [m.version for m in load_migrations()]
    assert apply_migrations(conn) == []
    rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    assert [r[1] for r in rows] == [m.checksum for m in load_migrations()]


def test_checksum_mismatch_is_detected(tmp_path: Path) -> None:
    mig = tmp_path / "m"
    mig.mkdir()
    _write(mig, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    apply_migrations(conn, mig)
    _write(mig, "0001_one.sql", "CREATE TABLE a (x INTEGER, y INTEGER);")
    with pytest.raises(MigrationError, match="checksum mismatch"):
        apply_migrations(conn, mig)


def test_failed_migration_leaves_nothing_half_built(tmp_path: Path) -> None:
    mig = tmp_path / "m"
    mig.mkdir()
    _write(mig, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    _write(mig, "0002_two.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    with pytest.raises(MigrationError, match="0002_two"):
        apply_migrations(conn, mig)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "a" in tables and "b" not in tables
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == [1]


def test_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    mig = tmp_path / "m"
    mig.mkdir()
    _write(mig, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    _write(mig, "0002_two.sql", "CREATE TABLE b (x INTEGER);")
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    apply_migrations(conn, mig)
    (mig / "0002_two.sql").unlink()
    with pytest.raises(MigrationError, match="newer than this hub"):
        apply_migrations(conn, mig)


def test_the_log_keeps_only_the_indexes_its_queries_use(sqlite_hub_env: HubEnv) -> None:
    """Every leaf updates every index of log_leaves inside the writer lock: the message-id
    index no query reads is gone (0013); time and kind serve the audit exports and pages."""
    conn = sqlite3.connect(sqlite_hub_env.config.storage.database)
    try:
        names = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log_leaves'")}
    finally:
        conn.close()
    assert names == {"log_leaves_time", "log_leaves_event"}
