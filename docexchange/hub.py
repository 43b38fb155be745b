"""The hub's services, opened once per process and shared by the API, CLI and tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from docexchange.config import Config
from docexchange.directory.service import Directory
from docexchange.store.blobs import BlobStore
from docexchange.store.engine import Database

log = logging.getLogger(__name__)


@dataclass
class Hub:
    config: Config
    db: Database
    blobs: BlobStore
    directory: Directory
    extras: dict[str, object] = field(default_factory=dict)

    @classmethod
    async def open(cls, config: Config) -> "Hub":
        storage = config.storage
        db = Database(storage.database, synchronous=storage.synchronous,
                      read_connections=storage.read_connections, max_batch=storage.max_batch)
        await db.open()
        blobs = BlobStore(storage.blobs)
        blobs.open()
        directory = Directory(db)
        await directory.reload()
        return cls(config=config, db=db, blobs=blobs, directory=directory)

    async def close(self) -> None:
        await self.db.close()
