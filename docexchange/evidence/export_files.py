"""Export records as files: JSON Lines (one record per line) or CSV for spreadsheets.

The CSV form carries each record's JSON whole in its last column, so both files verify the
same way; the other columns (kind, index, event, time, message, and the units an event names
as they were that day) only help a human reading it in a spreadsheet and are not trusted by
the verifier. Files written before the `units` column (LEGACY_CSV_COLUMNS) still verify.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from docexchange.evidence.verify import VerificationError

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("record", "index", "tree_size", "event", "time", "message_id", "units", "json")
LEGACY_CSV_COLUMNS = ("record", "index", "tree_size", "event", "time", "message_id", "json")
#: What the `units` column says of one code on one day (directory.described_on), or None.
Describe = Callable[[str, dt.date], "dict[str, Any] | None"]


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write_records(records: Iterable[dict[str, Any]], out: TextIO, fmt: str,
                  describe: Describe | None = None, zone: ZoneInfo | None = None) -> int:
    """Write every record as it comes (never holding them all); returns how many.
    `describe` and `zone` fill the CSV's `units` column (left empty without them)."""
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {FORMATS}")
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        if writer is None:
            out.write(_json(record) + "\n")
        else:
            writer.writerow(_csv_row(record, describe, zone or dt.UTC))
        count += 1
    return count


def _csv_row(record: dict[str, Any], describe: Describe | None,
             zone: dt.tzinfo) -> list[Any]:
    head = record.get("tree_head") or {}
    event: dict[str, Any] = {}
    if record.get("record") == "leaf":
        event = _readable(record.get("data"))
    time = event.get("time", head.get("timestamp"))
    when = (dt.datetime.fromtimestamp(time / 1000, dt.UTC).isoformat(timespec="milliseconds")
            if isinstance(time, int) else "")
    units = (_units_then(event, dt.datetime.fromtimestamp(time / 1000, zone).date(), describe)
             if describe is not None and event and isinstance(time, int) else "")
    return [record.get("record"), record.get("index", ""),
            head.get("tree_size", record.get("tree_size", "")), event.get("event", ""), when,
            event.get("message_id") or "", units, _json(record)]


def _units_then(event: dict[str, Any], day: dt.date, describe: Describe) -> str:
    """Every unit code the event names, with the name and parent it had on the event's day:
    `000.00.12.H45 Sở Nội vụ (UBND tỉnh Phú Yên); …`. The leaf keeps the codes of its time;
    the names come from the directory's history, hence outside the signed JSON."""
    found: dict[str, str] = {}
    for text in _strings(event):
        if text not in found and (unit := describe(text, day)) is not None:
            parent = unit.get("parent_name") or unit.get("parent")
            found[text] = f"{text} {unit['name']}" + (f" ({parent})" if parent else "")
    return "; ".join(found.values())


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _readable(data: object) -> dict[str, Any]:
    """The leaf's JSON for the human columns, or nothing when it does not decode."""
    try:
        value = json.loads(base64.b64decode(str(data), validate=True).decode("utf-8"))
    except (ValueError, binascii.Error):
        return {}
    return value if isinstance(value, dict) else {}


def read_records(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(record number from 1, record) from either format, told apart by the CSV header."""
    stream = iter(lines)
    first = next(stream, "")
    header = first.rstrip("\r\n")
    columns = next((c for c in (CSV_COLUMNS, LEGACY_CSV_COLUMNS) if header == ",".join(c)), None)
    if columns is not None:
        for number, row in enumerate(csv.reader(stream), start=1):
            if len(row) != len(columns):
                raise VerificationError(f"a CSV row needs {len(columns)} columns",
                                        record=number)
            yield number, _parse(row[-1], number)
        return
    number = 0
    for number, line in enumerate(_chain(first, stream), start=1):
        if line.strip():
            yield number, _parse(line, number)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _parse(text: str, number: int) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise VerificationError("not valid JSON", record=number) from None
    if not isinstance(value, dict):
        raise VerificationError("not a JSON object", record=number)
    return value
