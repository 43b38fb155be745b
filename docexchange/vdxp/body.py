"""sendEdoc's body: the packet file followed by the CRLF the SDK writes after it.

Exactly one trailing CRLF is dropped, and the packet must match the signed `hash-file`: that
binds the body to the signature (a replayed signature can only carry the same packet, which
answers with the same DocId). A client that sends the bare file (no CRLF) is accepted too when
the whole body matches. Large bodies are spooled to a file as they stream, as on the native
API, holding back the last two bytes until the end.
"""

from __future__ import annotations

import asyncio
import hashlib

from aiohttp import web

from docexchange.api.body import RequestBody, too_large
from docexchange.errors import DocExchangeError
from docexchange.store.blobs import BlobStore, SpoolFile
from docexchange.vdxp.wire import hash_file_matches

CRLF = b"\r\n"


def _hash_mismatch() -> DocExchangeError:
    return DocExchangeError(
        "DX_BAD_REQUEST", "Tệp gửi lên không khớp với XroadVnpt-hash-file đã ký.",
        "The body does not match the signed XroadVnpt-hash-file.")


def _empty() -> DocExchangeError:
    return DocExchangeError("DX_INVALID_PACKET", "Nội dung gửi lên rỗng.",
                            "The request body is empty.",
                            errors=[{"element": "edXML", "reason": "empty body"}])


class _Sink:
    """Memory up to the inline limit, then a spool file; hashes what it keeps."""

    def __init__(self, blobs: BlobStore, inline_limit: int) -> None:
        self.digest = hashlib.sha256()
        self.buffer = bytearray()
        self.spool: SpoolFile | None = None
        self._blobs, self._inline = blobs, inline_limit

    def write(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.buffer += chunk
        if len(self.buffer) > self._inline or self.spool is not None:
            self.spool = self.spool or self._blobs.spool()
            self.spool.write(bytes(self.buffer))
            self.buffer.clear()


async def read_packet(request: web.Request, blobs: BlobStore, limit: int, inline_limit: int,
                      claimed_hash: str) -> RequestBody:
    if request.content_length is not None and request.content_length > limit + len(CRLF):
        raise too_large(limit)
    sink = _Sink(blobs, inline_limit)
    held = b""
    size = 0
    try:
        async for chunk in request.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > limit + len(CRLF):
                raise too_large(limit)
            held += chunk
            sink.write(held[:-2])
            held = held[-2:]
        if held != CRLF or not hash_file_matches(claimed_hash, sink.digest.digest()):
            sink.write(held)  # no CRLF, or the file itself ended with one
            if not hash_file_matches(claimed_hash, sink.digest.digest()):
                raise _hash_mismatch()
        if size <= len(CRLF) and not sink.buffer and sink.spool is None:
            raise _empty()
        if sink.spool is None:
            return RequestBody(bytes(sink.buffer), sink.digest.hexdigest(), None)
        spool = sink.spool
        await asyncio.to_thread(spool.finish)
        data = await asyncio.to_thread(spool.path.read_bytes)
    except BaseException:
        if sink.spool is not None:
            sink.spool.discard()
        raise
    return RequestBody(data, sink.digest.hexdigest(), spool.path)
