"""Electing one node: a flock with SQLite, a session advisory lock with PostgreSQL; the dead
holder's lock is released (by the kernel, by the server) and another node takes over."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg

from docexchange.config import PostgresURL
from docexchange.store.leadership import (
    AdvisoryLeadership,
    FileLeadership,
    lead,
    leadership_for,
)


async def test_flock_elects_one_and_hands_over(tmp_path: Path) -> None:
    lock = tmp_path / "hub.sqlite3.alerts.lock"
    first, second = FileLeadership(lock, "alerts"), FileLeadership(lock, "alerts")
    assert await first.try_take()
    assert not await second.try_take()
    await first.release()
    assert await second.try_take()
    await second.release()


async def test_advisory_lock_elects_one_node(pg_url: PostgresURL) -> None:
    url = pg_url.url
    first, second = AdvisoryLeadership(url, "alerts"), AdvisoryLeadership(url, "alerts")
    other = AdvisoryLeadership(pg_url.url, "outbound")
    try:
        assert await first.try_take()
        assert not await second.try_take()
        assert await other.try_take()  # each singleton job has its own election
        assert await first.still_held()
    finally:
        for leadership in (first, second, other):
            await leadership.release()


async def test_dead_session_releases_the_lead(pg_url: PostgresURL) -> None:
    """The server ends the holder's session (as when its node dies): the holder notices and
    steps down, and the other node is elected."""
    url = pg_url.url
    first, second = AdvisoryLeadership(url, "outbound"), AdvisoryLeadership(url, "outbound")
    try:
        assert await first.try_take()
        assert not await second.try_take()
        async with await psycopg.AsyncConnection.connect(pg_url.url, autocommit=True) as admin:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND granted")
        assert not await first.still_held()
        assert await second.try_take()
    finally:
        await first.release()
        await second.release()


async def test_lead_runs_the_job_only_while_elected(pg_url: PostgresURL) -> None:
    runs: list[str] = []
    started = asyncio.Event()

    def job(node: str):  # type: ignore[no-untyped-def]
        async def work() -> None:
            runs.append(node)
            started.set()
            await asyncio.Event().wait()
        return work

    a = asyncio.create_task(lead(leadership_for(pg_url.url, "x"), job("a"), interval=0.05))
    await asyncio.wait_for(started.wait(), 10)
    b = asyncio.create_task(lead(leadership_for(pg_url.url, "x"), job("b"), interval=0.05))
    await asyncio.sleep(0.3)
    assert runs == ["a"]  # b stands but is not elected while a holds the lead
    started.clear()
    a.cancel()
    await asyncio.gather(a, return_exceptions=True)
    await asyncio.wait_for(started.wait(), 10)
    assert runs == ["a", "b"]
    b.cancel()
    await asyncio.gather(b, return_exceptions=True)
