"""How this package reports a bad packet: DX_INVALID_PACKET naming the element, or
DX_MALFORMED_XML when the bytes are not XML at all.

Every errors entry carries ``element``, ``reason`` (English), ``reason_vi`` (the same reason in
Vietnamese) and, when known, ``line``; the messages repeat the first entry in full, so a clerk
reading only ``detail_vi`` learns what is wrong and where.
"""

from __future__ import annotations

from typing import Any

from docexchange.edxml.schema_reasons import in_vietnamese
from docexchange.errors import DocExchangeError


def invalid_packet(
    element: str, reason: str, *, reason_vi: str | None = None, **extra: Any
) -> DocExchangeError:
    """An error for one bad element; extra keys (line, content_id) go into the errors entry.

    Without ``reason_vi`` the English reason is translated by pattern (schema_reasons).
    """
    return invalid_packet_many([entry(element, reason, reason_vi=reason_vi, **extra)])


def entry(element: str, reason: str, *, reason_vi: str | None = None, **extra: Any
          ) -> dict[str, Any]:
    """One errors entry, its Vietnamese reason filled in."""
    return {"element": element, "reason": reason,
            "reason_vi": reason_vi or in_vietnamese(reason), **extra}


def invalid_packet_many(errors: list[dict[str, Any]]) -> DocExchangeError:
    """An error listing several problems; the messages name the first one, with its line.

    reason texts are about the caller's own packet (never internal exception text), so they may
    be shown to the caller.
    """
    errors = [e if "reason_vi" in e else {**e, "reason_vi": in_vietnamese(e["reason"])}
              for e in errors]
    first = errors[0]
    line = first.get("line")
    return DocExchangeError(
        "DX_INVALID_PACKET",
        f"Gói tin edXML không hợp lệ tại phần tử {first['element']}"
        f"{f' (dòng {line})' if line else ''}: {first['reason_vi']}",
        f"Invalid edXML packet: element {first['element']}"
        f"{f' (line {line})' if line else ''}: {first['reason']}",
        errors=errors,
    )


def malformed_xml(element: str, reason: str, reason_vi: str, line: int, column: int = 0
                  ) -> DocExchangeError:
    """Bytes that are not well-formed XML (HTTP 400): nothing in them can be read."""
    where_en = f"line {line}" + (f", column {column}" if column else "")
    where_vi = f"dòng {line}" + (f", cột {column}" if column else "")
    return DocExchangeError(
        "DX_MALFORMED_XML",
        f"Gói tin không phải XML đúng cú pháp ({where_vi}, phần tử {element}): {reason_vi}",
        f"The packet is not well-formed XML ({where_en}, element {element}): {reason}",
        errors=[{"element": element, "reason": reason, "reason_vi": reason_vi, "line": line,
                 "column": column}],
    )


def no_recipient(line: int) -> dict[str, Any]:
    """The errors entry for a document with no To at all, said plainly (not as a schema path)."""
    return entry(
        "To",
        "the packet names no recipient: MessageHeader has no To element",
        reason_vi="gói tin không ghi đơn vị nhận nào: MessageHeader không có phần tử To",
        line=line,
    )
