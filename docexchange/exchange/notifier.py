"""Wakes long-polling inbox requests when something is committed for their unit.

Listen first, then query, then wait: a commit that lands between the query and the wait still
wakes the request. In-process only: with several hub processes each request also re-checks the
database when its wait ends, so nothing is missed, only delayed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class InboxNotifier:
    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = {}

    def notify(self, organ_ids: Iterable[str]) -> None:
        for organ_id in set(organ_ids):
            for event in self._waiters.get(organ_id, ()):
                event.set()

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
