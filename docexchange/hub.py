"""The hub's services, opened once per process and shared by the API, CLI and tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from docexchange.accounts.activity import ActivityTracker
from docexchange.accounts.key_cache import KeyCache
from docexchange.clock import SYSTEM_CLOCK, Clock
from docexchange.config import Config
from docexchange.directory.service import Directory
from docexchange.evidence.log import EvidenceLog
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.notifier import InboxNotifier
from docexchange.ratelimit import UnitRateLimiter
from docexchange.signing.keyring import KeyRing
from docexchange.store.blobs import BlobStore
from docexchange.store.database import database_exists, open_database
from docexchange.store.engine import Database
from docexchange.store.wakeups import Wakeups, wakeups_for

log = logging.getLogger(__name__)


def is_initialised(config: Config) -> bool:
    """Whether the database of `config` already holds the hub's schema (`init --if-needed`
    does nothing then): a SQLite file exists, or a PostgreSQL database was migrated."""
    return database_exists(config.storage)


@dataclass
class Hub:
    config: Config
    db: Database
    blobs: BlobStore
    directory: Directory
    keyring: KeyRing
    evidence: EvidenceLog
    notifier: InboxNotifier
    exchange: ExchangeContext
    wakeups: Wakeups
    clock: Clock = SYSTEM_CLOCK
    activity: ActivityTracker = field(init=False)
    key_cache: KeyCache = field(init=False)
    rate_limiter: UnitRateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.activity = ActivityTracker(self.db, clock=self.clock.now_ms)
        self.key_cache = KeyCache()
        self.rate_limiter = UnitRateLimiter(self.config.server.unit_rate_limit,
                                            self.config.server.unit_rate_burst)

    @classmethod
    async def open(cls, config: Config, *, clock: Clock = SYSTEM_CLOCK) -> Hub:
        """Keys must exist (run `docexchange init` first); migrations are applied here.

        `clock` is the time every service of this hub stamps with: a test passes a
        `FixedClock` to know the exact times of receipts, leaves and timelines."""
        keyring = KeyRing.load(config.keys.dir)
        storage = config.storage
        db = await open_database(storage)
        evidence = EvidenceLog(keyring, clock)
        db.add_batch_hook(evidence.seal_txn)
        db.add_commit_hook(evidence.committed)
        db.add_rollback_hook(evidence.rolled_back)
        wakeups = wakeups_for(storage.database)
        await wakeups.open()
        db.add_commit_listener(wakeups.committed)
        blobs = BlobStore(storage.blobs)
        blobs.open()
        directory = Directory(db)
        await directory.reload()
        notifier = InboxNotifier(broadcast=wakeups.inbox)
        exchange = ExchangeContext(config, db, blobs, directory, evidence, notifier,
                                   clock)
        return cls(config, db, blobs, directory, keyring, evidence, notifier, exchange, wakeups,
                   clock)

    async def close(self) -> None:
        try:
            await self.activity.flush()  # the contact times not yet written
        except Exception:
            log.exception("could not write unit activity at shutdown")
        self.exchange.close()
        await self.wakeups.close()  # after the last commit: its NOTIFY still goes out
        await self.db.close()
