"""The PostgreSQL engine behaves as the SQLite one does: group commit, a failing job rolls back
only itself, batch hooks inside the transaction, snapshot reads, one integrity-error name,
storage failures as DX_STORAGE_UNAVAILABLE, and a writer that survives a lost connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from docexchange.config import PostgresURL
from docexchange.errors import DocExchangeError
from docexchange.store.failures import IntegrityError, is_storage_failure
from docexchange.store.postgres import PostgresDatabase, connect


@pytest.fixture
async def db(pg_url: PostgresURL) -> AsyncIterator[PostgresDatabase]:
    database = PostgresDatabase(pg_url, max_batch=64)
    await database.open()
    yield database
    await database.close()


def _insert(n: int) -> Any:
    def txn(tx: Any) -> int:
        tx.execute("INSERT INTO refusals (refusal_id, sender_id, sha256, code, reason, "
                   "created_ts) VALUES (?, 'u', 'h', 'c', 'r', ?)", (f"r{n}", 2**40 + n))
        return n
    return txn


async def test_concurrent_writes_share_commits(db: PostgresDatabase) -> None:
    results = await asyncio.gather(*(db.write("insert", _insert(i)) for i in range(200)))
    assert sorted(results) == list(range(200))
    assert db.stats.jobs == 200 and db.stats.batches < 200
    row = await db.fetchone("SELECT count(*) AS n, SUM(created_ts) AS total FROM refusals")
    assert row["n"] == 200 and row["total"] == sum(2**40 + i for i in range(200))
    assert isinstance(row["total"], int)  # NUMERIC read as a number, not a Decimal


async def test_a_failing_job_rolls_back_only_itself(db: PostgresDatabase) -> None:
    def duplicate(tx: Any) -> None:
        tx.execute("INSERT INTO refusals (refusal_id, sender_id, sha256, code, reason, "
                   "created_ts) VALUES ('r1', 'u', 'h', 'c', 'r', 0)")
    await db.write("first", _insert(1))
    outcomes = await asyncio.gather(db.write("a", _insert(2)), db.write("dup", duplicate),
                                    db.write("b", _insert(3)), return_exceptions=True)
    assert outcomes[0] == 2 and outcomes[2] == 3
    assert isinstance(outcomes[1], IntegrityError)  # the store's name covers psycopg's
    ids = [r["refusal_id"] for r in await db.fetchall("SELECT refusal_id FROM refusals")]
    assert sorted(ids) == ["r1", "r2", "r3"]


async def test_batch_hook_runs_inside_the_transaction(db: PostgresDatabase) -> None:
    seen = []
    db.add_batch_hook(lambda tx: seen.append(
        tx.execute("SELECT count(*) FROM refusals").fetchone()[0]))
    await db.write("one", _insert(1))
    assert seen == [1]  # saw its batch's own row, before COMMIT


async def test_rows_and_params_as_with_sqlite(db: PostgresDatabase) -> None:
    await db.write("one", _insert(5))
    row = await db.fetchone("SELECT refusal_id, ? IS NULL AS none, ? AS flag, "
                            "refusal_id LIKE 'R%' AS folded FROM refusals "
                            "WHERE created_ts = ? AND reason LIKE '%'", (None, True, 2**40 + 5))
    assert row == ("r5", True, 1, True)
    assert row["refusal_id"] == row[0] == "r5"

    def read(tx: Any) -> list[Any]:
        return [r["refusal_id"] for r in tx.execute("SELECT refusal_id FROM refusals")]
    assert await db.read("snapshot", read) == ["r5"]


async def test_reads_are_read_only(db: PostgresDatabase) -> None:
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        await db.read("sneaky", _insert(9))


async def test_the_writer_reconnects_after_losing_its_connection(
        db: PostgresDatabase, pg_url: PostgresURL) -> None:
    await db.write("one", _insert(1))
    with connect(pg_url) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                      "datname = %s AND pid <> pg_backend_pid()", (pg_url.dbname,))
    with pytest.raises(DocExchangeError) as lost:  # the batch that met the dead connection
        await db.write("two", _insert(2))
    assert lost.value.code == "DX_STORAGE_UNAVAILABLE"
    assert await db.write("three", _insert(3)) == 3  # the next one reconnects
    ids = [r[0] for r in await db.fetchall("SELECT refusal_id FROM refusals ORDER BY 1")]
    assert ids == ["r1", "r3"]
    assert await db.is_writable()


def test_storage_failures_are_told_from_bugs() -> None:
    assert is_storage_failure(psycopg.errors.DiskFull())
    assert is_storage_failure(psycopg.OperationalError("server closed the connection"))
    assert not is_storage_failure(psycopg.errors.UniqueViolation())
    assert not is_storage_failure(psycopg.errors.SyntaxError())


async def _one_batch(db: PostgresDatabase, jobs: list[Any]) -> list[Any]:
    """`jobs` written in one batch: they queue while the writer runs a job of its own."""
    import threading

    release = threading.Event()
    held = asyncio.ensure_future(db.write("hold", lambda tx: release.wait(10)))
    await asyncio.sleep(0.2)
    before = db.stats.batches
    futures = [asyncio.ensure_future(db.write(f"job{i}", job)) for i, job in enumerate(jobs)]
    await asyncio.sleep(0.2)
    release.set()
    await held
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    assert db.stats.batches - before == 2, "the jobs did not share one batch (after hold's)"
    return outcomes


async def test_pipelined_errors_stay_with_the_job_that_sent_them(db: PostgresDatabase) -> None:
    """In pipeline mode a statement's error arrives after the job went on: it must still fail
    that job alone, also when the job then fails for another reason."""
    def duplicate_unread(tx: Any) -> str:
        tx.execute("INSERT INTO refusals (refusal_id, sender_id, sha256, code, reason, "
                   "created_ts) VALUES ('r1', 'u', 'h', 'c', 'r', 0)")
        return "answered"  # nothing read: the error is only known at the job's end

    def duplicate_then_raise(tx: Any) -> None:
        duplicate_unread(tx)
        raise ValueError("a job's own refusal, after a statement that failed")
    await db.write("first", _insert(1))
    outcomes = await _one_batch(db, [_insert(2), duplicate_unread, _insert(3),
                                     duplicate_then_raise, _insert(4)])
    assert outcomes[0::2] == [2, 3, 4]
    assert isinstance(outcomes[1], IntegrityError)
    assert isinstance(outcomes[3], ValueError)
    ids = [r["refusal_id"] for r in await db.fetchall("SELECT refusal_id FROM refusals")]
    assert sorted(ids) == ["r1", "r2", "r3", "r4"]


async def test_a_batch_waits_for_the_server_once_per_job(
        db: PostgresDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    """Statements whose answer nobody reads are sent without waiting: a job of three inserts
    costs one round trip (its end), not three; the batch adds one for COMMIT."""
    from docexchange.store import postgres

    waits: list[int] = []
    sync = postgres.PgTx.sync

    def counted(self: postgres.PgTx) -> None:
        waits.append(1)
        sync(self)
    monkeypatch.setattr(postgres.PgTx, "sync", counted)

    def three(n: int) -> Any:
        def txn(tx: Any) -> None:
            for i in range(3):
                _insert(n * 10 + i)(tx)
        return txn
    outcomes = await _one_batch(db, [three(n) for n in range(1, 6)])
    assert outcomes == [None] * 5
    assert len(waits) == 6  # the end of each of the five jobs, and of `hold` before them
    row = await db.fetchone("SELECT count(*) AS n FROM refusals")
    assert row["n"] == 15
