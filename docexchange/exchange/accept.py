"""accept_document: a document packet through the intake pipeline (exchange/intake.py).

What is particular to a document: it must not be a status packet, its From is the caller, its
signature is judged, its recipients are routed (aliases, successors, groups, other hubs); the
transaction stores it once per (sender, DocumentId, business type) with one delivery per
recipient, and the answer is the signed receipt.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from docexchange.directory.service import Resolution, Unresolved
from docexchange.edxml.model import DocumentPacket, StatusPacket
from docexchange.errors import DocExchangeError
from docexchange.evidence.proofs import receipt_proof
from docexchange.exchange.checks import SignatureCheck, check_sender, check_signature
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.incoming import RequestBody
from docexchange.exchange.intake import PacketKind, take_in
from docexchange.exchange.packet_check import Inspection
from docexchange.exchange.receipts import document_receipt
from docexchange.exchange.retired import check_not_before_start
from docexchange.ids import new_ulid
from docexchange.store import messages as sql
from docexchange.store.tx import Tx
from docexchange.store.units import dumps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    receipt: dict[str, Any]
    duplicate: bool
    recipients: tuple[str, ...]


async def accept_document(ctx: ExchangeContext, caller: str, body: RequestBody) -> Accepted:
    """Check, store and route one document packet; raises DocExchangeError on refusal."""
    return await take_in(ctx, caller, body, _Document())


#: what the transaction found or wrote: (a repeat?, the message row, its deliveries)
_Stored = tuple[bool, Any, list[Any]]


class _Document(PacketKind[_Stored, Accepted]):
    txn_name = "accept_document"
    packet: DocumentPacket
    signature: SignatureCheck
    routing: list[Resolution]
    recipients: tuple[str, ...]

    async def check(self, ctx: ExchangeContext, caller: str, inspection: Inspection) -> None:
        packet = inspection.packet
        if isinstance(packet, StatusPacket):
            raise DocExchangeError(
                "DX_INVALID_PACKET", "Gói tin trạng thái phải gửi tới /api/v1/statuses.",
                "Status packets go to /api/v1/statuses.",
                errors=[{"element": "StatusCode", "reason": "status packet sent as document"}])
        # secrecy marks: refused in ctx.inspect
        check_sender(packet.sender_id, caller, ctx.directory.recoded_from(caller))
        self.signature = await check_signature(ctx, inspection, caller)
        self.routing, self.recipients = route_recipients(ctx, packet)
        self.packet = packet

    def store_txn(self, ctx: ExchangeContext, conn: Tx, caller: str,
                  body: RequestBody) -> _Stored:
        return _store_txn(ctx, conn, caller, self, body)

    async def answer(self, ctx: ExchangeContext, caller: str, body: RequestBody,
                     stored: _Stored) -> Accepted:
        duplicate, row, deliveries = stored
        packet, btype = self.packet, self.packet.business_type
        if duplicate and row["sha256"] != body.sha256:
            conflict = DocExchangeError(
                "DX_DUPLICATE_DOCUMENT",
                f"Văn bản {packet.document_id} (loại nghiệp vụ {btype}) đã được gửi với nội "
                "dung khác.", f"Document {packet.document_id} (business type {btype}) was "
                "already sent with different content.", first_message_id=row["message_id"])
            await ctx.record_refusal(caller, body.sha256, conflict)
            raise conflict
        if not duplicate:
            ctx.notify(d["recipient_id"] for d in deliveries)
        proof = None if duplicate else ctx.evidence.take_proof(row["log_index"])
        if proof is None:  # a repeat (fresh proof on the latest head), or another process sealed
            proof = await receipt_proof(ctx.db, row["log_index"], same_batch=not duplicate)
        receipt = document_receipt(row, deliveries, proof.to_json())
        receipt["warnings"] = [w.to_json() for w in packet.warnings]  # same bytes, same notes
        return Accepted(receipt, duplicate, self.recipients)


def route_recipients(ctx: ExchangeContext, packet: DocumentPacket
           ) -> tuple[list[Resolution], tuple[str, ...]]:
    today = ctx.directory.today(ctx.config.zone)
    _check_sender_exists(ctx, packet.sender_id, today)
    check_not_before_start(ctx, packet.sender_id)
    follow = ctx.config.exchange.retired_recipient == "follow"
    to_all = ctx.config.exchange.split_recipient == "all"
    resolved: list[Resolution] = []
    unknown: list[Unresolved] = []
    retired: list[Unresolved] = []
    reorganised: list[Unresolved] = []
    not_yet: list[Unresolved] = []
    for code in packet.recipient_ids:
        result = ctx.directory.resolve(code, today, follow_successor=follow,
                                       all_successors=to_all)
        if isinstance(result, Resolution):
            resolved.append(result)
        elif result.reason == "unknown" and (hub := ctx.relay_routes.route_for(code)):
            if not ctx.relay_routes.arriving_from(hub):  # docexchange/upstream/
                resolved.append(Resolution(code, (code,), "relay", hub))
        elif result.reason == "retired":
            retired.append(result)
        elif result.reason in ("split", "dissolved"):
            reorganised.append(result)
        elif result.reason == "not_yet_valid":
            not_yet.append(result)
        else:
            unknown.append(result)
    if unknown:
        codes = ", ".join(u.requested for u in unknown)
        raise DocExchangeError(
            "DX_UNKNOWN_RECIPIENT", f"Không có đơn vị nhận với mã: {codes}.",
            f"Unknown recipient code(s): {codes}.",
            errors=[{"element": "To/OrganId", "value": u.requested, "reason": u.reason}
                    for u in unknown])
    if not_yet:
        raise _not_yet_valid(ctx, not_yet)
    if retired:
        names = ", ".join(f"{r.requested} (→ {', '.join(r.successors) or '?'})"
                          for r in retired)
        raise DocExchangeError(
            "DX_RETIRED_RECIPIENT", f"Đơn vị nhận đã giải thể/sáp nhập, hãy gửi tới đơn vị kế "
            f"thừa: {names}.", f"Recipient unit(s) retired; send to the successor: {names}.",
            errors=[{"element": "To/OrganId", "value": r.requested, "successor": r.successor,
                     "successors": list(r.successors)} for r in retired])
    if reorganised:
        raise _reorganised(reorganised)
    recipients = tuple(dict.fromkeys(o for r in resolved for o in r.organ_ids
                                     if o != packet.sender_id))
    if not recipients:
        sender = packet.sender_id
        raise DocExchangeError(
            "DX_UNKNOWN_RECIPIENT",
            f"Gói tin không có đơn vị nhận nào khác ngoài chính đơn vị gửi ({sender}): một đơn "
            "vị không tự gửi văn bản cho mình; hãy ghi mã đơn vị nhận trong To.",
            f"The packet names no recipient other than its sender ({sender}): a unit does not "
            "send a document to itself; put the recipients' codes in To.",
            errors=[{"element": "To/OrganId", "value": sender,
                     "reason": "no recipient other than the sender"}])
    return resolved, recipients


def _check_sender_exists(ctx: ExchangeContext, sender: str, today: dt.date) -> None:
    """A unit that stopped existing may still fetch and acknowledge, never send."""
    unit = ctx.directory.get(sender)
    if unit is not None and unit.valid_to is not None and unit.valid_to < today:
        raise DocExchangeError(
            "DX_UNIT_RETIRED", f"Đơn vị {sender} đã ngừng hoạt động từ {unit.valid_to}; đơn "
            f"vị kế thừa: {', '.join(unit.all_successors) or 'không có'}.",
            f"Unit {sender} stopped on {unit.valid_to} and can no longer send; successors: "
            f"{', '.join(unit.all_successors) or 'none'}.", successors=list(unit.all_successors))


def _not_yet_valid(ctx: ExchangeContext, found: list[Unresolved]) -> DocExchangeError:
    """A unit created by a plan for a future date: routable from that date, not before."""
    starts = {r.requested: unit.valid_from.isoformat() for r in found
              if (unit := ctx.directory.lookup(r.requested)) is not None}
    names = ", ".join(f"{code} ({day})" for code, day in starts.items())
    return DocExchangeError(
        "DX_RECIPIENT_NOT_YET_VALID", f"Đơn vị nhận chưa bắt đầu hoạt động; gửi được từ ngày "
        f"ghi bên cạnh: {names}.", f"Recipient unit(s) not in existence yet; they receive "
        f"from the date shown: {names}.",
        errors=[{"element": "To/OrganId", "value": code, "reason": "not_yet_valid",
                 "valid_from": day} for code, day in starts.items()])


def _reorganised(found: list[Unresolved]) -> DocExchangeError:
    """Split (several successors) or dissolved (none): the sender must choose."""
    names = "; ".join(f"{r.requested} → {', '.join(r.successors)}" if r.successors
                      else f"{r.requested} (giải thể / dissolved)" for r in found)
    return DocExchangeError(
        "DX_RECIPIENT_REORGANISED", f"Đơn vị nhận đã chia tách hoặc giải thể; hãy gửi tới đơn "
        f"vị phù hợp: {names}.", f"Recipient unit(s) split or dissolved; send to the right "
        f"successor: {names}.",
        errors=[{"element": "To/OrganId", "value": r.requested, "reason": r.reason,
                 "successors": list(r.successors)} for r in found])


def _store_txn(ctx: ExchangeContext, conn: Tx, caller: str, doc: _Document,
               body: RequestBody) -> _Stored:
    """The first send of (caller, DocumentId, business type) is stored; a repeat returns the
    first one, whatever its content (the answer refuses a different content).

    Few statements, since every one is taken while the writer holds the lock all writers
    wait for: the message insert is the duplicate check (ON CONFLICT DO NOTHING on the unique
    index), it carries its leaf index (counted in memory, see EvidenceLog.append_txn), the
    deliveries and their events are one statement each, and the rows answered are the ones
    just written, not read back."""
    packet, routing, recipients = doc.packet, doc.routing, doc.recipients
    btype = packet.business_type
    related = related_document_txn(conn, caller, packet)
    message_id = new_ulid()
    ts = ctx.clock.now_ms()
    index = ctx.evidence.next_index_txn(conn)
    routing_json = [r.to_json() for r in routing]  # the row and the leaf: built once
    message = sql.NewMessage(
        message_id, "document", caller, packet.document_id, btype, body.sha256,
        body.size, packet.header.subject, packet.header.code.code_number,
        packet.header.code.code_notation, packet.priority,
        packet.header.due_date.isoformat() if packet.header.due_date else None, None,
        related, doc.signature.key_id, doc.signature.status, ts,
        dumps(routing_json), index)
    if not sql.insert_document_if_new_txn(conn, message):
        first = sql.find_document_txn(conn, caller, packet.document_id, btype)
        return True, first, sql.deliveries_of_txn(conn, first["message_id"])
    ctx.payloads.stage_txn(conn, body.sha256, body.data, body.spool)
    deliveries = sql.insert_deliveries_txn(conn, message_id, recipients, packet.priority, ts)
    traces = {o: r.note for r in routing if r.via.startswith("successor")
              for o in r.organ_ids}
    sql.insert_created_events_txn(conn, [
        (d["delivery_id"], caller, ts, traces.get(d["recipient_id"], "")) for d in deliveries])
    for r in routing:
        if r.via == "group":
            sql.insert_message_group_txn(conn, message_id, r.requested, dumps(r.organ_ids))
    appended = ctx.evidence.append_txn(conn, "document_accepted", {
        "message_id": message_id, "sender": caller, "document_id": packet.document_id,
        "business_type": btype, "sha256": body.sha256, "size": body.size,
        "recipients": list(recipients), "related_message_id": related,
        "routing": routing_json, "signer_key_id": doc.signature.key_id,
        "signature": doc.signature.status,
    }, units=(caller, *recipients), message_id=message_id, receipt=True)
    if appended != index:  # a leaf appended in between would break the message's receipt
        raise RuntimeError(f"leaf {appended} appended where {index} was reserved")
    return False, message.as_row(), deliveries


def related_document_txn(conn: Tx, caller: str, packet: DocumentPacket
                         ) -> str | None:
    """Revoke/update/replace act on a document the same sender sent earlier, found the field's
    way (FIELD-PACKETS.md §4): the header DocumentId, ReplacementInfo, ResponseFor naming the
    sender, then Bussiness/DocumentId (often absent). Only the caller's own documents count."""
    if packet.business_type == 0:
        return None
    for document_id in _acted_on(caller, packet):
        row = sql.document_of_sender_txn(conn, document_id, caller)
        if row is not None:
            return str(row["message_id"])
    document_id = packet.document_id
    raise DocExchangeError(
        "DX_UNKNOWN_REFERENCE",
        f"Văn bản thu hồi/cập nhật/thay thế phải tham chiếu một văn bản chính đơn vị này đã "
        f"gửi: không có văn bản {document_id} nào của {caller}.",
        f"A revoke/update/replace must reference a document this unit sent: {caller} sent no "
        f"document {document_id}.",
        errors=[{"element": "DocumentId", "value": document_id}])


def _acted_on(caller: str, packet: DocumentPacket) -> list[str]:
    """Candidate DocumentIds of the document acted on, in the field's order, without blanks."""
    business = packet.business
    wanted = [packet.document_id]
    if business is not None:
        wanted += [r.document_id for r in business.replacements]
    wanted += [r.document_id for r in packet.header.response_for if r.organ_id == caller]
    if business is not None and business.document_id:
        wanted.append(business.document_id)
    return [d for d in dict.fromkeys(wanted) if d]
