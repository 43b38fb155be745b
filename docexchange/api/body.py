"""Read a request body into the spool: bounded, hashed while it streams, never all in RAM
before the size is known."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from docexchange.errors import DocExchangeError
from docexchange.store.blobs import BlobStore

ACCEPTED_TYPES = ("application/xml", "text/xml", "application/octet-stream",
                  "application/edxml+xml", "")


@dataclass(frozen=True)
class SpooledBody:
    data: bytes
    sha256: str
    path: Path


def too_large(limit: int) -> DocExchangeError:
    return DocExchangeError(
        "DX_TOO_LARGE", f"Gói tin vượt quá giới hạn {limit} byte.",
        f"The packet exceeds the limit of {limit} bytes.", limit=limit)


async def spool_body(request: web.Request, blobs: BlobStore, limit: int) -> SpooledBody:
    if request.content_type not in ACCEPTED_TYPES:
        raise DocExchangeError(
            "DX_UNSUPPORTED_MEDIA_TYPE", "Nội dung phải là gói tin edXML (application/xml).",
            "The body must be an edXML packet (application/xml).",
            content_type=request.content_type)
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    spool = blobs.spool()
    try:
        async for chunk in request.content.iter_chunked(256 * 1024):
            if spool.size + len(chunk) > limit:
                raise too_large(limit)
            spool.write(chunk)
        if spool.size == 0:
            raise DocExchangeError("DX_INVALID_PACKET", "Nội dung gửi lên rỗng.",
                                   "The request body is empty.",
                                   errors=[{"element": "edXML", "reason": "empty body"}])
        digest = spool.finish()
    except BaseException:
        spool.discard()
        raise
    return SpooledBody(spool.path.read_bytes(), digest, spool.path)
