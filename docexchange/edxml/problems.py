"""The one way this package reports a bad packet: DX_INVALID_PACKET naming the element."""

from __future__ import annotations

from typing import Any

from docexchange.errors import DocExchangeError


def invalid_packet(element: str, reason: str, **extra: Any) -> DocExchangeError:
    """An error for one bad element; extra keys (line, content_id) go into the errors entry."""
    return invalid_packet_many([{"element": element, "reason": reason, **extra}])


def invalid_packet_many(errors: list[dict[str, Any]]) -> DocExchangeError:
    """An error listing several problems; the messages name the first one.

    reason texts are about the caller's own packet (never internal exception text), so they may
    be shown to the caller.
    """
    first = errors[0]
    return DocExchangeError(
        "DX_INVALID_PACKET",
        f"Gói tin edXML không hợp lệ tại phần tử {first['element']}.",
        f"Invalid edXML packet: element {first['element']}: {first['reason']}",
        errors=errors,
    )
