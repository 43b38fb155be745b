"""Ready-made packets for the hub and the CLI: a new document, a status answer.

Factories raise ValueError for arguments no caller should pass (an unknown status code, no
recipient): those are programming errors, not bad packets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from docexchange.edxml import values
from docexchange.edxml.model import (
    STATUS_CODES,
    Attachment,
    Business,
    Code,
    DocumentPacket,
    DocumentType,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPacket,
    TraceHeader,
)


def document_id(sender_id: str, promulgated: date, code: Code) -> str:
    """The field's DocumentId: {From},{yyyy/MM/dd},{CodeNumber}/{CodeNotation}."""
    return f"{sender_id},{values.format_date(promulgated)},{code.text}"


def new_document(
    sender: Organization,
    recipients: Sequence[Organization | str],
    *,
    code_number: str,
    code_notation: str,
    subject: str,
    now: datetime,
    priority: int = 0,
    files: Sequence[tuple[str, bytes]] = (),
    place: str = "",
    type_name: str = "Công văn",
    signer: SignerInfo | None = None,
    staff: StaffInfo | None = None,
    due_date: date | None = None,
) -> DocumentPacket:
    """A new công văn (BussinessDocType 0) promulgated at ``now``, each file zipped as its
    own attachment with ContentIds 1, 2, ...; recipients may be bare OrganIds.

    ``now`` is taken to whole seconds in local time (an aware datetime is converted), as the
    packet can carry no more.
    """
    if not recipients:
        raise ValueError("a document needs at least one recipient")
    if not 0 <= priority <= 4:
        raise ValueError(f"priority {priority} is outside 0..4")
    local = values.to_local(now).replace(microsecond=0)
    code = Code(code_number, code_notation)
    doc_id = document_id(sender.organ_id, local.date(), code)
    header = MessageHeader(
        from_=sender,
        to=tuple(_organization(r) for r in recipients),
        document_id=doc_id,
        code=code,
        promulgation_info=PromulgationInfo(place=place, date=local.date()),
        document_type=DocumentType(type=1, type_detail=0, type_name=type_name),
        subject=subject,
        content=subject,
        signer_info=signer or SignerInfo(),
        due_date=due_date,
        other_info=OtherInfo(priority=priority),
    )
    return DocumentPacket(
        header=header,
        traces=(TraceHeader(sender.organ_id, local),),
        business=Business(document_id=doc_id, staff_info=staff or StaffInfo()),
        attachments=tuple(
            Attachment.from_file(name, raw, content_id=str(index))
            for index, (name, raw) in enumerate(files, start=1)
        ),
    )


def new_status(
    from_: Organization | str,
    response_for: ResponseFor | DocumentPacket,
    status_code: str,
    description: str,
    timestamp: datetime,
    staff: StaffInfo | None = None,
) -> StatusPacket:
    """A status answer (EDXML.md §3) to a document, given as its packet or a ResponseFor."""
    code = values.status_code(str(status_code))
    if code not in STATUS_CODES:
        raise ValueError(f"unknown status code {status_code!r}")
    return StatusPacket(
        from_=_organization(from_),
        response_for=_answering(response_for),
        staff_info=staff or StaffInfo(),
        status_code=code,
        description=description,
        timestamp=values.to_local(timestamp).replace(microsecond=0),
    )


def _organization(org: Organization | str) -> Organization:
    return org if isinstance(org, Organization) else Organization(org)


def _answering(target: ResponseFor | DocumentPacket) -> ResponseFor:
    if isinstance(target, ResponseFor):
        return target
    header = target.header
    return ResponseFor(
        organ_id=header.from_.organ_id,
        document_id=header.document_id,
        code=header.code.text,
        promulgation_date=header.promulgation_info.date,
    )
