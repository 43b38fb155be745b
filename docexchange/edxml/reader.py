"""Build the model from a packet element that has passed schema validation.

Lookups are by name, so children may come in any order; the schema has already checked which
elements exist, and the value checks here (dates, ranges, base64, ContentId matching) name the
element when they fail.
"""

from __future__ import annotations

from lxml import etree

from docexchange.edxml import layout, values
from docexchange.edxml.layout import Element, q
from docexchange.edxml.model import (
    Attachment,
    Business,
    Code,
    DocumentPacket,
    DocumentType,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPacket,
    TraceHeader,
)
from docexchange.edxml.problems import invalid_packet, invalid_packet_many

_STRING = etree.XPath("string()", smart_strings=False)


def document_packet(root: Element, signed: bool) -> DocumentPacket:
    """The model of a validated document packet (root as given: edXML or edXMLEnvelope)."""
    header = _header(root)
    trace_list = _find(layout.header(root), "TraceHeaderList")
    business = _find(trace_list, "Bussiness")
    return DocumentPacket(
        header=_message_header(header),
        traces=_traces(trace_list),
        business=None if business is None else _business(business),
        attachments=_attachments(root),
        has_signature=signed,
    )


def status_packet(root: Element, signed: bool) -> StatusPacket:
    """The model of a validated status packet; a one-digit StatusCode becomes two."""
    header = _header(root)
    staff = _find(header, "StaffInfo")
    return StatusPacket(
        from_=_organization(_need(header, "From")),
        response_for=_response_for(_need(header, "ResponseFor")),
        staff_info=StaffInfo() if staff is None else _staff_info(staff),
        status_code=values.status_code(_text(header, "StatusCode")),
        description=_text(header, "Description"),
        timestamp=values.parse_timestamp(_text(header, "Timestamp"), "Timestamp"),
        traces=_traces(_find(layout.header(root), "TraceHeaderList")),
        has_signature=signed,
    )


def _header(root: Element) -> Element:
    """MessageHeader (or Status); the schema has made sure there is one."""
    header = layout.message_header(root)
    if header is None:
        raise invalid_packet("MessageHeader", "missing")
    return header


def _find(element: Element | None, name: str) -> Element | None:
    """The first child of that name (iterchildren: several times faster than find())."""
    return None if element is None else next(element.iterchildren(q(name)), None)


def _need(element: Element | None, name: str) -> Element:
    """A child the schema requires; its absence here would be a schema bug."""
    child = _find(element, name)
    if child is None:
        raise invalid_packet(name, "missing")
    return child


def _text(element: Element | None, name: str) -> str:
    """The stripped text of a child, "" when absent; comments inside do not cut it short."""
    child = _find(element, name)
    if child is None:
        return ""
    if len(child) == 0:  # no child nodes, not even comments: the text is all there is
        return (child.text or "").strip()
    return str(_STRING(child)).strip()


def _texts(element: Element | None, name: str) -> tuple[str, ...]:
    if element is None:
        return ()
    return tuple(str(_STRING(child)).strip() for child in element.iterchildren(q(name)))


def _int(
    element: Element | None,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    default: int | None = 0,
) -> int:
    return values.parse_int(_text(element, name), name, low=low, high=high, default=default)


def _message_header(header: Element) -> MessageHeader:
    steering = _text(header, "SteeringType")
    return MessageHeader(
        from_=_organization(_need(header, "From")),
        to=tuple(_organization(to) for to in header.iterchildren(q("To"))),
        document_id=_text(header, "DocumentId"),
        code=_code(_need(header, "Code")),
        promulgation_info=_promulgation_info(_need(header, "PromulgationInfo")),
        document_type=_document_type(_need(header, "DocumentType")),
        subject=_text(header, "Subject"),
        content=_text(header, "Content"),
        signer_info=_signer_info(_need(header, "SignerInfo")),
        due_date=values.parse_optional_date(_text(header, "DueDate"), "DueDate"),
        other_info=_other_info(_need(header, "OtherInfo")),
        response_for=tuple(_response_for(r) for r in header.iterchildren(q("ResponseFor"))),
        steering_type=_int(header, "SteeringType") if steering else None,
        to_places=_texts(_find(header, "ToPlaces"), "Place"),
    )


def _organization(element: Element) -> Organization:
    return Organization(
        organ_id=_text(element, "OrganId"),
        organization_in_charge=_text(element, "OrganizationInCharge"),
        organ_name=_text(element, "OrganName"),
        organ_add=_text(element, "OrganAdd"),
        email=_text(element, "Email"),
        telephone=_text(element, "Telephone"),
        fax=_text(element, "Fax"),
        website=_text(element, "Website"),
    )


def _code(element: Element) -> Code:
    return Code(_text(element, "CodeNumber"), _text(element, "CodeNotation"))


def _promulgation_info(element: Element) -> PromulgationInfo:
    when = values.parse_date(_text(element, "PromulgationDate"), "PromulgationDate")
    return PromulgationInfo(place=_text(element, "Place"), date=when)


def _document_type(element: Element) -> DocumentType:
    return DocumentType(
        type=_int(element, "Type", low=1, high=2, default=None),
        type_detail=_int(element, "TypeDetail", low=0),
        type_name=_text(element, "TypeName"),
    )


def _signer_info(element: Element) -> SignerInfo:
    return SignerInfo(
        competence=_text(element, "Competence"),
        position=_text(element, "Position"),
        full_name=_text(element, "FullName"),
    )


def _other_info(element: Element) -> OtherInfo:
    return OtherInfo(
        priority=_int(element, "Priority", low=0, high=4, default=None),
        sphere_of_promulgation=_text(element, "SphereOfPromulgation"),
        typer_notation=_text(element, "TyperNotation"),
        promulgation_amount=_int(element, "PromulgationAmount", low=0),
        page_amount=_int(element, "PageAmount", low=0),
        direction=values.parse_bool(_text(element, "Direction"), "Direction"),
        appendixes=_texts(_find(element, "Appendixes"), "Appendix"),
    )


def _response_for(element: Element) -> ResponseFor:
    when = _text(element, "PromulgationDate")
    return ResponseFor(
        organ_id=_text(element, "OrganId"),
        document_id=_text(element, "DocumentId"),
        code=_text(element, "Code"),
        promulgation_date=values.parse_optional_date(when, "PromulgationDate"),
    )


def _traces(trace_list: Element | None) -> tuple[TraceHeader, ...]:
    if trace_list is None:
        return ()
    return tuple(
        TraceHeader(
            organ_id=_text(trace, "OrganId"),
            timestamp=values.parse_timestamp(_text(trace, "Timestamp"), "Timestamp"),
        )
        for trace in trace_list.iterchildren(q("TraceHeader"))
    )


def _staff_info(element: Element) -> StaffInfo:
    return StaffInfo(
        department=_text(element, "Department"),
        staff=_text(element, "Staff"),
        email=_text(element, "Email"),
        mobile=_text(element, "Mobile"),
    )


def _business(element: Element) -> Business:
    staff = _find(element, "StaffInfo")
    info = _find(element, "BussinessDocumentInfo")
    return Business(
        document_id=_text(element, "DocumentId"),
        business_doc_type=_int(element, "BussinessDocType", low=0, high=3, default=None),
        reason=_text(element, "BussinessDocReason"),
        paper=_int(element, "Paper", low=0, high=1),
        staff_info=StaffInfo() if staff is None else _staff_info(staff),
        document_info=_optional_text(info, "DocumentInfo"),
        document_receiver=_optional_text(info, "DocumentReceiver"),
        receivers=_receivers(_find(info, "ReceiverList")),
        replacements=_replacements(_find(element, "ReplacementInfoList")),
    )


def _optional_text(element: Element | None, name: str) -> str | None:
    return None if _find(element, name) is None else _text(element, name)


def _receivers(receiver_list: Element | None) -> tuple[Receiver, ...]:
    if receiver_list is None:
        return ()
    return tuple(
        Receiver(_text(receiver, "OrganId"), _int(receiver, "ReceiverType", low=0))
        for receiver in receiver_list.iterchildren(q("Receiver"))
    )


def _replacements(replacement_list: Element | None) -> tuple[Replacement, ...]:
    if replacement_list is None:
        return ()
    return tuple(
        Replacement(_text(info, "DocumentId"), _texts(_find(info, "OrganIdList"), "OrganId"))
        for info in replacement_list.iterchildren(q("ReplacementInfo"))
    )


def _attachments(root: Element) -> tuple[Attachment, ...]:
    """Attachments in Manifest order; every Reference needs its Attachment and vice versa."""
    references = _by_content_id(_manifest_references(root), "Reference")
    encoded = layout.attachment_encoded(root)
    attachments = _by_content_id(
        [] if encoded is None else list(encoded.iterchildren(q("Attachment"))), "Attachment"
    )
    errors = [
        _unmatched("Reference", cid, "has no Attachment")
        for cid in references
        if cid not in attachments
    ]
    errors += [
        _unmatched("Attachment", cid, "is not listed in the Manifest")
        for cid in attachments
        if cid not in references
    ]
    if errors:
        raise invalid_packet_many(errors)
    return tuple(_attachment(cid, attachments[cid], references[cid]) for cid in references)


def _manifest_references(root: Element) -> list[Element]:
    env = layout.envelope(root)
    manifest = _find(_find(env, "edXMLBody"), "edXMLManifest")
    return [] if manifest is None else list(manifest.iterchildren(q("Reference")))


def _by_content_id(elements: list[Element], kind: str) -> dict[str, Element]:
    """Index by bare ContentId; a ContentId used twice is ambiguous and refused."""
    index: dict[str, Element] = {}
    for element in elements:
        cid = values.bare_cid(_text(element, "ContentId"))
        if cid in index:
            raise invalid_packet_many([_unmatched(kind, cid, "ContentId is used twice")])
        index[cid] = element
    return index


def _unmatched(kind: str, cid: str, problem: str) -> dict[str, str]:
    return {
        "element": kind,
        "content_id": cid,
        "reason": f"{kind} with ContentId {cid!r} {problem}",
    }


def _attachment(cid: str, element: Element, reference: Element) -> Attachment:
    """The Attachment's own fields win; the Manifest Reference fills the blanks."""

    def field(name: str) -> str:
        return _text(element, name) or _text(reference, name)

    data = values.decode_base64(
        _text(element, "ContentTransferEncoded"), "ContentTransferEncoded", content_id=cid
    )
    return Attachment(
        content_id=cid,
        name=field("AttachmentName"),
        description=field("Description"),
        content_type=field("ContentType") or "application/octet-stream",
        data=data,
    )
