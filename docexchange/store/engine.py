"""SQLite engine: one writer thread with group commit, aiosqlite read connections.

Why a dedicated writer thread with the stdlib driver: every write is a synchronous named
transaction function `fn(conn) -> T`; the writer drains all queued functions into ONE
`BEGIN IMMEDIATE ... COMMIT`, each inside its own SAVEPOINT, so many documents share one fsync
(group commit) while a failing function rolls back only its own work. Callers get their result
only after COMMIT returned, i.e. after the batch is durable. Batch hooks run inside the same
transaction just before COMMIT (the evidence log signs its tree head there).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from docexchange.store.failures import is_storage_failure, storage_error
from docexchange.store.migrations import apply_migrations

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteFn = Callable[[sqlite3.Connection], Any]
BatchHook = Callable[[sqlite3.Connection], Any]


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class _Job:
    name: str
    fn: WriteFn
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


@dataclass
class BatchStats:
    batches: int = 0
    jobs: int = 0


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


class Database:
    """The hub's SQLite database: `write()` for named transactions, `fetch*()` for reads."""

    def __init__(self, path: Path, *, synchronous: str = "FULL", read_connections: int = 2,
                 max_batch: int = 256) -> None:
        self.path = path
        self._synchronous = synchronous
        self._max_batch = max_batch
        self._n_readers = read_connections
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._reader_list: list[aiosqlite.Connection] = []
        self._hooks: list[BatchHook] = []
        self._commit_hooks: list[Callable[[], None]] = []
        self._after_commit: list[Callable[[], None]] = []
        self._sync_readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._sync_reader_list: list[sqlite3.Connection] = []
        self.stats = BatchStats()

    async def open(self) -> None:
        """Apply migrations, start the writer thread, open the read connections."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        writer = connect(self.path, synchronous=self._synchronous)
        try:
            apply_migrations(writer)
        except BaseException:
            writer.close()
            raise
        self._thread = threading.Thread(target=self._run_writer, args=(writer,),
                                        name="docexchange-writer", daemon=True)
        self._thread.start()
        self._readers = asyncio.Queue()
        for _ in range(self._n_readers):
            conn = await aiosqlite.connect(f"file:{self.path}?mode=ro", uri=True,
                                           isolation_level=None)
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA busy_timeout = 30000")
            self._reader_list.append(conn)
            self._readers.put_nowait(conn)

    async def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
            self._thread = None
        for conn in self._reader_list:
            await conn.close()
        self._reader_list.clear()
        for sync_conn in self._sync_reader_list:
            sync_conn.close()
        self._sync_reader_list.clear()
        self._sync_readers = queue.SimpleQueue()

    def add_batch_hook(self, hook: BatchHook) -> None:
        """Run `hook(conn)` inside every write batch, after its jobs, before COMMIT."""
        self._hooks.append(hook)

    def add_commit_hook(self, hook: Callable[[], None]) -> None:
        """Run `hook()` in the writer thread once a batch is durable, before its callers
        are answered (e.g. to publish what a batch hook prepared)."""
        self._commit_hooks.append(hook)

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener()` on the event loop after every durable commit (inbox wake-ups)."""
        self._after_commit.append(listener)

    def remove_commit_listener(self, listener: Callable[[], None]) -> None:
        """Stop calling `listener` (a worker that stopped, e.g. its node lost the lead)."""
        if listener in self._after_commit:
            self._after_commit.remove(listener)

    def notify_commit_listeners(self) -> None:
        """Call the commit listeners now (on the event loop): another node committed."""
        for listener in list(self._after_commit):
            listener()

    async def write(self, name: str, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in a write transaction; returns once the batch holding it is durable."""
        if self._thread is None:
            raise RuntimeError("database is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Job(name, fn, future, loop))
        return await future

    # -- writer thread -------------------------------------------------------------------
    def _run_writer(self, conn: sqlite3.Connection) -> None:
        lock = os.open(self.path.with_name(self.path.name + ".writelock"),
                       os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                first = self._jobs.get()
                if first is None:
                    return
                # Hub processes sharing the database take turns here: a blocked flock wakes
                # the moment the holder commits, where SQLite's busy handler would sleep and
                # retry (long tails). Jobs arriving meanwhile join the batch.
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    batch, stop = self._drain(first)
                    self._run_batch(conn, batch)
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
                if stop:
                    return
        finally:
            os.close(lock)
            conn.close()

    def _drain(self, first: _Job) -> tuple[list[_Job], bool]:
        """The first job and whatever else is already queued (up to max_batch)."""
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return batch, False
            if job is None:
                return batch, True
            batch.append(job)
        return batch, False

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        results: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                results.append(self._run_job(conn, job))
            for hook in self._hooks:
                hook(conn)
            conn.execute("COMMIT")
        except BaseException as exc:  # the whole batch failed: nothing of it is durable
            log.exception("write batch failed")
            self._rollback(conn)
            for job in batch:
                self._settle(job, False, storage_error(exc))
            return
        for commit_hook in self._commit_hooks:
            try:
                commit_hook()
            except Exception:  # the batch IS durable: its callers must still hear so
                log.exception("commit hook failed")
        self.stats.batches += 1
        self.stats.jobs += len(batch)
        for job, (ok, value) in zip(batch, results, strict=True):
            self._settle(job, ok, value)
        loops = {job.loop for job in batch}
        for loop in loops:
            for listener in list(self._after_commit):
                loop.call_soon_threadsafe(listener)

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        """Undo a failed batch. On a full or failing disk SQLite may already have rolled back,
        or the ROLLBACK itself may fail: the writer thread must survive either way, so the
        next batch (after space returns) starts clean."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("rollback after a failed write batch failed")

    @staticmethod
    def _run_job(conn: sqlite3.Connection, job: _Job) -> tuple[bool, Any]:
        conn.execute("SAVEPOINT job")
        try:
            value = job.fn(conn)
        except Exception as exc:
            if is_storage_failure(exc):  # the disk, not this job: the batch cannot commit
                raise
            conn.execute("ROLLBACK TO job")
            conn.execute("RELEASE job")
            return False, exc
        conn.execute("RELEASE job")
        return True, value

    @staticmethod
    def _settle(job: _Job, ok: bool, value: Any) -> None:
        def resolve() -> None:
            if job.future.done():
                return
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)
        try:
            job.loop.call_soon_threadsafe(resolve)
        except RuntimeError:  # loop closed: the caller is gone
            pass

    # -- reads ---------------------------------------------------------------------------
    async def fetchall(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
                       ) -> list[aiosqlite.Row]:
        assert self._readers is not None, "database is not open"
        conn = await self._readers.get()
        try:
            async with conn.execute(sql, params) as cursor:
                return list(await cursor.fetchall())
        finally:
            self._readers.put_nowait(conn)

    async def read(self, name: str, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run the synchronous `fn(conn)` in a worker thread, in one read transaction (a
        consistent snapshot) on a read-only connection.

        For reads made of many small dependent queries (Merkle proofs walk O(log n) rows) or
        streamed (audit exports): they would cost one event-loop round trip per row through
        the aiosqlite connections. Never writes: the connection is opened read-only.
        """
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

    async def fetchone(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
                       ) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def is_writable(self) -> bool:
        """A real round trip through the writer (for /readyz)."""
        try:
            await asyncio.wait_for(self.write("ready_check", lambda c: c.execute(
                "SELECT 1").fetchone()), timeout=5)
        except Exception:
            return False
        return True
