"""Read a request body: bounded, hashed while it streams. Small bodies stay in memory (they
are stored inline with their message); a body larger than the inline limit is spooled to a
file as it streams, so memory holds at most the inline limit per request."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from aiohttp import web

from docexchange.errors import DocExchangeError
from docexchange.exchange.context import ExchangeContext

log = logging.getLogger(__name__)


class _Spool(Protocol):
    """What this face needs of the blob store's spool file (the store is not seen here)."""

    path: Path
    size: int

    def write(self, chunk: bytes) -> None: ...

    def finish(self) -> str: ...

    def discard(self) -> None: ...

ACCEPTED_TYPES = ("application/xml", "text/xml", "application/octet-stream",
                  "application/edxml+xml", "")


@dataclass(frozen=True)
class RequestBody:
    data: bytes
    sha256: str
    spool: Path | None  # set when the body was too large to keep inline


def too_large(limit: int) -> DocExchangeError:
    return DocExchangeError(
        "DX_TOO_LARGE", f"Gói tin vượt quá giới hạn {limit} byte.",
        f"The packet exceeds the limit of {limit} bytes.", limit=limit)


#: request content codings aiohttp decodes for us; anything else would be stored still encoded
ACCEPTED_ENCODINGS = ("", "identity", "gzip", "deflate")


def _check_type(request: web.Request, limit: int) -> None:
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ACCEPTED_ENCODINGS:
        raise DocExchangeError(
            "DX_UNSUPPORTED_MEDIA_TYPE", "Mã hóa nội dung (Content-Encoding) không được hỗ trợ.",
            "The Content-Encoding is not supported (use gzip, deflate or none).",
            content_encoding=encoding[:40])
    if request.content_type not in ACCEPTED_TYPES:
        raise DocExchangeError(
            "DX_UNSUPPORTED_MEDIA_TYPE",
            "Nội dung phải là gói tin edXML (application/xml); riêng khi gửi văn bản có thể "
            "gửi JSON (application/json).",
            "The body must be an edXML packet (application/xml); a document send also takes "
            "JSON (application/json).",
            content_type=request.content_type)
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)


async def read_body(request: web.Request, exchange: ExchangeContext, limit: int,
                    inline_limit: int) -> RequestBody:
    _check_type(request, limit)
    digest = hashlib.sha256()
    buffer = bytearray()
    spool: _Spool | None = None
    try:
        async for chunk in request.content.iter_chunked(256 * 1024):
            if len(buffer) + (spool.size if spool else 0) + len(chunk) > limit:
                raise too_large(limit)
            digest.update(chunk)
            buffer += chunk
            if len(buffer) > inline_limit or spool is not None:
                spool = spool or exchange.blobs.spool()
                spool.write(bytes(buffer))
                buffer.clear()
        if spool is None:
            if not buffer:
                raise DocExchangeError("DX_INVALID_PACKET", "Nội dung gửi lên rỗng.",
                                       "The request body is empty.",
                                       errors=[{"element": "edXML", "reason": "empty body"}])
            return RequestBody(bytes(buffer), digest.hexdigest(), None)
        await asyncio.to_thread(spool.finish)
        data = await asyncio.to_thread(spool.path.read_bytes)
    except BaseException:
        if spool is not None:
            spool.discard()
        raise
    return RequestBody(data, digest.hexdigest(), spool.path)


@asynccontextmanager
async def nothing_left_behind(exchange: ExchangeContext, body: RequestBody
                              ) -> AsyncIterator[None]:
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
                await asyncio.shield(exchange.payloads.discard_unreferenced(body.sha256))
            except Exception:  # the original failure must still reach the caller
                log.exception("could not remove the blob of a failed request")
        raise
