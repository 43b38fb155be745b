"""Electing the one hub node that runs a singleton job (outbound workers, alert rules).

Several hub processes share one database: `serve --workers N` on one machine with SQLite, or
several machines on one PostgreSQL. Some work must run exactly once among them: N push workers
would push each document N times, N alert loops would raise and e-mail each alert N times.

- SQLite: a non-blocking `flock` on a file beside the database. The kernel releases it when
  the holder dies, even by SIGKILL, and another process takes over.
- PostgreSQL: a session-level `pg_try_advisory_lock` on a dedicated connection. The server
  releases it when that session ends, i.e. when the node dies or its connection breaks; the
  holder checks its connection every `interval` and steps down when it is gone (it may no
  longer hold the lock, and another node may already have taken it).

Callers use `lead(leadership, job)`: wait to be elected, run `job()` until it ends or the
leadership is lost, then try again.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import socket
import zlib
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

from docexchange.config import PostgresURL, StorageConfig

log = logging.getLogger(__name__)

#: First half of every advisory lock key the hub takes ("DX"): keeps our locks apart from
#: other applications sharing the PostgreSQL server.
ADVISORY_CLASS = 0x4458


def postgresql_url(database: object) -> str | None:
    """The connection URL (password included) when `[storage] database` names a PostgreSQL
    server rather than a SQLite file; None for a file."""
    if isinstance(database, PostgresURL):
        return database.url
    text = database if isinstance(database, str) else ""
    return text if text.startswith(("postgresql://", "postgres://")) else None


def leader_name(name: str) -> str:
    """What the leader's session shows in pg_stat_activity.application_name: the job and the
    node's host and process, so an operator (and the failover test) sees who leads."""
    return f"docexchange {name} leader {socket.gethostname()}:{os.getpid()}"[:63]


def advisory_key(name: str) -> int:
    """A stable 31-bit key for a lock name (the same on every node and every release)."""
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


class Leadership(Protocol):
    name: str

    async def try_take(self) -> bool:
        """Become the leader if nobody is; True when this process now holds the lead."""
        ...

    async def still_held(self) -> bool:
        """False once the lead can no longer be trusted (e.g. the connection broke)."""
        ...

    async def release(self) -> None: ...


class FileLeadership:
    """SQLite: a flock on `<database>.<name>.lock` (StorageConfig.lock_path)."""

    def __init__(self, lock_path: Path, name: str) -> None:
        self.name = name
        self._path = lock_path
        self._fd: int | None = None

    async def try_take(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def still_held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class AdvisoryLeadership:
    """PostgreSQL: a session advisory lock held by a connection of its own.

    Its own connection because the lock lives as long as the session: a pooled or engine
    connection would lend it to unrelated work and could not be closed to step down.
    """

    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self._url = url
        self._key = advisory_key(name)
        self._conn: object | None = None

    async def try_take(self) -> bool:
        import psycopg  # only PostgreSQL deployments need the driver loaded

        if self._conn is not None:
            return True
        try:
            conn = await psycopg.AsyncConnection.connect(  # the name shows who leads
                self._url, autocommit=True, application_name=leader_name(self.name))
        except psycopg.Error:
            log.warning("leadership %s: cannot reach the database; will retry", self.name)
            return False
        try:
            cur = await conn.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                     (ADVISORY_CLASS, self._key))
            row = await cur.fetchone()
        except BaseException as exc:  # a cancelled node must not leave the session open
            await asyncio.shield(conn.close())
            if isinstance(exc, psycopg.Error):
                return False
            raise
        if not row or not row[0]:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def still_held(self) -> bool:
        import psycopg

        conn = self._conn
        if conn is None:
            return False
        assert isinstance(conn, psycopg.AsyncConnection)
        try:
            await conn.execute("SELECT 1")
        except psycopg.Error:
            await self.release()
            return False
        return True

    async def release(self) -> None:
        import psycopg

        conn, self._conn = self._conn, None
        if conn is not None:
            assert isinstance(conn, psycopg.AsyncConnection)
            with contextlib.suppress(psycopg.Error):  # ending the session releases the lock
                await asyncio.shield(conn.close())  # even when the caller is being cancelled


def leadership_for(storage: StorageConfig | str, name: str) -> Leadership:
    """The election that fits `[storage] database` (a URL string in tests)."""
    url = postgresql_url(storage if isinstance(storage, str) else storage.database)
    if url is not None:
        return AdvisoryLeadership(url, name)
    assert not isinstance(storage, str)
    return FileLeadership(storage.lock_path(name), name)


async def lead(leadership: Leadership, job: Callable[[], Coroutine[Any, Any, None]], *,
               interval: float = 2.0) -> None:
    """Forever: wait to be elected, run `job()` while the lead holds, step down when it is
    lost (the job is cancelled), then stand again. Cancelling `lead` releases the lead."""
    try:
        while True:
            while not await leadership.try_take():
                await asyncio.sleep(interval)
            log.info("this node now leads %s", leadership.name)
            task = asyncio.create_task(job())
            lost = False
            try:
                while not task.done():
                    await asyncio.wait({task}, timeout=interval)
                    if not task.done() and not await leadership.still_held():
                        log.warning("lost the lead of %s; stopping its work", leadership.name)
                        lost = True
                        break
            finally:
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task  # a job that failed raises here
            if not lost:
                return  # the job finished by itself
    finally:
        await leadership.release()
