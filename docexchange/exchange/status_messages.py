"""Status messages: the stored form of a status, routed to the units that must see it.

Shared by the intake of a unit's status packet (exchange/status_intake.py) and by the
acknowledgement of a delivery, for which the hub issues status 01 itself (delivery/service.py):
one place decides how a status becomes a message with its deliveries.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from docexchange.clock import local_now
from docexchange.edxml import build_status, new_status
from docexchange.edxml.model import Organization, ResponseFor
from docexchange.exchange.context import ExchangeContext
from docexchange.ids import new_ulid
from docexchange.store import messages as sql
from docexchange.store.tx import Tx
from docexchange.store.units import dumps


def store_status_txn(ctx: ExchangeContext, conn: Tx, caller: str,
                      document_id: str, code: str, related: str, sha256: str, size: int,
                      recipients: list[str], subject: str, signature: str) -> str:
    """The status message, routed to `recipients`; its text (`subject`) is stored here once."""
    message_id = new_ulid()
    ts = ctx.clock.now_ms()
    sql.insert_message_txn(conn, sql.NewMessage(
        message_id, "status", caller, document_id, -1, sha256, size, subject, "", "", 0, None,
        code, related, None, signature, ts, dumps(recipients)))
    sql.insert_deliveries_txn(conn, message_id, recipients, 0, ts)
    return message_id


def hub_arrival_packet(ctx: ExchangeContext, recipient: str, document: Any) -> bytes:
    """The status 01 (đã đến) the hub issues for a recipient that acknowledged a delivery."""
    unit = ctx.directory.get(recipient)
    organ = Organization(organ_id=recipient, organ_name=unit.name if unit else "",
                         organization_in_charge=unit.organization_in_charge if unit else "")
    code = f"{document['code_number']}/{document['code_notation']}".strip("/")
    response = ResponseFor(organ_id=document["sender_id"], document_id=document["document_id"],
                           code=code, promulgation_date=_date_in(document["document_id"]))
    now = local_now(ctx.clock, ctx.config.zone).replace(tzinfo=None, microsecond=0)
    status = new_status(organ, response, "01", "Đã đến - hệ thống trục liên thông đã chuyển tới "
                        "phần mềm của đơn vị nhận", now)
    return build_status(status)


def _date_in(document_id: str) -> dt.date | None:
    parts = document_id.split(",")
    return _day(parts[1]) if len(parts) >= 3 else None


@lru_cache(maxsize=256)
def _day(text: str) -> dt.date | None:
    """The date a DocumentId carries: strptime cost 3 µs per acknowledged document, and the
    documents of a day all carry the same few dates."""
    try:
        return dt.datetime.strptime(text, "%Y/%m/%d").date()
    except ValueError:
        return None
