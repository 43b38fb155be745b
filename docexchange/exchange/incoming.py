"""A packet's bytes on their way in, the first steps of the intake (DESIGN.md §2, step 2).

Bounded, hashed once while they stream; small bodies stay in memory (they are stored inline
with their message), a body larger than the inline limit is spooled to a file as it streams and
never read back by the hub process (a worker parses it from the file), so memory holds at most
the inline limit per request. Every door that takes a packet (the native
API, the VDXP facade, a JSON send the hub composes) reads it into a `BodySink` and hands the
resulting `RequestBody` to the intake pipeline (exchange/intake.py); the doors themselves only
check what is particular to their protocol (media types, the SDK's trailing CRLF).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from docexchange.errors import DocExchangeError
from docexchange.store.blobs import BlobStore, SpoolFile
from docexchange.store.payloads import PayloadStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestBody:
    """A packet's bytes as taken in: ``data`` when kept in memory, else ``spool`` (``data``
    then empty: the hub process does not hold a large packet); ``size`` either way."""

    data: bytes
    sha256: str
    spool: Path | None  # set when the body was too large to keep inline
    size: int = -1      # len(data) unless given

    def __post_init__(self) -> None:
        if self.size < 0:
            object.__setattr__(self, "size", len(self.data))


def too_large(limit: int) -> DocExchangeError:
    return DocExchangeError(
        "DX_TOO_LARGE", f"Gói tin vượt quá giới hạn {limit} byte.",
        f"The packet exceeds the limit of {limit} bytes.", limit=limit)


def empty_body() -> DocExchangeError:
    return DocExchangeError("DX_INVALID_PACKET", "Nội dung gửi lên rỗng.",
                            "The request body is empty.",
                            errors=[{"element": "edXML", "reason": "empty body"}])


class BodySink:
    """Memory up to the inline limit, then a spool file; hashes what it keeps and refuses
    (DX_TOO_LARGE) a chunk that would take it past `limit` bytes."""

    def __init__(self, blobs: BlobStore, limit: int, inline_limit: int) -> None:
        self.digest = hashlib.sha256()
        self.buffer = bytearray()
        self.spool: SpoolFile | None = None
        self._blobs, self._limit, self._inline = blobs, limit, inline_limit

    @property
    def size(self) -> int:
        return len(self.buffer) + (self.spool.size if self.spool else 0)

    @property
    def empty(self) -> bool:
        return not self.buffer and self.spool is None

    def write(self, chunk: bytes) -> None:
        """Past the inline limit each chunk goes straight to the spool file: no copy is
        gathered in memory on the way."""
        if self.size + len(chunk) > self._limit:
            raise too_large(self._limit)
        self.digest.update(chunk)
        if self.spool is not None:
            self.spool.write(chunk)
            return
        self.buffer += chunk
        if len(self.buffer) > self._inline:
            self.spool = self._blobs.spool(hashing=False)  # self.digest is the one hash
            self.spool.write(bytes(self.buffer))  # once, at most the inline limit
            self.buffer = bytearray()

    async def finish(self) -> RequestBody:
        """The body; a spooled one is fsync'ed off the event loop and stays on disk."""
        if self.spool is None:
            return RequestBody(bytes(self.buffer), self.digest.hexdigest(), None)
        await asyncio.to_thread(self.spool.finish)
        return RequestBody(b"", self.digest.hexdigest(), self.spool.path, self.spool.size)

    def discard(self) -> None:
        if self.spool is not None:
            self.spool.discard()


@asynccontextmanager
async def nothing_left_behind(payloads: PayloadStore, body: RequestBody) -> AsyncIterator[None]:
    """Whatever ends a request early (a refusal, a bug, a cancellation, a client gone), a
    large body leaves no trace: its spool file is removed, and a blob it was already moved
    into is removed unless a committed message refers to it. On success the spool file has
    been renamed into the blob store, so there is nothing to remove."""
    try:
        yield
    except BaseException:
        if body.spool is not None:
            body.spool.unlink(missing_ok=True)
            try:
                await asyncio.shield(payloads.discard_unreferenced(body.sha256))
            except Exception:  # the original failure must still reach the caller
                log.exception("could not remove the blob of a failed request")
        raise
