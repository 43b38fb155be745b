"""accept_status: a status packet from a unit, through the intake pipeline (exchange/intake.py).

A status moves one delivery along the state machine (exchange/state_machine.py) and is routed to the
other side: 01-06 and 15/16 from a recipient go to the document's sender; 13 (recall) from the
sender goes to every recipient. A document is (sender OrganId, DocumentId): a recipient's
status names it by ResponseFor/OrganId + DocumentId, so another sender reusing the DocumentId
can never capture it. A repeated status (same document, unit, code, timestamp) adds nothing; a
recipient's own 01 after the hub's (or the reverse) counts once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from docexchange.edxml.model import DocumentPacket, PacketWarning, StatusPacket
from docexchange.edxml.values import format_timestamp
from docexchange.errors import DocExchangeError
from docexchange.exchange.checks import SignatureCheck, check_sender, check_signature
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.incoming import RequestBody
from docexchange.exchange.intake import PacketKind, take_in
from docexchange.exchange.packet_check import Inspection
from docexchange.exchange.retired import check_not_before_start, check_within_grace
from docexchange.exchange.state_machine import ALL_CODES, apply_status, is_received
from docexchange.exchange.status_messages import store_status_txn
from docexchange.store import messages as sql
from docexchange.store.tx import Tx

#: The longest status Description accepted, in characters. A recall's text goes to every
#: recipient: unbounded, one 1 MB recall to 112 units once cost 236 MB (issue 9 #4). The text
#: is stored once, in the status message, and every delivery event refers to it.
STATUS_TEXT_MAX = 2000


@dataclass(frozen=True)
class StatusOutcome:
    status_code: str
    document_id: str
    message_id: str | None          # the stored status message (None for a repeat)
    delivery_ids: tuple[str, ...]
    duplicate: bool
    signature: str = "absent"       # verified | absent | unverified
    warnings: tuple[PacketWarning, ...] = ()  # how the reader had to be lenient

    def to_json(self) -> dict[str, Any]:
        return {"status_code": self.status_code, "document_id": self.document_id,
                "message_id": self.message_id, "deliveries": list(self.delivery_ids),
                "duplicate": self.duplicate, "signature": self.signature,
                "warnings": [w.to_json() for w in self.warnings]}


@dataclass(frozen=True)
class _Incoming:
    """One checked status packet on its way into the write transaction."""

    packet: StatusPacket
    stamp: str                      # its Timestamp as written back (repeat detection)
    sha256: str
    size: int
    signature: SignatureCheck


def _unknown_reference(sender_id: str, document_id: str) -> DocExchangeError:
    return DocExchangeError(
        "DX_UNKNOWN_REFERENCE",
        f"Không có văn bản {document_id} của đơn vị {sender_id or '(trống)'} gửi tới đơn vị "
        "này để báo trạng thái (ResponseFor phải ghi đơn vị gửi văn bản và DocumentId).",
        f"No document {document_id} sent by {sender_id or '(empty)'} to this unit to report a "
        "status on (ResponseFor names the document's sender and its DocumentId).",
        errors=[{"element": "ResponseFor", "organ_id": sender_id, "document_id": document_id}])


def _only_sender_recalls(document_id: str) -> DocExchangeError:
    return DocExchangeError(
        "DX_FORBIDDEN",
        f"Chỉ đơn vị gửi văn bản gốc mới được thu hồi văn bản {document_id} (trạng thái 13); "
        "đơn vị nhận trả lời yêu cầu thu hồi bằng trạng thái 15 (đồng ý) hoặc 16 (từ chối).",
        f"Only the original sender may recall document {document_id} (status 13); a "
        "recipient answers a recall with status 15 (accepted) or 16 (refused).",
        errors=[{"element": "StatusCode", "value": "13", "reason": "not the original sender"}])


def _check_text(packet: StatusPacket) -> None:
    length = len(packet.description)
    if length > STATUS_TEXT_MAX:
        raise DocExchangeError(
            "DX_INVALID_PACKET",
            f"Mô tả trạng thái (Description) dài {length} ký tự, vượt giới hạn "
            f"{STATUS_TEXT_MAX} ký tự.",
            f"The status Description is {length} characters long, over the limit of "
            f"{STATUS_TEXT_MAX} characters.",
            errors=[{"element": "Description", "reason": "too long", "length": length,
                     "limit": STATUS_TEXT_MAX}])


async def accept_status(ctx: ExchangeContext, caller: str, body: RequestBody
                        ) -> StatusOutcome:
    """Check, store and route one status packet; raises DocExchangeError on refusal."""
    return await take_in(ctx, caller, body, _Status())


#: what the transaction did: the outcome and the units whose inboxes it filled
_Stored = tuple[StatusOutcome, list[str]]


class _Status(PacketKind[_Stored, StatusOutcome]):
    packet: StatusPacket
    signature: SignatureCheck

    async def check(self, ctx: ExchangeContext, caller: str, inspection: Inspection) -> None:
        packet = inspection.packet
        if isinstance(packet, DocumentPacket):
            raise DocExchangeError(
                "DX_INVALID_PACKET", "Gói tin văn bản phải gửi tới /api/v1/documents.",
                "Document packets go to /api/v1/documents.",
                errors=[{"element": "StatusCode", "reason": "missing: not a status packet"}])
        check_sender(packet.from_.organ_id, caller, ctx.directory.recoded_from(caller))
        check_not_before_start(ctx, caller)
        check_within_grace(ctx, caller)
        if packet.status_code not in ALL_CODES:
            raise DocExchangeError(
                "DX_INVALID_PACKET", f"Mã trạng thái không hợp lệ: {packet.status_code}.",
                f"Unknown status code {packet.status_code}.",
                errors=[{"element": "StatusCode", "value": packet.status_code}])
        _check_text(packet)
        signature = await check_signature(ctx, inspection, caller)
        self.txn_name = f"status_{packet.status_code}"
        self.packet, self.signature = packet, signature

    def store_txn(self, ctx: ExchangeContext, conn: Tx, caller: str,
                  body: RequestBody) -> _Stored:
        incoming = _Incoming(self.packet, format_timestamp(self.packet.timestamp),
                             body.sha256, body.size, self.signature)
        store = _recall_txn if self.packet.status_code == "13" else _recipient_status_txn
        outcome, notify = store(ctx, conn, caller, incoming)
        if not outcome.duplicate:
            ctx.payloads.stage_txn(conn, body.sha256, body.data, body.spool)
        return outcome, notify

    async def answer(self, ctx: ExchangeContext, caller: str, body: RequestBody,
                     stored: _Stored) -> StatusOutcome:
        outcome, notify = stored
        ctx.notify(notify)
        return replace(outcome, warnings=self.packet.warnings)

def _recipient_status_txn(ctx: ExchangeContext, conn: Tx, caller: str,
                          incoming: _Incoming) -> tuple[StatusOutcome, list[str]]:
    """01-06, 15, 16 from a recipient: attached to the one document ResponseFor names (its
    sender + DocumentId) that was delivered to the caller, and routed to that sender only."""
    packet, stamp, signature = incoming.packet, incoming.stamp, incoming.signature.status
    code, document_id = packet.status_code, packet.response_for.document_id
    sender_id = packet.response_for.organ_id
    doc = sql.document_for_recipient_txn(conn, sender_id, document_id, caller,
                                         newest=code in ("15", "16"))
    for predecessor in ([] if doc else ctx.directory.predecessors(caller)):
        # a document sent to a unit that merged into (or was renamed as) the caller
        doc = sql.document_for_recipient_txn(conn, sender_id, document_id, predecessor,
                                             newest=code in ("15", "16"))
        if doc is not None:
            break
    if doc is None:
        raise _unknown_reference(sender_id, document_id)
    delivery = sql.delivery_txn(conn, doc["delivery_id"])
    repeat = sql.status_seen_txn(conn, doc["delivery_id"], code, stamp)
    if repeat or (code == "01" and is_received(delivery["state"])):
        return StatusOutcome(code, document_id, None, (doc["delivery_id"],), True,
                             signature), []
    change = apply_status(delivery["state"], delivery["recall"], code,
                          is_change=doc["business_type"] != 0)
    ts = ctx.clock.now_ms()
    updates: dict[str, Any] = {"state": change.state, "recall": change.recall,
                               "last_status_code": code, "last_status_ts": ts}
    if change.implies_receipt or code == "01":
        updates["acked_ts"] = delivery["acked_ts"] or ts
    sql.update_delivery_txn(conn, doc["delivery_id"], ts, **updates)
    message_id = store_status_txn(ctx, conn, caller, document_id, code, doc["message_id"],
                                   incoming.sha256, incoming.size, [doc["sender_id"]],
                                   packet.description, signature)
    sql.insert_event_txn(conn, doc["delivery_id"], "status", caller, ts, status_code=code,
                         status_time=stamp, message_id=message_id)
    ctx.evidence.append_txn(conn, "status_reported", {
        "delivery_id": doc["delivery_id"], "document_message_id": doc["message_id"],
        "status_message_id": message_id, "unit": caller, "status_code": code,
        "status_time": stamp, "sha256": incoming.sha256, "state": change.state,
        "signature": signature}, units=(caller, doc["sender_id"]), message_id=doc["message_id"])
    outcome = StatusOutcome(code, document_id, message_id, (doc["delivery_id"],), False,
                            signature)
    return outcome, [doc["sender_id"]]


def _recall_txn(ctx: ExchangeContext, conn: Tx, caller: str,
                incoming: _Incoming) -> tuple[StatusOutcome, list[str]]:
    """13 from the document's sender: the document is (caller, DocumentId); ResponseFor/OrganId
    may name the caller (the project's builder) or a recipient (the official sample)."""
    packet, stamp, signature = incoming.packet, incoming.stamp, incoming.signature.status
    document_id, named = packet.response_for.document_id, packet.response_for.organ_id
    original = sql.document_of_sender_txn(conn, document_id, caller)
    if original is None:
        if sql.delivered_to_txn(conn, document_id, caller):
            raise _only_sender_recalls(document_id)
        raise _unknown_reference(caller, document_id)
    deliveries = sql.deliveries_of_txn(conn, original["message_id"])
    recipients = [d["recipient_id"] for d in deliveries]
    if named != caller and named not in recipients:
        raise _unknown_reference(named, document_id)
    ids = tuple(d["delivery_id"] for d in deliveries)
    repeat = sql.recall_seen_txn(conn, original["message_id"], stamp)
    if repeat:
        return StatusOutcome("13", document_id, None, ids, True, signature), []
    ts = ctx.clock.now_ms()
    changes = [(d, apply_status(d["state"], d["recall"], "13", is_change=False))
               for d in deliveries]
    message_id = store_status_txn(ctx, conn, caller, document_id, "13",
                                   original["message_id"], incoming.sha256, incoming.size,
                                   recipients, packet.description, signature)
    for d, change in changes:
        sql.update_delivery_txn(conn, d["delivery_id"], ts, recall=change.recall,
                                last_status_code="13", last_status_ts=ts)
        sql.insert_event_txn(conn, d["delivery_id"], "status", caller, ts, status_code="13",
                             status_time=stamp, message_id=message_id)
    ctx.evidence.append_txn(conn, "recall_requested", {
        "document_message_id": original["message_id"], "status_message_id": message_id,
        "unit": caller, "status_time": stamp, "sha256": incoming.sha256,
        "recipients": recipients, "signature": signature},
        units=(caller, *recipients), message_id=original["message_id"])
    return StatusOutcome("13", document_id, message_id, ids, False, signature), recipients
