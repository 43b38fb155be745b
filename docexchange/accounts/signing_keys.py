"""The signing certificates registered to each unit, in memory, for the check of every signed
packet (exchange/checks.py): a database read per packet cost a thread hop on the hot path.

Freshness, the rules a caller can rely on:

* validity dates are judged at each lookup against the time it is given (the hub's clock), so
  a certificate stops counting the millisecond it expires, and starts when it becomes valid;
* a change made through this process (`invalidate()`, called by the admin service after its
  transaction committed) is seen by the next lookup;
* a change made by another process or node (the CLI's `keys issue`, another `serve --workers`
  process, another node on PostgreSQL) is seen within `recheck` seconds (default 1 s): at most
  once per `recheck` a lookup reads a small version of the table (row count, revoked count,
  latest registration) and reloads the table when that changed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from docexchange.store import units as unit_store
from docexchange.store.engine import Database

#: Seconds a change made by another process may take to be seen here.
RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class _Certificate:
    key_id: str
    not_before_ts: int
    not_after_ts: int
    revoked: bool


class SigningKeyCache:
    def __init__(self, db: Database, *, recheck: float = RECHECK_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._recheck = recheck
        self._monotonic = monotonic
        self._by_unit: dict[str, list[_Certificate]] | None = None
        self._version: tuple[int, int, int] | None = None
        self._checked_at = 0.0
        self._generation = 0  # bumped by invalidate(): a read begun before it is not kept
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Forget everything: the next lookup reloads (a change committed by this process)."""
        self._by_unit = None
        self._generation += 1

    async def key_ids(self, organ_ids: Iterable[str], now_ms: int) -> set[str]:
        """Key ids of the certificates registered to any of these codes, valid at `now_ms`
        and not revoked."""
        by_unit = await self._current()
        return {c.key_id for code in organ_ids for c in by_unit.get(code, ())
                if not c.revoked and c.not_before_ts <= now_ms <= c.not_after_ts}

    async def _current(self) -> dict[str, list[_Certificate]]:
        by_unit = self._by_unit
        if by_unit is not None and self._monotonic() - self._checked_at < self._recheck:
            return by_unit
        async with self._lock:  # one read for every request waiting on it
            if self._by_unit is not None and \
                    self._monotonic() - self._checked_at < self._recheck:
                return self._by_unit
            checked_at, generation = self._monotonic(), self._generation
            version = await unit_store.certificates_version(self._db)
            by_unit = self._by_unit
            if by_unit is None or version != self._version:
                by_unit = await self._load()
            if generation == self._generation:  # no change committed here while we read
                self._by_unit, self._version, self._checked_at = by_unit, version, checked_at
            return by_unit

    async def _load(self) -> dict[str, list[_Certificate]]:
        by_unit: dict[str, list[_Certificate]] = {}
        for row in await unit_store.certificate_validity(self._db):
            by_unit.setdefault(row["organ_id"], []).append(_Certificate(
                row["key_id"], row["not_before_ts"], row["not_after_ts"],
                row["revoked_ts"] is not None))
        return by_unit
