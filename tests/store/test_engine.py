import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from docexchange.store.engine import _Job
from docexchange.store.sqlite import SqliteDatabase as Database


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(tmp_path / "hub.sqlite3", max_batch=64)
    await database.open()
    yield database
    await database.close()


def _insert(n: int):
    def txn(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO refusals (refusal_id, sender_id, sha256, code, reason, "
                     "created_ts) VALUES (?, 'u', 'h', 'c', 'r', 0)", (f"r{n}",))
        return n
    return txn


async def test_concurrent_writes_share_commits(db: Database) -> None:
    results = await asyncio.gather(*(db.write("insert", _insert(i)) for i in range(200)))
    assert sorted(results) == list(range(200))
    assert db.stats.jobs == 200
    assert db.stats.batches < 200  # grouped: fewer commits than transactions
    row = await db.fetchone("SELECT count(*) AS n FROM refusals")
    assert row["n"] == 200


async def test_a_failing_transaction_rolls_back_only_itself(db: Database) -> None:
    def bad(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO refusals (refusal_id, sender_id, sha256, code, reason, "
                     "created_ts) VALUES ('bad', 'u', 'h', 'c', 'r', 0)")
        raise ValueError("boom")
    outcomes = await asyncio.gather(db.write("a", _insert(1)), db.write("bad", bad),
                                    db.write("b", _insert(2)), return_exceptions=True)
    assert outcomes[0] == 1 and outcomes[2] == 2
    assert isinstance(outcomes[1], ValueError)
    ids = [r["refusal_id"] for r in await db.fetchall("SELECT refusal_id FROM refusals")]
    assert sorted(ids) == ["r1", "r2"]


async def test_batch_hook_runs_inside_the_transaction(db: Database) -> None:
    seen = []
    db.add_batch_hook(lambda conn: seen.append(conn.in_transaction))
    await db.write("one", _insert(1))
    assert seen == [True]


async def test_data_survives_reopen(tmp_path: Path) -> None:
    first = Database(tmp_path / "x.sqlite3")
    await first.open()
    await first.write("one", _insert(7))
    await first.close()
    second = Database(tmp_path / "x.sqlite3")
    await second.open()
    assert (await second.fetchone("SELECT refusal_id FROM refusals"))["refusal_id"] == "r7"
    await second.close()
    assert await second.is_writable() is False  # closed: reports, does not crash



class _Gathering(Database):
    """Counts the writer's gathers; the first one queues one more write (`late`), as if it
    arrived while the writer waited."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gathers = 0
        self.late: _Job | None = None

    def _gather(self) -> None:
        self.gathers += 1
        if self.late is not None:
            self._jobs.put(self.late)
            self.late = None


async def test_a_batch_gathers_the_writes_arriving_meanwhile(tmp_path: Path) -> None:
    db = _Gathering(tmp_path / "g.sqlite3")
    await db.open()
    try:
        loop = asyncio.get_running_loop()
        late: asyncio.Future[int] = loop.create_future()
        db.late = _Job("late", _insert(3), late, loop)
        started, release = threading.Event(), threading.Event()

        def blocker(conn: sqlite3.Connection) -> int:
            started.set()
            release.wait()  # holds the writer while two writes queue up behind it
            return 0
        busy = asyncio.ensure_future(db.write("blocker", blocker))
        while not started.is_set():
            await asyncio.sleep(0.001)
        writes = [asyncio.ensure_future(db.write(n, _insert(i)))
                  for i, n in ((1, "a"), (2, "b"))]
        while db._jobs.qsize() < 2:
            await asyncio.sleep(0.001)
        release.set()
        assert await asyncio.gather(busy, *writes) == [0, 1, 2]
        assert late.done() and late.result() == 3  # answered with a and b: same batch
        assert db.gathers == 1  # not for the blocker: nothing was waiting behind it
        assert db.stats.batches == 2 and db.stats.jobs == 4  # a, b and late: one commit
    finally:
        await db.close()


async def test_a_lone_write_is_not_delayed(tmp_path: Path) -> None:
    db = _Gathering(tmp_path / "g.sqlite3")
    await db.open()
    try:
        for i in range(3):
            await db.write("one", _insert(i))
        assert db.gathers == 0
    finally:
        await db.close()
