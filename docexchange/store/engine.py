"""What both engines share: one writer thread with group commit, and the read interface.

Why a dedicated writer thread with a synchronous driver: every write is a synchronous named
transaction function `fn(tx) -> T`; the writer drains all queued functions into ONE
transaction, each inside its own SAVEPOINT, so many documents share one commit (one fsync:
group commit) while a failing function rolls back only its own work. Callers get their result
only after COMMIT returned, i.e. after the batch is durable. Batch hooks run inside the same
transaction just before COMMIT (the evidence log signs its tree head there).

The engines (`store/sqlite.py`, `store/postgres.py`) say how a batch begins, how writers of
several processes take turns, and how reads run; `store/database.py` opens the one a
configuration names. Services see only this class and the `Tx` it hands them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from docexchange.store.failures import is_storage_failure, storage_error
from docexchange.store.tx import Tx

log = logging.getLogger(__name__)
#: how long the writer lets a batch gather when work is already queued behind its first job
DEFAULT_GATHER_US = 1000
T = TypeVar("T")
WriteFn = Callable[[Any], Any]
BatchHook = Callable[[Any], Any]


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
    #: jobs committed, by transaction name (a test can count its own writes while background
    #: work — leadership take-over, alerts — writes beside it)
    by_name: Counter[str] = field(default_factory=Counter)


class Database:
    """The hub's database: `write()` for named transactions, `read()`/`fetch*()` for reads.

    `engine` is "sqlite" or "postgresql", for the few store operations whose SQL must differ.
    """

    engine: str = ""
    #: the engine's read connections (set by its __init__ and open())
    _reader_list: list[Any]
    _sync_reader_list: list[Any]
    _sync_readers: queue.SimpleQueue[Any]

    def __init__(self, *, max_batch: int = 256, gather_us: int = DEFAULT_GATHER_US) -> None:
        self._max_batch = max_batch
        self._gather_s = gather_us / 1_000_000
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._hooks: list[BatchHook] = []
        self._commit_hooks: list[Callable[[], None]] = []
        self._rollback_hooks: list[Callable[[], None]] = []
        self._after_commit: list[Callable[[], None]] = []
        self.stats = BatchStats()

    # -- what an engine provides ---------------------------------------------------------
    async def open(self) -> None:
        """Apply migrations, start the writer thread, open the read connections."""
        raise NotImplementedError

    async def close(self) -> None:
        """Stop the writer (its queued batches commit first), then close the read
        connections both engines keep: the async ones and those `read()` opened."""
        await self._stop_writer()
        for conn in self._reader_list:
            await conn.close()
        self._reader_list.clear()
        for sync_conn in self._sync_reader_list:
            sync_conn.close()
        self._sync_reader_list.clear()
        self._sync_readers = queue.SimpleQueue()

    def _writer_turn(self) -> contextlib.AbstractContextManager[None]:
        """Held around one batch: writers of other processes wait meanwhile."""
        return contextlib.nullcontext()

    def _begin(self, tx: Any) -> None:
        raise NotImplementedError

    def _batch_scope(self, tx: Any) -> contextlib.AbstractContextManager[None]:
        """Held around one batch, BEGIN to COMMIT, inside the writer's turn (PostgreSQL:
        pipeline mode, so statements whose answer nobody reads cost no round trip each)."""
        return contextlib.nullcontext()

    def _job_done(self, tx: Any) -> None:
        """A job's statements have all been issued: anything they raise must be raised now,
        while the job can still be rolled back to its own savepoint."""

    def _job_failed(self, tx: Any) -> None:
        """A job failed: whatever it sent that is still unanswered is settled before its
        savepoint is rolled back (its own errors ignored; a storage failure raised)."""

    def _rollback(self, tx: Any) -> Any:
        """Undo a failed batch; returns the Tx to go on with (a new one after a lost
        connection). Must not raise: the writer thread has to survive a failing disk."""
        raise NotImplementedError

    def _close_writer(self, tx: Any) -> None:
        raise NotImplementedError

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
                       ) -> list[Any]:
        """Rows answering both `row[0]` and `row["name"]`."""
        raise NotImplementedError

    async def read(self, name: str, fn: Callable[[Any], T]) -> T:
        """Run the synchronous `fn(tx)` in a worker thread, in one read-only transaction (a
        consistent snapshot).

        For reads made of many small dependent queries (Merkle proofs walk O(log n) rows) or
        streamed (audit exports): they would cost one event-loop round trip per row."""
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------------
    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
                       ) -> Any | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    def add_batch_hook(self, hook: BatchHook) -> None:
        """Run `hook(tx)` inside every write batch, after its jobs, before COMMIT."""
        self._hooks.append(hook)

    def add_commit_hook(self, hook: Callable[[], None]) -> None:
        """Run `hook()` in the writer thread once a batch is durable, before its callers
        are answered (e.g. to publish what a batch hook prepared)."""
        self._commit_hooks.append(hook)

    def add_rollback_hook(self, hook: Callable[[], None]) -> None:
        """Run `hook()` in the writer thread whenever writes were undone: a job rolled back to
        its savepoint, or a whole batch rolled back. For state a batch keeps in memory beside
        its rows (the evidence log's next leaf index), which must be undone with them."""
        self._rollback_hooks.append(hook)

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

    async def write(self, name: str, fn: Callable[[Any], T]) -> T:
        """Run `fn(tx)` in a write transaction; returns once the batch holding it is durable."""
        if self._thread is None:
            raise RuntimeError("database is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Job(name, fn, future, loop))
        return await future

    async def is_writable(self) -> bool:
        """A real round trip through the writer (for /readyz)."""
        try:
            await asyncio.wait_for(self.write("ready_check", lambda c: c.execute(
                "SELECT 1").fetchone()), timeout=5)
        except Exception:
            return False
        return True

    # -- writer thread -------------------------------------------------------------------
    def _start_writer(self, tx: Tx) -> None:
        self._thread = threading.Thread(target=self._run_writer, args=(tx,),
                                        name="docexchange-writer", daemon=True)
        self._thread.start()

    async def _stop_writer(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
            self._thread = None

    def _run_writer(self, tx: Any) -> None:
        try:
            while True:
                first = self._jobs.get()
                if first is None:
                    return
                if self._gather_s and not self._jobs.empty():
                    self._gather()
                # Jobs arriving while another process holds the turn join this batch.
                with self._writer_turn():
                    batch, stop = self._drain(first)
                    tx = self._run_batch(tx, batch)
                if stop:
                    return
        finally:
            self._close_writer(tx)

    def _gather(self) -> None:
        """Wait a moment before draining, so more of the jobs in flight join this batch.

        Why: a commit costs the writer thread ~0.5 ms of CPU (the dirty pages written to the
        WAL, checksummed, fsync'ed) however many jobs share it, and under load the batches
        were ~7 jobs: a 1 ms wait doubles them and cuts the writer's CPU per job by a fifth
        (bench/README.md). Only taken when a job is already waiting behind the first (so
        there is load): a lone write is never delayed. Taken before the writer's turn, so
        other processes' writers are not held up by it; the sleep releases the GIL."""
        time.sleep(self._gather_s)

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

    def _run_batch(self, tx: Any, batch: list[_Job]) -> Any:
        results: list[tuple[bool, Any]] = []
        try:
            with self._batch_scope(tx):
                self._begin(tx)
                for job in batch:
                    results.append(self._run_job(tx, job))
                for hook in self._hooks:
                    hook(tx)
                tx.execute("COMMIT")
        except BaseException as exc:  # the whole batch failed: nothing of it is durable
            log.exception("write batch failed")
            tx = self._rollback(tx)
            self._rolled_back()
            for job in batch:
                self._settle(job, False, storage_error(exc))
            return tx
        for commit_hook in self._commit_hooks:
            try:
                commit_hook()
            except Exception:  # the batch IS durable: its callers must still hear so
                log.exception("commit hook failed")
        self.stats.batches += 1
        self.stats.jobs += len(batch)
        self.stats.by_name.update(job.name for job in batch)
        self._answer(batch, results)
        return tx

    def _answer(self, batch: list[_Job], results: list[tuple[bool, Any]]) -> None:
        """Hand each caller its result, then wake the commit listeners: ONE thread-safe call
        per event loop per batch. Why: every `call_soon_threadsafe` writes to the loop's
        wake-up pipe (a system call, under the GIL, on the writer thread, and a wake-up the
        loop must read); one per job cost the writer as much as a statement. Inside the
        loop the futures resolve in job order and each listener runs as its own callback
        afterwards, as before."""
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, bool, Any]]] = {}
        for job, (ok, value) in zip(batch, results, strict=True):
            by_loop.setdefault(job.loop, []).append((job, ok, value))
        listeners = tuple(self._after_commit)
        for loop, settled in by_loop.items():
            with contextlib.suppress(RuntimeError):  # loop closed: nobody listens
                loop.call_soon_threadsafe(_resolve_all, loop, settled, listeners)

    def _run_job(self, tx: Any, job: _Job) -> tuple[bool, Any]:
        tx.execute("SAVEPOINT job")
        try:
            value = job.fn(tx)
            self._job_done(tx)
        except Exception as exc:
            if is_storage_failure(exc):  # the disk, not this job: the batch cannot commit
                raise
            self._job_failed(tx)
            tx.execute("ROLLBACK TO job")
            tx.execute("RELEASE job")
            self._rolled_back()
            return False, exc
        tx.execute("RELEASE job")
        return True, value

    def _rolled_back(self) -> None:
        for hook in self._rollback_hooks:
            try:
                hook()
            except Exception:  # must not take the writer thread down
                log.exception("rollback hook failed")

    @staticmethod
    def _settle(job: _Job, ok: bool, value: Any) -> None:
        try:
            job.loop.call_soon_threadsafe(_resolve_all, job.loop, [(job, ok, value)], ())
        except RuntimeError:  # loop closed: the caller is gone
            pass


def _resolve_all(loop: asyncio.AbstractEventLoop, settled: list[tuple[_Job, bool, Any]],
                 listeners: tuple[Callable[[], None], ...]) -> None:
    """On the jobs' event loop: resolve their futures (a caller gone meanwhile is skipped),
    then schedule the commit listeners."""
    for job, ok, value in settled:
        if job.future.done():
            continue
        if ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)
    for listener in listeners:
        loop.call_soon(listener)
