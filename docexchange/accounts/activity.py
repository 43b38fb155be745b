"""ActivityTracker: when each unit last authenticated, sent, polled its inbox, acknowledged.

Every authenticated request updates these times, so recording them must cost no database
write: they are kept in memory and written for all units in ONE transaction every
`monitor.activity_flush_interval` seconds and when the hub closes. A crash loses at most one
interval of contact times, never a document. Several hub processes merge safely: the stored
row keeps the earliest first contact and the latest of every other time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass

from docexchange.clock import SYSTEM_CLOCK
from docexchange.store import monitor as sql
from docexchange.store.engine import Database

log = logging.getLogger(__name__)

#: what a request did, beyond authenticating (which every one of them did)
EVENTS = ("contact", "send", "poll", "ack")


@dataclass
class Activity:
    """One unit's times, UTC milliseconds; None = never."""

    first_contact_ts: int | None = None
    last_contact_ts: int | None = None
    last_send_ts: int | None = None
    last_poll_ts: int | None = None
    last_ack_ts: int | None = None

    def note(self, event: str, ts: int) -> None:
        if self.first_contact_ts is None or ts < self.first_contact_ts:
            self.first_contact_ts = ts
        self.last_contact_ts = _later(self.last_contact_ts, ts)
        if event != "contact":
            name = f"last_{event}_ts"
            setattr(self, name, _later(getattr(self, name), ts))

    def merged(self, other: Activity) -> Activity:
        """Earliest first contact, latest of everything else."""
        firsts = [t for t in (self.first_contact_ts, other.first_contact_ts) if t is not None]
        return Activity(min(firsts) if firsts else None,
                        *(_later(getattr(self, f), getattr(other, f)) for f in _LAST_FIELDS))

    def as_row(self) -> tuple[int | None, ...]:
        return dataclasses.astuple(self)


_LAST_FIELDS = ("last_contact_ts", "last_send_ts", "last_poll_ts", "last_ack_ts")


def _later(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None or a >= b else b


class ActivityTracker:
    """In-memory contact times of this process, flushed in batches (see the module doc)."""

    def __init__(self, db: Database, *, clock: Callable[[], int] = SYSTEM_CLOCK.now_ms) -> None:
        self._db = db
        self._clock = clock
        self._pending: dict[str, Activity] = {}

    def note(self, organ_id: str, event: str = "contact", ts: int | None = None) -> None:
        """Record that `organ_id` authenticated (and did `event`); no I/O, O(1)."""
        if event not in EVENTS:
            raise ValueError(f"unknown activity event {event!r}")
        activity = self._pending.get(organ_id)
        if activity is None:
            activity = self._pending[organ_id] = Activity()
        activity.note(event, self._clock() if ts is None else ts)

    def pending(self) -> dict[str, Activity]:
        """What this process saw since the last flush (a copy)."""
        return {k: dataclasses.replace(v) for k, v in self._pending.items()}

    async def flush(self) -> int:
        """Write every pending unit in one transaction; returns how many units were written.
        On failure the times go back into memory for the next attempt."""
        batch, self._pending = self._pending, {}
        if not batch:
            return 0
        rows = [(organ_id, *a.as_row()) for organ_id, a in sorted(batch.items())]
        try:
            await self._db.write("flush_unit_activity",
                                 lambda c: sql.upsert_activity_txn(c, rows))
        except BaseException:
            for organ_id, activity in batch.items():
                now = self._pending.get(organ_id)
                self._pending[organ_id] = activity if now is None else activity.merged(now)
            raise
        return len(batch)

    async def current(self) -> dict[str, Activity]:
        """Stored times merged with this process's pending ones: fresh without a flush."""
        stored = {row["organ_id"]: Activity(*(row[f.name] for f in dataclasses.fields(Activity)))
                  for row in await sql.activity_rows(self._db)}
        for organ_id, activity in self._pending.items():
            known = stored.get(organ_id)
            stored[organ_id] = activity if known is None else known.merged(activity)
        return stored

    async def flush_forever(self, interval: float) -> None:
        """The background writer started with the server; a failed flush is retried later."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.flush()
            except Exception:
                log.exception("could not write unit activity; will retry")
