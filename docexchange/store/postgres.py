"""PostgreSQL engine: the shared writer thread (store/engine.py) on a psycopg 3 connection,
psycopg async connections for reads.

Why psycopg 3: its synchronous connection fits the writer-thread model exactly (one thread
owns it and issues BEGIN/SAVEPOINT/COMMIT itself), and its async connections serve reads
without blocking the event loop. Client-side parameter binding (ClientCursor) keeps the
store's portable SQL valid as written: values arrive as typed literals, so `? IS NULL` or an
integer compared with a BIGINT column need no casts, as with SQLite.

Several hub processes or nodes may share one server: each batch takes a transaction-scoped
advisory lock first, so batches commit one at a time in one order whoever wrote them (the
evidence log numbers its leaves from MAX+1, read once per batch, and counts on).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg.adapt import Dumper, Loader

from docexchange.config import PostgresURL
from docexchange.store.engine import DEFAULT_GATHER_US, Database
from docexchange.store.failures import is_storage_failure
from docexchange.store.migrations import apply_postgres_migrations
from docexchange.store.pg_sql import row_maker, translate
from docexchange.store.tx import Params

log = logging.getLogger(__name__)
T = TypeVar("T")
#: pg_advisory_xact_lock key held by the batch being written (any node); "dxwrite"
WRITER_LOCK = 0x6478_7772_6974_65


class _BoolAsInteger(Dumper):
    """Python booleans as 0/1: the schema has no boolean columns (portable SQL)."""

    oid = psycopg.postgres.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"

    def quote(self, obj: Any) -> bytes:
        return self.dump(obj)


class _NumericAsNumber(Loader):
    """NUMERIC results (SUM of BIGINT, AVG) as int or float, like SQLite answers them; a
    Decimal would not pass json.dumps or compare with the SQLite engine's answers."""

    def load(self, data: Any) -> int | float:
        text = bytes(data)
        return int(text) if text.lstrip(b"-").isdigit() else float(text)


def _adapt(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    conn.adapters.register_loader("numeric", _NumericAsNumber)


def connect(url: PostgresURL) -> psycopg.Connection[Any]:
    """A connection in autocommit mode (the engine issues BEGIN itself)."""
    conn = psycopg.Connection.connect(url.url, autocommit=True, cursor_factory=psycopg.ClientCursor,
                                      row_factory=row_maker)
    _adapt(conn)
    return conn


def bindable(parameters: Any) -> Any:
    """`parameters` with NUL characters in strings replaced by U+FFFD: PostgreSQL text cannot
    hold NUL (SQLite's can). Only lookups meet one (an id taken from a URL or a header; XML
    text cannot carry NUL), and such an id matches no stored row either way."""
    values = parameters.values() if isinstance(parameters, dict) else parameters
    if not any(isinstance(v, str) and "\x00" in v for v in values):
        return parameters
    def clean(v: Any) -> Any:
        return v.replace("\x00", "\ufffd") if isinstance(v, str) else v
    if isinstance(parameters, dict):
        return {k: clean(v) for k, v in parameters.items()}
    return [clean(v) for v in parameters]


class PgTx:
    """The `Tx` of store/tx.py over a psycopg connection: `?` SQL, sqlite-like rows.

    In pipeline mode (the writer's batches, `PostgresDatabase._batch_scope`) a statement is
    sent without waiting for its answer; the cursor handed back waits (one round trip for
    everything sent so far) only when its answer is read: a row, or `rowcount`."""

    #: sqlite3's switch for named rows; rows here always answer both ways
    row_factory: Any = None

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.pipeline: psycopg.Pipeline | None = None
        self.syncs = 0  # round trips made in pipeline mode: what was sent before is answered

    def execute(self, sql: str, parameters: Params = (), /) -> Any:
        cursor = self.conn.cursor()
        cursor.execute(translate(sql), bindable(parameters))
        return cursor if self.pipeline is None else _Answer(cursor, self)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        cursor = self.conn.cursor()
        cursor.executemany(translate(sql), [bindable(p) for p in parameters])
        return cursor if self.pipeline is None else _Answer(cursor, self)

    def sync(self) -> None:
        """Wait for the answers to everything sent; raises the first statement's error."""
        if self.pipeline is not None:
            self.syncs += 1
            self.pipeline.sync()

    def answered(self, sent_at: int) -> None:
        """The statement sent when `syncs` was `sent_at` has its answer (waits if not)."""
        if self.syncs == sent_at:
            self.sync()

    def cursor(self) -> Any:
        return self.conn.cursor()

    @property
    def broken(self) -> bool:
        return self.conn.closed or self.conn.broken


class _Answer:
    """A pipelined statement's cursor: reading any of it (rows, rowcount) first waits for
    the answer, so store code reads results exactly as it does outside a pipeline."""

    __slots__ = ("_cursor", "_tx", "_sent_at")

    def __init__(self, cursor: Any, tx: PgTx) -> None:
        self._cursor, self._tx, self._sent_at = cursor, tx, tx.syncs

    def __getattr__(self, name: str) -> Any:
        self._tx.answered(self._sent_at)
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        self._tx.answered(self._sent_at)
        return iter(self._cursor)


class PostgresDatabase(Database):
    """The hub's data in one PostgreSQL database (possibly shared by several nodes)."""

    engine = "postgresql"

    def __init__(self, url: PostgresURL, *, read_connections: int = 2,
                 max_batch: int = 256, gather_us: int = DEFAULT_GATHER_US) -> None:
        super().__init__(max_batch=max_batch, gather_us=gather_us)
        self.url = url
        self._n_readers = read_connections
        self._readers: asyncio.Queue[psycopg.AsyncConnection[Any]] | None = None
        self._reader_list: list[psycopg.AsyncConnection[Any]] = []
        self._sync_readers: queue.SimpleQueue[psycopg.Connection[Any]] = queue.SimpleQueue()
        self._sync_reader_list: list[psycopg.Connection[Any]] = []

    async def open(self) -> None:
        """Apply migrations, start the writer thread, open the read connections."""
        writer = await asyncio.to_thread(connect, self.url)
        try:
            await asyncio.to_thread(apply_postgres_migrations, writer)
        except BaseException:
            writer.close()
            raise
        self._start_writer(PgTx(writer))
        self._readers = asyncio.Queue()
        for _ in range(self._n_readers):
            conn = await self._connect_async()
            self._reader_list.append(conn)
            self._readers.put_nowait(conn)

    async def _connect_async(self) -> psycopg.AsyncConnection[Any]:
        conn = await psycopg.AsyncConnection.connect(
            self.url.url, autocommit=True, cursor_factory=psycopg.AsyncClientCursor,
            row_factory=row_maker)
        _adapt(conn)
        return conn

    # -- writer ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _batch_scope(self, tx: PgTx) -> Iterator[None]:
        """A batch in pipeline mode: every batch, on every node, holds the writer lock from
        BEGIN to COMMIT, so each round trip inside it is time all writers wait. Statements
        are sent without waiting for their answers; the writer waits only where an answer is
        read (a row, a rowcount), at the end of each job (its errors must roll back that job
        alone) and at COMMIT (leaving the pipeline waits for every answer)."""
        if tx.broken:  # the server restarted or the network dropped: start afresh
            tx.conn = connect(self.url)
        with tx.conn.pipeline() as pipeline:
            tx.pipeline = pipeline
            try:
                yield
            finally:
                tx.pipeline = None

    def _job_done(self, tx: PgTx) -> None:
        tx.sync()

    def _job_failed(self, tx: PgTx) -> None:
        try:
            tx.sync()
        except psycopg.Error as exc:
            if is_storage_failure(exc):
                raise

    def _begin(self, tx: PgTx) -> None:
        tx.execute("BEGIN")
        tx.execute("SELECT pg_advisory_xact_lock(?)", (WRITER_LOCK,))

    def _rollback(self, tx: PgTx) -> PgTx:
        try:
            if not tx.broken:
                tx.execute("ROLLBACK")
        except psycopg.Error:
            log.exception("rollback after a failed write batch failed")
        return tx

    def _close_writer(self, tx: PgTx) -> None:
        tx.conn.close()

    # -- reads ---------------------------------------------------------------------------
    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
                       ) -> list[Any]:
        """A read on a pooled connection; tried once more on a fresh connection when the
        pooled one turns out to be lost (a server restart): reads are safe to repeat."""
        assert self._readers is not None, "database is not open"
        conn = await self._readers.get()
        try:
            try:
                return await self._fetch(conn, sql, params)
            except psycopg.OperationalError:
                if not (conn.closed or conn.broken):
                    raise
            conn = await self._replace_reader(conn)
            return await self._fetch(conn, sql, params)
        finally:
            self._readers.put_nowait(conn)

    @staticmethod
    async def _fetch(conn: psycopg.AsyncConnection[Any], sql: str,
                     params: Sequence[Any] | dict[str, Any]) -> list[Any]:
        cursor = conn.cursor()
        await cursor.execute(translate(sql), bindable(params))
        return await cursor.fetchall()

    async def _replace_reader(self, conn: psycopg.AsyncConnection[Any]
                              ) -> psycopg.AsyncConnection[Any]:
        self._reader_list.remove(conn)
        await conn.close()
        fresh = await self._connect_async()
        self._reader_list.append(fresh)
        return fresh

    async def read(self, name: str, fn: Callable[[Any], T]) -> T:
        """In a REPEATABLE READ, READ ONLY transaction: one snapshot for the whole `fn`."""
        if self._thread is None:
            raise RuntimeError("database is not open")
        return await asyncio.to_thread(self._read_sync, name, fn)

    def _read_sync(self, name: str, fn: Callable[[Any], T]) -> T:
        try:
            return self._read_once(fn)
        except psycopg.OperationalError as exc:
            if exc.sqlstate is not None and not exc.sqlstate.startswith(("08", "57P")):
                raise
            return self._read_once(fn)  # the pooled connection was lost: once more

    def _read_once(self, fn: Callable[[Any], T]) -> T:
        try:
            conn = self._sync_readers.get_nowait()
        except queue.Empty:
            conn = connect(self.url)
            self._sync_reader_list.append(conn)
        tx = PgTx(conn)
        try:
            tx.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                return fn(tx)
            finally:
                if not tx.broken:
                    tx.execute("ROLLBACK")
        finally:
            if tx.broken:
                self._sync_reader_list.remove(conn)
                conn.close()
            else:
                self._sync_readers.put(conn)
