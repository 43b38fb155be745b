"""Read a request body of the native API: its media type and coding checked, then streamed
into the exchange's bounded, hashing `BodySink` (exchange/incoming.py)."""

from __future__ import annotations

from aiohttp import web

from docexchange.errors import DocExchangeError
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.incoming import BodySink, RequestBody, empty_body, too_large

ACCEPTED_TYPES = ("application/xml", "text/xml", "application/octet-stream",
                  "application/edxml+xml", "")


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
    sink = BodySink(exchange.blobs, limit, inline_limit)
    try:
        async for chunk in request.content.iter_chunked(256 * 1024):
            sink.write(chunk)
        if sink.empty:
            raise empty_body()
        return await sink.finish()
    except BaseException:
        sink.discard()
        raise
