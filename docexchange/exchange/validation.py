"""validate_packet: every check of a real send, run without storing or logging anything.

DMS vendors call it (``POST /api/v1/documents/validate``, ``docexchange validate``) while they
integrate. It reuses the exchange's own checks (packet_check.py, accept.py, checks.py) so it can
never drift from what a real send decides; unlike a send, it does not stop at the first problem
but lists them all, each with the element's path and a sentence in Vietnamese and English. It
writes nothing: no message, no refusal, no evidence leaf, no log line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from docexchange.edxml.model import DocumentPacket, StatusPacket
from docexchange.errors import DocExchangeError
from docexchange.exchange.accept import related_document_txn, route_recipients
from docexchange.exchange.checks import check_sender, check_signature
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.state_machine import ALL_CODES
from docexchange.store import messages as sql

HEADER = "edXML/edXMLEnvelope/edXMLHeader"
_PATHS = {
    "edXML": "edXML",
    "Bussiness/DocumentId": f"{HEADER}/TraceHeaderList/Bussiness/DocumentId",
    "Signature": "edXML/edXMLEnvelope/Signature",
}


def element_path(element: str) -> str:
    """The path of an element named as the checks name it (``To/OrganId``, ``Subject``)."""
    if element in _PATHS:
        return _PATHS[element]
    if element.startswith(("edXML/", "/")):
        return element.lstrip("/")
    if element.startswith("Attachment["):
        return f"edXML/AttachmentEncoded/{element.replace('.', '/')}"
    return f"{HEADER}/MessageHeader/{element}"


@dataclass
class ValidationReport:
    """What a send of these bytes would meet. ``valid`` is True when a send would be accepted."""

    kind: str | None = None           # "document" or "status"; None when it does not parse
    document_id: str | None = None
    sender: str | None = None
    recipients: list[str] = field(default_factory=list)
    status_code: str | None = None
    signature: str = "absent"         # verified | absent | unverified
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # read leniently, as a send

    @property
    def valid(self) -> bool:
        return not self.problems

    def add(self, exc: DocExchangeError) -> None:
        """One entry per element the error names (all of a schema error's), else one."""
        items = exc.errors or [{"element": _default_element(exc.code)}]
        for item in items:
            element = str(item.get("path") or item.get("element") or "edXML")
            extra = {k: v for k, v in item.items() if k not in ("element", "path")}
            self.problems.append({
                "code": exc.code, "path": element_path(element), "message_vi": exc.message_vi,
                "message_en": exc.message_en, **extra})

    def to_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "kind": self.kind, "document_id": self.document_id,
                "sender": self.sender, "recipients": self.recipients,
                "status_code": self.status_code, "signature": self.signature,
                "problems": self.problems, "warnings": self.warnings}


def _default_element(code: str) -> str:
    return {"DX_BAD_SIGNATURE": "Signature", "DX_SENDER_MISMATCH": "From/OrganId",
            "DX_DUPLICATE_DOCUMENT": "DocumentId"}.get(code, "edXML")


async def validate_packet(ctx: ExchangeContext, caller: str, data: bytes) -> ValidationReport:
    """Run every check of a send by ``caller`` on ``data``; never raises for a bad packet."""
    report = ValidationReport()
    if len(data) > ctx.config.exchange.max_packet_bytes:
        limit = ctx.config.exchange.max_packet_bytes
        report.add(DocExchangeError(
            "DX_TOO_LARGE", f"Gói tin vượt quá giới hạn {limit} byte.",
            f"The packet exceeds the limit of {limit} bytes.", limit=limit))
        return report
    try:
        inspection = await ctx.inspect(data, refuse_classified=False)
    except DocExchangeError as exc:  # not well formed, wrong namespace, schema
        report.add(exc)
        return report
    if inspection.classified is not None:
        report.add(inspection.classified)
    packet = inspection.packet
    report.warnings = [w.to_json() for w in packet.warnings]
    await _collect(report, check_sender, packet.from_.organ_id if isinstance(
        packet, StatusPacket) else packet.sender_id, caller)
    judged = await _collect(report, check_signature, ctx, inspection, caller)
    report.signature = (judged.status if judged is not None
                        else "unverified" if inspection.signature.present else "absent")
    if isinstance(packet, StatusPacket):
        _status_checks(report, packet)
    else:
        await _document_checks(ctx, report, caller, packet, data)
    return report


async def _collect(report: ValidationReport, check: Callable[..., Any], *args: Any) -> Any:
    """Run one check of the exchange; its refusal becomes a problem of the report."""
    try:
        result = check(*args)
        return await result if isinstance(result, Awaitable) else result
    except DocExchangeError as exc:
        report.add(exc)
        return None


def _status_checks(report: ValidationReport, packet: StatusPacket) -> None:
    report.kind, report.status_code = "status", packet.status_code
    report.sender = packet.from_.organ_id
    report.document_id = packet.response_for.document_id
    if packet.status_code not in ALL_CODES:
        report.add(DocExchangeError(
            "DX_INVALID_PACKET", f"Mã trạng thái không hợp lệ: {packet.status_code}.",
            f"Unknown status code {packet.status_code}.",
            errors=[{"element": "StatusCode", "value": packet.status_code}]))


async def _document_checks(ctx: ExchangeContext, report: ValidationReport, caller: str,
                           packet: DocumentPacket, data: bytes) -> None:
    report.kind, report.sender = "document", packet.sender_id
    report.document_id = packet.document_id
    routed = await _collect(report, route_recipients, ctx, packet)
    if routed is not None:
        report.recipients = list(routed[1])
    if packet.business_type != 0:
        await _collect(report, ctx.db.read, "validate_reference",
                       lambda conn: related_document_txn(conn, caller, packet))
    first = await ctx.db.read("validate_duplicate", lambda conn: sql.find_document_txn(
        conn, caller, packet.document_id, packet.business_type))
    if first is not None and first["sha256"] != hashlib.sha256(data).hexdigest():
        report.add(DocExchangeError(
            "DX_DUPLICATE_DOCUMENT",
            f"Văn bản {packet.document_id} đã được gửi với nội dung khác: mỗi văn bản mới cần "
            "một DocumentId mới.",
            f"Document {packet.document_id} was already sent with different content: every "
            "new document needs a new DocumentId.",
            errors=[{"element": "DocumentId", "value": packet.document_id,
                     "first_message_id": first["message_id"]}]))
