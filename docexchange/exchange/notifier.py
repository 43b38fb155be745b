"""Wakes long-polling inbox requests when something is committed for their unit.

Listen first, then query, then wait: a commit that lands between the query and the wait still
wakes the request. Other nodes hear of it through `broadcast` (store/wakeups.py: NOTIFY on
PostgreSQL) and call `wake_local`; with SQLite each request of another process re-checks the
database when its wait ends, so nothing is missed, only delayed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager


class InboxNotifier:
    def __init__(self, broadcast: Callable[[set[str]], None] | None = None) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._broadcast = broadcast
        self._subscribers: list[Callable[[set[str]], None]] = []

    def subscribe(self, subscriber: Callable[[set[str]], None]) -> None:
        """Call `subscriber(units)` whenever units of this node or another get inbox work:
        the outbound workers look at their queues only when a unit they serve got some."""
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Callable[[set[str]], None]) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def notify(self, organ_ids: Iterable[str]) -> None:
        """These units got inbox work in a durable commit of this node: wake them here and
        on every other node."""
        codes = set(organ_ids)
        self.wake_local(codes)
        if self._broadcast is not None and codes:
            self._broadcast(codes)

    def wake_local(self, organ_ids: Iterable[str]) -> None:
        """Wake this process's waiters only (another node committed the work)."""
        codes = set(organ_ids)
        for organ_id in codes:
            for event in self._waiters.get(organ_id, ()):
                event.set()
        for subscriber in list(self._subscribers):
            subscriber(codes)

    @contextmanager
    def listen(self, organ_id: str) -> Iterator[asyncio.Event]:
        event = asyncio.Event()
        self._waiters.setdefault(organ_id, set()).add(event)
        try:
            yield event
        finally:
            waiters = self._waiters.get(organ_id)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del self._waiters[organ_id]
