"""Wake-ups across hub nodes: what one node committed wakes the waiters of every other node.

Two things wait on commits: long-polling inbox requests (exchange/notifier.py, per unit) and
the elected node's outbound workers (push, relay: woken by any commit). Within one process the
engine's commit listeners and the InboxNotifier do it. Across nodes on one PostgreSQL, each
node LISTENs on two channels and NOTIFYs after its own commits:

- `docexchange_inbox`: payload the comma-separated unit codes that got inbox work;
- `docexchange_commit`: no payload; "something committed, look again".

Sending is coalesced: one task drains what accumulated since its last round trip, so a burst
of commits costs a few NOTIFYs, not one each. A node ignores its own notifications (it woke its
waiters already). A waiter that misses a wake-up (a broken connection) is still served: every
long poll and worker loop re-checks the database when its wait ends, so nothing is lost, only
delayed. With SQLite (one machine) the wake-ups stay in-process, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from docexchange.store.leadership import postgresql_url

log = logging.getLogger(__name__)

INBOX_CHANNEL = "docexchange_inbox"
COMMIT_CHANNEL = "docexchange_commit"
#: NOTIFY payloads must stay under 8000 bytes; unit codes are at most 35 characters.
_CODES_PER_NOTIFY = 150
_RECONNECT_SECONDS = 1.0

InboxHandler = Callable[[set[str]], None]
CommitHandler = Callable[[], None]


class Wakeups(Protocol):
    async def open(self) -> None:
        """Ready to send (called by Hub.open)."""
        ...

    async def listen(self, on_inbox: InboxHandler, on_commit: CommitHandler) -> None:
        """Start delivering other nodes' wake-ups (called by the server only)."""
        ...

    def inbox(self, organ_ids: Iterable[str]) -> None:
        """These units got inbox work in a commit that is now durable."""
        ...

    def committed(self) -> None:
        """A commit is durable (an engine commit listener)."""
        ...

    async def close(self) -> None: ...


class LocalWakeups:
    """SQLite: nothing to tell other processes beyond what the database shows them."""

    async def open(self) -> None:
        return None

    async def listen(self, on_inbox: InboxHandler, on_commit: CommitHandler) -> None:
        return None

    def inbox(self, organ_ids: Iterable[str]) -> None:
        return None

    def committed(self) -> None:
        return None

    async def close(self) -> None:
        return None


class NotifyWakeups:
    """PostgreSQL LISTEN/NOTIFY, on two connections of its own (psycopg delivers
    notifications only while a connection is not busy with queries)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._units: set[str] = set()
        self._commit = False
        self._pending = asyncio.Event()
        self._sender: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._relaying = False  # a remote commit being passed to local listeners
        self._sending = asyncio.Lock()  # one flush at a time: both would open a connection
        self.sent = 0
        self.received = 0

    async def open(self) -> None:
        self._tasks.append(asyncio.create_task(self._send_forever(), name="wakeups-send"))

    async def listen(self, on_inbox: InboxHandler, on_commit: CommitHandler) -> None:
        listening = asyncio.Event()
        self._tasks.append(asyncio.create_task(
            self._listen_forever(on_inbox, on_commit, listening), name="wakeups-listen"))
        with contextlib.suppress(TimeoutError):  # the server starts even if the DB is slow
            async with asyncio.timeout(10):
                await listening.wait()

    def inbox(self, organ_ids: Iterable[str]) -> None:
        self._units.update(organ_ids)
        self._pending.set()

    def committed(self) -> None:
        if self._relaying:
            return  # another node's commit: it told everyone already
        self._commit = True
        self._pending.set()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._units or self._commit:  # the last commits' wake-ups still go out
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await self._flush()
        await self._drop_sender()

    # -- sending ---------------------------------------------------------------------------
    async def _send_forever(self) -> None:
        while True:
            await self._pending.wait()
            self._pending.clear()
            try:
                await self._flush()
            except Exception:
                log.warning("could not notify the other nodes; retrying", exc_info=True)
                await self._drop_sender()
                self._pending.set()
                await asyncio.sleep(_RECONNECT_SECONDS)

    async def _flush(self) -> None:
        async with self._sending:
            await self._flush_locked()

    async def _flush_locked(self) -> None:
        import psycopg

        units, commit = sorted(self._units), self._commit
        self._units, self._commit = set(), False
        try:
            if self._sender is None:
                self._sender = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
            for start in range(0, len(units), _CODES_PER_NOTIFY):
                payload = ",".join(units[start:start + _CODES_PER_NOTIFY])
                await self._sender.execute("SELECT pg_notify(%s, %s)", (INBOX_CHANNEL, payload))
                self.sent += 1
            if commit or units:
                await self._sender.execute("SELECT pg_notify(%s, '')", (COMMIT_CHANNEL,))
                self.sent += 1
        except BaseException:
            self._units.update(units)  # tried again on the next round
            self._commit = self._commit or commit
            raise

    async def _drop_sender(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None:
            with contextlib.suppress(Exception):
                await sender.close()

    # -- listening -------------------------------------------------------------------------
    async def _listen_forever(self, on_inbox: InboxHandler, on_commit: CommitHandler,
                              listening: asyncio.Event) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                        self._url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {INBOX_CHANNEL}")
                    await conn.execute(f"LISTEN {COMMIT_CHANNEL}")
                    listening.set()
                    self._deliver(on_commit)  # whatever happened while we were not listening
                    async for note in conn.notifies():
                        self._on_note(note, on_inbox, on_commit)
            except psycopg.Error:
                log.warning("lost the wake-up connection; reconnecting", exc_info=True)
            await asyncio.sleep(_RECONNECT_SECONDS)

    def _on_note(self, note: Any, on_inbox: InboxHandler, on_commit: CommitHandler) -> None:
        sender = self._sender
        if sender is not None and not sender.closed and note.pid == sender.info.backend_pid:
            return  # our own: this node woke its waiters when it committed
        self.received += 1
        if note.channel == INBOX_CHANNEL:
            on_inbox({code for code in note.payload.split(",") if code})
        else:
            self._deliver(on_commit)

    def _deliver(self, on_commit: CommitHandler) -> None:
        self._relaying = True
        try:
            on_commit()
        finally:
            self._relaying = False


def wakeups_for(database: object) -> Wakeups:
    """The wake-ups that fit `[storage] database`."""
    url = postgresql_url(database)
    return LocalWakeups() if url is None else NotifyWakeups(url)
