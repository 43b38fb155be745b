"""Build the model from a packet element that has passed schema validation.

Lookups are by name, so children may come in any order; the schema has already checked which
elements exist, and the value checks here (dates, ranges, base64, ContentId matching) name the
element when they fail. What is read differently from how it is written (a day-first date, an
empty ResponseFor skipped, a content type that contradicts the Manifest) is appended to
``notes``, which becomes the packet's warnings.
"""

from __future__ import annotations

from datetime import date, datetime

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
    PacketWarning,
    PromulgationInfo,
    Receiver,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPacket,
    TraceHeader,
    TraceListInfo,
    XLink,
)
from docexchange.edxml.problems import entry, invalid_packet, invalid_packet_many

_STRING = etree.XPath("string()", smart_strings=False)
_XLINK = "{http://www.w3.org/1999/xlink}"


def document_packet(root: Element, signed: bool, notes: list[PacketWarning], *,
                    contents: bool = True) -> DocumentPacket:
    """The model of a validated document packet (root as given: edXML or edXMLEnvelope).

    ``contents=False``: attachments' base64 is checked but not decoded (``data`` empty), for
    callers that store the sender's bytes and never read the model's copy of them."""
    header = _header(root)
    trace_list = _find(layout.header(root), "TraceHeaderList")
    business = _find(trace_list, "Bussiness", "Business")
    message_header = _message_header(header, notes)
    traces = _traces(trace_list, notes)
    attachments = _attachments(root, notes, contents)
    return DocumentPacket(
        header=message_header,
        traces=traces,
        business=None if business is None else _business(business),
        attachments=attachments,
        has_signature=signed,
        trace_list=_trace_list_info(trace_list),
        warnings=tuple(notes),
    )


def status_packet(root: Element, signed: bool, notes: list[PacketWarning]) -> StatusPacket:
    """The model of a validated status packet; a one-digit StatusCode becomes two."""
    header = _header(root)
    staff = _find(header, "StaffInfo")
    trace_list = _find(layout.header(root), "TraceHeaderList")
    response_for = _response_for(_need(header, "ResponseFor"), notes)
    timestamp = _timestamp(header, "Timestamp", notes)
    traces = _traces(trace_list, notes)
    return StatusPacket(
        from_=_organization(_need(header, "From")),
        response_for=response_for,
        staff_info=StaffInfo() if staff is None else _staff_info(staff),
        status_code=values.status_code(_text(header, "StatusCode")),
        description=_text(header, "Description"),
        timestamp=timestamp,
        traces=traces,
        has_signature=signed,
        trace_list=_trace_list_info(trace_list),
        warnings=tuple(notes),
    )


def _header(root: Element) -> Element:
    """MessageHeader (or Status); the schema has made sure there is one."""
    header = layout.message_header(root)
    if header is None:
        raise invalid_packet("MessageHeader", "missing", reason_vi="thiếu phần tử")
    return header


def _find(element: Element | None, name: str, *spellings: str) -> Element | None:
    """The first child of that name or of another spelling (iterchildren: several times faster
    than find())."""
    if element is None:
        return None
    if spellings:
        return next(element.iterchildren(q(name), *map(q, spellings)), None)
    return next(element.iterchildren(q(name)), None)


def _need(element: Element | None, name: str) -> Element:
    """A child the schema requires; its absence here would be a schema bug."""
    child = _find(element, name)
    if child is None:
        raise invalid_packet(name, "missing", reason_vi="thiếu phần tử")
    return child


def _text(element: Element | None, name: str, *spellings: str) -> str:
    """The stripped text of a child, "" when absent; comments inside do not cut it short."""
    return _own_text(_find(element, name, *spellings))


def _own_text(child: Element | None) -> str:
    if child is None:
        return ""
    if len(child) == 0:  # no child nodes, not even comments: the text is all there is
        return (child.text or "").strip()
    return str(_STRING(child)).strip()


def _date(element: Element, name: str, notes: list[PacketWarning]) -> date | None:
    """An optional date; a day-first one is normalised and noted."""
    text = _text(element, name)
    if not text:
        return None
    value = values.parse_date(text, name)
    if values.day_first(text):
        notes.append(_day_first(name, text, values.format_date(value)))
    return value


def _timestamp(element: Element, name: str, notes: list[PacketWarning]) -> datetime:
    text = _text(element, name)
    value = values.parse_timestamp(text, name)
    if values.day_first(text):
        notes.append(_day_first(name, text, values.format_timestamp(value)))
    return value


def _day_first(name: str, text: str, normal: str) -> PacketWarning:
    return PacketWarning(
        name,
        "day_first_date",
        f"{name} '{text}' ghi ngày trước (dd/MM/yyyy); hub đọc là {normal}.",
        f"{name} '{text}' is written day first (dd/MM/yyyy); the hub read it as {normal}.",
    )


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


def _message_header(header: Element, notes: list[PacketWarning]) -> MessageHeader:
    steering = _text(header, "SteeringType")
    application = _text(header, "ApplicationType")
    return MessageHeader(
        from_=_organization(_need(header, "From")),
        to=tuple(_organization(to) for to in header.iterchildren(q("To"))),
        document_id=_text(header, "DocumentId"),
        code=_code(_need(header, "Code")),
        promulgation_info=_promulgation_info(_need(header, "PromulgationInfo"), notes),
        document_type=_document_type(_need(header, "DocumentType")),
        subject=_text(header, "Subject"),
        content=_text(header, "Content"),
        signer_info=_signer_info(_need(header, "SignerInfo")),
        due_date=_date(header, "DueDate", notes),
        other_info=_other_info(_need(header, "OtherInfo")),
        response_for=_answered(header, notes),
        steering_type=_int(header, "SteeringType") if steering else None,
        to_places=_texts(_find(header, "ToPlaces"), "Place"),
        task_code=_text(_find(header, "ResponseForTask"), "TaskCode"),
        application_type=_int(header, "ApplicationType", low=0) if application else None,
    )


def _answered(header: Element, notes: list[PacketWarning]) -> tuple[ResponseFor, ...]:
    """The ResponseFor elements; one whose children are all empty (a form left blank) is
    skipped and noted."""
    answered = []
    for element in header.iterchildren(q("ResponseFor")):
        if layout.is_blank(element):
            notes.append(_empty_response_for(element))
        else:
            answered.append(_response_for(element, notes))
    return tuple(answered)


def _empty_response_for(element: Element) -> PacketWarning:
    line = element.sourceline or 0
    return PacketWarning(
        "ResponseFor",
        "empty_response_for",
        f"ResponseFor (dòng {line}) không có nội dung nên được bỏ qua.",
        f"ResponseFor (line {line}) is empty and was ignored.",
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


def _promulgation_info(element: Element, notes: list[PacketWarning]) -> PromulgationInfo:
    when = _date(element, "PromulgationDate", notes)
    if when is None:  # the schema requires it: only a bug would get here
        raise invalid_packet("PromulgationDate", "missing", reason_vi="thiếu phần tử")
    return PromulgationInfo(place=_text(element, "Place"), date=when)


def _document_type(element: Element) -> DocumentType:
    return DocumentType(
        type=_int(element, "Type", low=0, default=None),
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
        reply_fors=_item_texts(_find(element, "ReplyFors")),
        reference_codes=_item_texts(_find(element, "ReferenceCodes")),
    )


def _item_texts(element: Element | None) -> tuple[str, ...]:
    """The text of each child element, or of the element itself when it has none."""
    if element is None:
        return ()
    items = [child for child in element if isinstance(child.tag, str)]
    texts = [_own_text(child) for child in items] if items else [_own_text(element)]
    return tuple(text for text in texts if text)


def _response_for(element: Element, notes: list[PacketWarning]) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(element, "OrganId"),
        document_id=_text(element, "DocumentId"),
        code=_text(element, "Code"),
        promulgation_date=_date(element, "PromulgationDate", notes),
    )


def _traces(trace_list: Element | None, notes: list[PacketWarning]) -> tuple[TraceHeader, ...]:
    if trace_list is None:
        return ()
    return tuple(
        TraceHeader(
            organ_id=_text(trace, "OrganId"),
            timestamp=_timestamp(trace, "Timestamp", notes),
        )
        for trace in trace_list.iterchildren(q("TraceHeader"))
    )


def _trace_list_info(trace_list: Element | None) -> TraceListInfo:
    """The .NET SDK's attributes on TraceHeaderList (unprefixed, as it writes them)."""
    if trace_list is None or not trace_list.attrib:
        return TraceListInfo()
    get = trace_list.attrib.get
    return TraceListInfo(
        id=get("id", ""),
        version=get("version", ""),
        must_understand=get("mustUnderstand", ""),
        actor=get("actor", ""),
    )


def _staff_info(element: Element) -> StaffInfo:
    return StaffInfo(
        department=_text(element, "Department"),
        staff=_text(element, "Staff"),
        email=_text(element, "Email"),
        mobile=_text(element, "Mobile"),
        department_id=_text(element, "DepartmentId"),
        staff_id=_text(element, "StaffId"),
    )


def _business(element: Element) -> Business:
    """The Bussiness block; Bkav's parser also reads the Business… spellings, so do we."""
    staff = _find(element, "StaffInfo")
    info = _find(element, "BussinessDocumentInfo", "BusinessDocumentInfo")
    kind = _text(element, "BussinessDocType", "BusinessDocType")
    return Business(
        document_id=_text(element, "DocumentId"),
        business_doc_type=values.parse_int(kind, "BussinessDocType", low=0, high=3),
        reason=_text(element, "BussinessDocReason", "BusinessDocReason"),
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


def _attachments(root: Element, notes: list[PacketWarning], contents: bool
                 ) -> tuple[Attachment, ...]:
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
    return tuple(
        _attachment(cid, attachments[cid], references[cid], notes, contents)
        for cid in references
    )


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


_PROBLEMS_VI = {
    "has no Attachment": "không có Attachment tương ứng",
    "is not listed in the Manifest": "không có trong Manifest",
    "ContentId is used twice": "ContentId bị dùng hai lần",
}


def _unmatched(kind: str, cid: str, problem: str) -> dict[str, object]:
    return entry(
        kind,
        f"{kind} with ContentId {cid!r} {problem}",
        reason_vi=f"{kind} có ContentId {cid!r} {_PROBLEMS_VI[problem]}",
        content_id=cid,
    )


def _attachment(
    cid: str, element: Element, reference: Element, notes: list[PacketWarning], contents: bool
) -> Attachment:
    """The Attachment's own fields win; the Manifest Reference fills the blanks."""

    def field(name: str) -> str:
        return _text(element, name) or _text(reference, name)

    encoded = _text(element, "ContentTransferEncoded")
    if contents:
        data = values.decode_base64(encoded, "ContentTransferEncoded", content_id=cid)
    else:
        values.check_base64(encoded, "ContentTransferEncoded", content_id=cid)
        data = b""
    del encoded  # a 200 MB attachment's text goes before the rest is read
    own_type = _text(element, "ContentType") or _text(element, "MimeType")
    listed_type = _text(reference, "ContentType")
    if own_type and listed_type and own_type.lower() != listed_type.lower():
        notes.append(_type_conflict(cid, own_type, listed_type))
    return Attachment(
        content_id=cid,
        name=field("AttachmentName"),
        description=field("Description"),
        content_type=own_type or listed_type or "application/octet-stream",
        data=data,
        field_name=_text(element, "FieldName"),
        mime_type=_text(element, "MimeType"),
        format=_text(element, "Format"),
        link=XLink(
            href=reference.get(f"{_XLINK}href", ""),
            role=reference.get(f"{_XLINK}role", ""),
            type=reference.get(f"{_XLINK}type", ""),
        ),
    )


def _type_conflict(cid: str, own: str, listed: str) -> PacketWarning:
    return PacketWarning(
        "Attachment",
        "content_type_conflict",
        f"Tệp đính kèm {cid} ghi kiểu {own} nhưng Manifest ghi {listed}; hub dùng {own} "
        "của chính tệp đính kèm.",
        f"Attachment {cid} says {own} while the Manifest says {listed}; the hub uses the "
        f"attachment's own {own}.",
    )
