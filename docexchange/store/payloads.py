"""Where a message's exact bytes live: inline in the database when small, else a blob file.

Inline payloads are inserted in the message's own transaction, so they are durable with it
and cost no extra fsync (group commit covers them). Large ones are spooled to a file, fsync'ed
and renamed into the blob store before the transaction that references them commits.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from docexchange.errors import DocExchangeError
from docexchange.store.blobs import BlobStore
from docexchange.store.engine import Database
from docexchange.store.tx import Tx


def insert_inline_txn(conn: Tx, sha256: str, data: bytes) -> None:
    conn.execute("INSERT INTO payloads (sha256, data) VALUES (?, ?) ON CONFLICT DO NOTHING",
                 (sha256, data))


class PayloadStore:
    def __init__(self, db: Database, blobs: BlobStore, inline_limit: int) -> None:
        self._db = db
        self._blobs = blobs
        self.inline_limit = inline_limit

    async def make_durable(self, sha256: str, spool: Path | None) -> None:
        """Before the row commits: a spooled (large) body is moved into the blob store."""
        if spool is not None:
            await asyncio.to_thread(self._blobs.adopt, spool, sha256)

    def stage_txn(self, conn: Tx, sha256: str, data: bytes,
                  spool: Path | None) -> None:
        """Inside the message's transaction: small bodies are written inline; a large one must
        still be in the blob store (a refused twin's cleanup may have removed it: the caller
        then retries rather than commit a row that points at nothing)."""
        if spool is None:
            insert_inline_txn(conn, sha256, data)
        elif not self._blobs.exists(sha256):
            raise DocExchangeError(
                "DX_CONFLICT", "Gói tin trùng nội dung đang được xử lý đồng thời; hãy gửi lại.",
                "A packet with the same bytes was being processed at the same time; retry.")

    async def discard_unreferenced(self, sha256: str) -> None:
        """After a refused or failed large packet: remove its blob unless a message refers to
        it. Runs as a write transaction, so the check and the removal are not interleaved with
        another process's commit of the same bytes (see stage_txn)."""
        def txn(conn: Tx) -> None:
            if conn.execute("SELECT 1 FROM messages WHERE sha256 = ? LIMIT 1",
                            (sha256,)).fetchone() is None:
                self._blobs.remove(sha256)
        await self._db.write("discard_unreferenced_blob", txn)

    async def get(self, sha256: str) -> bytes:
        row = await self._db.fetchone("SELECT data FROM payloads WHERE sha256 = ?", (sha256,))
        if row is not None:
            return bytes(row["data"])
        return await asyncio.to_thread(self._blobs.get, sha256)

    def exists_inline_txn(self, conn: Tx, sha256: str) -> bool:
        return conn.execute("SELECT 1 FROM payloads WHERE sha256 = ?",
                            (sha256,)).fetchone() is not None
