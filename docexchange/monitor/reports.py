"""The monthly reports as Excel workbooks (openpyxl), with Vietnamese headers.

- coverage.xlsx: sheet "Tổng hợp" (coverage by level against the 100 % target) and sheet
  "Đơn vị" (every unit valid today: level, parent, state, last contact, documents sent and
  received, same-day acknowledgement rate);
- documents.xlsx: sheet "Văn bản", one row per document accepted in a range of local days and
  recipient, with the delivery's state and the recipient as it was when sent (reorganisations
  rename, merge and move units; a monthly report names them as they were).

Times are the province's local wall-clock times (Excel has no time zones), written as real
dates so that a spreadsheet can sort and filter them. Building a workbook is CPU work: the
bytes are produced in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from docexchange.hub import Hub
from docexchange.monitor import connectivity
from docexchange.monitor.days import day_bounds, local_day
from docexchange.monitor.kpis import pct
from docexchange.store import monitor as sql

TARGET_PCT = 100
LEVELS = (("department", "Sở, ban, ngành"), ("district", "Cấp huyện"), ("commune", "Cấp xã"))
KIND_NAMES = {"province": "Tỉnh", "office": "Văn phòng", "department": "Sở, ban, ngành",
              "district": "Cấp huyện", "commune": "Cấp xã", "other": "Khác"}
STATE_NAMES = {"connected": "đang kết nối", "idle": "tạm ngưng", "disconnected": "mất kết nối",
               "never": "chưa kết nối"}
DELIVERY_STATES = {"pending": "chờ nhận", "fetched": "đã tải", "received": "đã đến",
                   "registered": "đã vào sổ", "assigned": "đã phân công",
                   "processing": "đang xử lý", "completed": "hoàn thành", "refused": "từ chối",
                   "recalled": "đã thu hồi"}
PRIORITIES = {0: "thường", 1: "khẩn", 2: "thượng khẩn", 3: "hỏa tốc", 4: "hỏa tốc hẹn giờ"}
SUMMARY_HEAD = ("Cấp", "Số đơn vị", "Đã từng kết nối", "Tỷ lệ đã kết nối (%)", "Đang kết nối",
                "Tỷ lệ đang kết nối (%)", "Mục tiêu (%)", "Chưa kết nối")
UNITS_HEAD = ("Mã định danh", "Tên đơn vị", "Cấp", "Đơn vị cấp trên", "Trạng thái",
              "Liên lạc gần nhất", "Văn bản đã gửi", "Văn bản đã nhận",
              "Tỷ lệ xác nhận trong ngày (%)")
DOCUMENTS_HEAD = ("Thời điểm nhận", "Mã văn bản", "Số/ký hiệu", "Trích yếu", "Độ khẩn",
                  "Mã đơn vị gửi", "Đơn vị gửi", "Mã đơn vị nhận", "Đơn vị nhận", "Trạng thái",
                  "Đã tải lúc", "Đã xác nhận lúc", "Hạn xử lý", "Mã nơi nhận khi gửi",
                  "Nơi nhận khi gửi", "Cấp trên của nơi nhận khi gửi", "Chuyển theo sắp xếp từ")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(ts: int | None, zone: ZoneInfo) -> dt.datetime | None:
    """Local wall-clock time without tzinfo (what a spreadsheet cell can hold)."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts / 1000, zone).replace(tzinfo=None)


def _save(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A write-only workbook (rows streamed, not held as cell objects), bold headers."""
    book = Workbook(write_only=True)
    for title, head, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        header = []
        for text in head:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def coverage_workbook(hub: Hub, *, now_ms: int | None = None) -> bytes:
    zone = hub.config.zone
    statuses = await connectivity.unit_statuses(hub, now_ms=now_ms)
    sent = await sql.documents_sent_by_unit(hub.db)
    received: dict[str, list[int]] = {}
    for d in await sql.document_deliveries(hub.db):
        counts = received.setdefault(d["recipient_id"], [0, 0])
        counts[0] += 1
        if d["acked_ts"] is not None and (local_day(d["acked_ts"], zone)
                                          == local_day(d["created_ts"], zone)):
            counts[1] += 1
    summary = [_level_row(name, [s for s in statuses if s.kind == kind])
               for kind, name in LEVELS]
    summary.append(_level_row("Toàn tỉnh", statuses))
    units = [(s.organ_id, s.name, KIND_NAMES.get(s.kind, s.kind),
              _name(hub, s.parent_id), STATE_NAMES[s.state], _local(s.last_contact_ts, zone),
              sent.get(s.organ_id, 0), received.get(s.organ_id, [0, 0])[0],
              pct(received.get(s.organ_id, [0, 0])[1], received.get(s.organ_id, [0, 0])[0]))
             for s in statuses]
    return await asyncio.to_thread(_save, [("Tổng hợp", SUMMARY_HEAD, summary),
                                           ("Đơn vị", UNITS_HEAD, units)])


def _level_row(name: str, members: Sequence[connectivity.UnitStatus]) -> tuple[Any, ...]:
    ever = sum(1 for s in members if s.first_contact_ts is not None)
    now = sum(1 for s in members if s.state == "connected")
    return (name, len(members), ever, pct(ever, len(members)), now, pct(now, len(members)),
            TARGET_PCT, len(members) - ever)


def _name(hub: Hub, organ_id: str | None) -> str:
    unit = hub.directory.get(organ_id) if organ_id else None
    return unit.name if unit else (organ_id or "")


async def documents_workbook(hub: Hub, first: dt.date, last: dt.date) -> bytes:
    """Documents accepted on local days first..last (both included). The sender is named as
    it was that day; the recipient twice: the unit that holds the delivery now, and the unit
    it was addressed to as it was that day (code, name, parent), with the code a
    reorganisation moved it from."""
    zone = hub.config.zone
    start, _ = day_bounds(first, zone)
    _, end = day_bounds(last, zone)
    rows = [_document_row(hub, r) for r in await sql.document_report_rows(hub.db, start, end)]
    return await asyncio.to_thread(_save, [("Văn bản", DOCUMENTS_HEAD, rows)])


def _document_row(hub: Hub, r: Any) -> tuple[Any, ...]:
    zone = hub.config.zone
    day = local_day(r["accepted_ts"], zone)
    sender = hub.directory.described_on(r["sender_id"], day)
    addressed = r["routed_from"] or r["recipient_id"]
    at = hub.directory.described_on(addressed, day) or {"name": "", "parent": None,
                                                          "parent_name": None}
    return (_local(r["accepted_ts"], zone), r["document_id"],
            f"{r['code_number']}/{r['code_notation']}", r["subject"],
            PRIORITIES.get(r["priority"], str(r["priority"])), r["sender_id"],
            sender["name"] if sender else r["sender_id"], r["recipient_id"],
            _name(hub, r["recipient_id"]), DELIVERY_STATES.get(r["state"], r["state"]),
            _local(r["fetched_ts"], zone), _local(r["acked_ts"], zone), r["due_date"] or "",
            addressed, at["name"], at["parent_name"] or at["parent"] or "",
            r["routed_from"] or "")
