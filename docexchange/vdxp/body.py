"""sendEdoc's body: the packet file followed by the CRLF the SDK writes after it.

Exactly one trailing CRLF is dropped, and the packet must match the signed `hash-file`: that
binds the body to the signature (a replayed signature can only carry the same packet, which
answers with the same DocId). A client that sends the bare file (no CRLF) is accepted too when
the whole body matches. Large bodies are spooled to a file as they stream, as on the native
API, holding back the last two bytes until the end.
"""

from __future__ import annotations

from aiohttp import web

from docexchange.errors import DocExchangeError
from docexchange.exchange.incoming import BodySink, RequestBody, empty_body, too_large
from docexchange.store.blobs import BlobStore
from docexchange.vdxp.wire import hash_file_matches

CRLF = b"\r\n"


def _hash_mismatch() -> DocExchangeError:
    return DocExchangeError(
        "DX_BAD_REQUEST", "Tệp gửi lên không khớp với XroadVnpt-hash-file đã ký.",
        "The body does not match the signed XroadVnpt-hash-file.")


async def read_packet(request: web.Request, blobs: BlobStore, limit: int, inline_limit: int,
                      claimed_hash: str) -> RequestBody:
    if request.content_length is not None and request.content_length > limit + len(CRLF):
        raise too_large(limit)
    sink = BodySink(blobs, limit + len(CRLF), inline_limit)  # the raw bound below is stricter
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
        if size <= len(CRLF) and sink.empty:
            raise empty_body()
        return await sink.finish()
    except BaseException:
        sink.discard()
        raise
