""""Gửi văn bản thử": a small test document from the province to one unit, sent through the
exchange service exactly like a DMS's document (checked, stored, logged, routed), so an
operator can watch the unit fetch and acknowledge it on the document's timeline.

The sender is the province's own unit (kind `province`, the hub's home); the packet is not
XML-signed, so a hub with `exchange.require_sender_signature = true` refuses it (the refusal
is shown to the operator like any other).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from docexchange.accounts.operators import Operator
from docexchange.edxml import Organization, build_document, new_document
from docexchange.errors import DocExchangeError
from docexchange.exchange.accept import accept_document
from docexchange.exchange.incoming import RequestBody
from docexchange.hub import Hub
from docexchange.unit import Unit

NOTATION = "THU-KN"
ATTACHMENT = "van-ban-thu.txt"


def _organization(unit: Unit) -> Organization:
    return Organization(organ_id=unit.organ_id,
                        organization_in_charge=unit.organization_in_charge,
                        organ_name=unit.name, organ_add=unit.address, email=unit.email,
                        telephone=unit.telephone, fax=unit.fax, website=unit.website)


def province_unit(hub: Hub, day: dt.date) -> Unit:
    """The province's own unit, the sender of test documents."""
    for unit in hub.directory.all_units():
        if unit.kind == "province" and unit.is_valid_on(day):
            return unit
    raise DocExchangeError("DX_CONFLICT", "Danh bạ không có đơn vị cấp tỉnh để gửi văn bản thử.",
                           "The directory has no province unit to send a test document from.")


async def send_test_document(hub: Hub, organ_id: str, operator: Operator) -> str:
    """Send one test document to `organ_id`; returns its message id. Admins only: it lands
    in a real inbox."""
    if not operator.is_admin:
        raise DocExchangeError("DX_FORBIDDEN", "Cần quyền quản trị.", "Admin role required.")
    now = dt.datetime.now(hub.config.zone).replace(microsecond=0)
    recipient = hub.directory.lookup(organ_id)
    if recipient is None:
        raise DocExchangeError("DX_NOT_FOUND", "Không có đơn vị với mã này.",
                               "No unit has this code.", organ_id=organ_id)
    sender = province_unit(hub, now.date())
    text = (f"Văn bản thử kết nối do {operator.name} gửi lúc {now:%H:%M %d/%m/%Y}; "
            "xin nhận và xác nhận như văn bản thường.\n")
    packet = new_document(
        _organization(sender), [_organization(recipient)], code_number=f"{now:%H%M%S}",
        code_notation=NOTATION, subject=f"Văn bản thử kết nối tới {recipient.name}",
        now=now, files=[(ATTACHMENT, text.encode("utf-8"))])
    data = build_document(packet)
    accepted = await accept_document(hub.exchange, sender.organ_id,
                                     RequestBody(data, hashlib.sha256(data).hexdigest(), None))
    return str(accepted.receipt["message_id"])
