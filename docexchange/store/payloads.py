"""Where a message's exact bytes live: inline in the database when small, else a blob file.

Inline payloads are inserted in the message's own transaction, so they are durable with it
and cost no extra fsync (group commit covers them). Large ones are spooled to a file, fsync'ed
and renamed into the blob store before the transaction that references them commits.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from docexchange.store.blobs import BlobStore
from docexchange.store.engine import Database


def insert_inline_txn(conn: sqlite3.Connection, sha256: str, data: bytes) -> None:
    conn.execute("INSERT OR IGNORE INTO payloads (sha256, data) VALUES (?, ?)", (sha256, data))


class PayloadStore:
    def __init__(self, db: Database, blobs: BlobStore, inline_limit: int) -> None:
        self._db = db
        self._blobs = blobs
        self.inline_limit = inline_limit

    async def make_durable(self, sha256: str, spool: Path | None) -> None:
        """Before the row commits: a spooled (large) body is moved into the blob store."""
        if spool is not None:
            await asyncio.to_thread(self._blobs.adopt, spool, sha256)

    def stage_txn(self, conn: sqlite3.Connection, sha256: str, data: bytes,
                  spool: Path | None) -> None:
        """Inside the message's transaction: small bodies are written inline."""
        if spool is None:
            insert_inline_txn(conn, sha256, data)

    async def get(self, sha256: str) -> bytes:
        row = await self._db.fetchone("SELECT data FROM payloads WHERE sha256 = ?", (sha256,))
        if row is not None:
            return bytes(row["data"])
        return await asyncio.to_thread(self._blobs.get, sha256)

    def exists_inline_txn(self, conn: sqlite3.Connection, sha256: str) -> bool:
        return conn.execute("SELECT 1 FROM payloads WHERE sha256 = ?",
                            (sha256,)).fetchone() is not None
