"""`GET /api/v1/audit/export`: the evidence log for auditors, streamed (operators only).

The export is produced in a worker thread from one read snapshot and handed to the response
through a small bounded queue, so memory stays flat however many events there are. Its format
and offline verification are docs/evidence.md §8 (`docexchange audit verify`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from docexchange.admin.audit_log import run_export
from docexchange.api.auth import authenticate_operator
from docexchange.appkeys import HUB_KEY
from docexchange.errors import DocExchangeError
from docexchange.evidence.export import ExportScope, Record
from docexchange.evidence.export_files import FORMATS, write_records

routes = web.RouteTableDef()
END_OF_TIME = 2**62
_DONE = b""


class _QueueWriter:
    """A text file for write_records that hands ~64 KB chunks to the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes]) -> None:
        self._loop, self._queue = loop, queue
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= 64 * 1024:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            chunk = "".join(self._parts).encode("utf-8")
            self._parts, self._size = [], 0
            asyncio.run_coroutine_threadsafe(self._queue.put(chunk), self._loop).result()


def _day(request: web.Request, name: str) -> dt.date | None:
    raw = request.query.get(name)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise DocExchangeError("DX_BAD_REQUEST", f"Tham số {name} phải là ngày yyyy-mm-dd.",
                               f"Parameter {name} must be a date yyyy-mm-dd.",
                               errors=[{"parameter": name, "value": raw}]) from None


def export_scope(request: web.Request) -> tuple[ExportScope, str]:
    """from, to (local days, `to` included), unit and format from the query string."""
    hub = request.config_dict[HUB_KEY]
    zone = hub.config.zone
    fmt = request.query.get("format", "jsonl")
    if fmt not in FORMATS:
        raise DocExchangeError("DX_BAD_REQUEST", "Định dạng phải là jsonl hoặc csv.",
                               "format must be jsonl or csv.", errors=[{"parameter": "format"}])
    start, end = _day(request, "from"), _day(request, "to")
    unit = request.query.get("unit") or None
    if unit is not None and hub.directory.lookup(unit) is None:
        raise DocExchangeError("DX_NOT_FOUND", "Không có đơn vị với mã này.",
                               "No unit has this code.", organ_id=unit)

    def start_of(day: dt.date) -> int:
        return int(dt.datetime.combine(day, dt.time(), zone).timestamp() * 1000)
    return ExportScope(start_of(start) if start else 0,
                       start_of(end + dt.timedelta(days=1)) if end else END_OF_TIME, unit), fmt


@routes.get("/audit/export")
async def audit_export(request: web.Request) -> web.StreamResponse:
    await authenticate_operator(request)
    scope, fmt = export_scope(request)
    return await stream_export(request, scope, fmt)


async def stream_export(request: web.Request, scope: ExportScope, fmt: str
                        ) -> web.StreamResponse:
    """Stream the export (also used by the dashboard, behind its own session check)."""
    hub = request.config_dict[HUB_KEY]
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=16)

    def produce(records: Iterator[Record]) -> Any:
        writer = _QueueWriter(loop, queue)
        try:
            return write_records(records, writer,  # type: ignore[arg-type]
                                 fmt, hub.directory.described_on, hub.config.zone)
        finally:
            writer.flush()
            asyncio.run_coroutine_threadsafe(queue.put(_DONE), loop).result()
    producer = asyncio.ensure_future(run_export(hub, scope, produce))
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8" if fmt == "csv"
        else "application/x-ndjson; charset=utf-8",
        "Content-Disposition": f'attachment; filename="docexchange-audit.{fmt}"'})
    await response.prepare(request)
    while (chunk := await queue.get()) != _DONE:
        await response.write(chunk)
    await producer  # a failure mid-stream leaves the export without its end record
    await response.write_eof()
    return response
