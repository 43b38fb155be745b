"""SQLite engine: the shared writer thread (store/engine.py) on the stdlib driver, aiosqlite
read connections.

Why the stdlib driver for writes: the writer's `BEGIN IMMEDIATE ... COMMIT` must run on one
thread that owns the connection; reads go through aiosqlite so the event loop never blocks.
Hub processes sharing the file take turns with an flock beside it (see `_writer_turn`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import queue
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from docexchange.store.engine import DEFAULT_GATHER_US, Database
from docexchange.store.migrations import apply_migrations

log = logging.getLogger(__name__)
T = TypeVar("T")


def connect(path: Path, *, synchronous: str = "FULL", readonly: bool = False) -> sqlite3.Connection:
    """A stdlib connection in autocommit mode (we issue BEGIN ourselves)."""
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                           timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class SqliteDatabase(Database):
    """The hub's SQLite database file (WAL mode)."""

    engine = "sqlite"

    def __init__(self, path: Path, *, synchronous: str = "FULL", read_connections: int = 2,
                 max_batch: int = 256, gather_us: int = DEFAULT_GATHER_US) -> None:
        super().__init__(max_batch=max_batch, gather_us=gather_us)
        self.path = path
        self._synchronous = synchronous
        self._n_readers = read_connections
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._reader_list: list[aiosqlite.Connection] = []
        self._sync_readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._sync_reader_list: list[sqlite3.Connection] = []
        self._lock_fd: int | None = None

    async def open(self) -> None:
        """Apply migrations, start the writer thread, open the read connections."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        writer = connect(self.path, synchronous=self._synchronous)
        try:
            apply_migrations(writer)
        except BaseException:
            writer.close()
            raise
        self._lock_fd = os.open(self.path.with_name(self.path.name + ".writelock"),
                                os.O_RDWR | os.O_CREAT, 0o600)
        self._start_writer(writer)
        self._readers = asyncio.Queue()
        for _ in range(self._n_readers):
            conn = await aiosqlite.connect(f"file:{self.path}?mode=ro", uri=True,
                                           isolation_level=None)
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA busy_timeout = 30000")
            self._reader_list.append(conn)
            self._readers.put_nowait(conn)

    # -- writer ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """Hub processes sharing the database take turns here: a blocked flock wakes the
        moment the holder commits, where SQLite's busy handler would sleep and retry (long
        tails)."""
        assert self._lock_fd is not None
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _begin(self, tx: sqlite3.Connection) -> None:
        tx.execute("BEGIN IMMEDIATE")

    def _rollback(self, tx: sqlite3.Connection) -> sqlite3.Connection:
        """On a full or failing disk SQLite may already have rolled back, or the ROLLBACK
        itself may fail: the next batch (after space returns) starts clean either way."""
        try:
            if tx.in_transaction:
                tx.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("rollback after a failed write batch failed")
        return tx

    def _close_writer(self, tx: sqlite3.Connection) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        tx.close()

    # -- reads ---------------------------------------------------------------------------
    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
                       ) -> list[Any]:
        assert self._readers is not None, "database is not open"
        conn = await self._readers.get()
        try:
            async with conn.execute(sql, params) as cursor:
                return list(await cursor.fetchall())
        finally:
            self._readers.put_nowait(conn)

    async def read(self, name: str, fn: Callable[[Any], T]) -> T:
        """Never writes: the connection is opened read-only."""
        if self._thread is None:
            raise RuntimeError("database is not open")
        return await asyncio.to_thread(self._read_sync, name, fn)

    def _read_sync(self, name: str, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            conn = self._sync_readers.get_nowait()
        except queue.Empty:
            conn = connect(self.path, synchronous=self._synchronous, readonly=True)
            self._sync_reader_list.append(conn)
        try:
            conn.execute("BEGIN")
            try:
                return fn(conn)
            finally:
                conn.execute("COMMIT")
        finally:
            self._sync_readers.put(conn)
