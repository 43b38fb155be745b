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
    header = _Children(_header(root))
    staff = header.get("StaffInfo")
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


class _Children:
    """The children of one element, indexed by tag in one pass (the first of each name wins).

    A packet's model reads about eighty named children: one dict built per element, instead of
    one ``iterchildren`` walk per lookup, halves the cost of building the model.
    """

    __slots__ = ("element", "first")

    def __init__(self, element: Element | None) -> None:
        self.element = element
        first: dict[object, Element] = {}
        if element is not None:
            for child in element:
                first.setdefault(child.tag, child)
        self.first = first

    def get(self, name: str, *spellings: str) -> Element | None:
        """The first child of that name or of another spelling (in document order)."""
        if not spellings:
            return self.first.get(_TAGS[name])
        found = [c for c in (self.first.get(_TAGS[n]) for n in (name, *spellings))
                 if c is not None]
        if len(found) > 1 and self.element is not None:
            return next(self.element.iterchildren(*(_TAGS[n] for n in (name, *spellings))))
        return found[0] if found else None

    def all(self, name: str) -> list[Element]:
        """Every child of that name, in document order."""
        if self.element is None or _TAGS[name] not in self.first:
            return []
        return list(self.element.iterchildren(_TAGS[name]))


class _Tags(dict[str, str]):
    """Local name -> QCVN tag, computed once per name."""

    def __missing__(self, local: str) -> str:
        self[local] = tag = q(local)
        return tag


_TAGS = _Tags()


def _find(element: Element | None, name: str, *spellings: str) -> Element | None:
    """The first child of that name or of another spelling, for a single lookup."""
    if element is None:
        return None
    return next(element.iterchildren(*(_TAGS[n] for n in (name, *spellings))), None)


def _need(kids: _Children, name: str) -> Element:
    """A child the schema requires; its absence here would be a schema bug."""
    child = kids.get(name)
    if child is None:
        raise invalid_packet(name, "missing", reason_vi="thiếu phần tử")
    return child


def _text(kids: _Children, name: str, *spellings: str) -> str:
    """The stripped text of a child, "" when absent; comments inside do not cut it short.
    (Written out: it runs about sixty times per packet.)"""
    child = kids.get(name, *spellings) if spellings else kids.first.get(_TAGS[name])
    if child is None:
        return ""
    if len(child) == 0:
        return (child.text or "").strip()
    return str(_STRING(child)).strip()


def _own_text(child: Element | None) -> str:
    if child is None:
        return ""
    if len(child) == 0:  # no child nodes, not even comments: the text is all there is
        return (child.text or "").strip()
    return str(_STRING(child)).strip()


def _date(kids: _Children, name: str, notes: list[PacketWarning]) -> date | None:
    """An optional date; a day-first one is normalised and noted."""
    text = _text(kids, name)
    if not text:
        return None
    value = values.parse_date(text, name)
    if values.day_first(text):
        notes.append(_day_first(name, text, values.format_date(value)))
    return value


def _timestamp(kids: _Children, name: str, notes: list[PacketWarning]) -> datetime:
    text = _text(kids, name)
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
    return tuple(str(_STRING(child)).strip() for child in element.iterchildren(_TAGS[name]))


def _int(
    kids: _Children,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    default: int | None = 0,
) -> int:
    return values.parse_int(_text(kids, name), name, low=low, high=high, default=default)


def _message_header(element: Element, notes: list[PacketWarning]) -> MessageHeader:
    header = _Children(element)
    steering = _text(header, "SteeringType")
    application = _text(header, "ApplicationType")
    return MessageHeader(
        from_=_organization(_need(header, "From")),
        to=tuple(_organization(to) for to in header.all("To")),
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
        to_places=_texts(header.get("ToPlaces"), "Place"),
        task_code=_text(_Children(header.get("ResponseForTask")), "TaskCode"),
        application_type=_int(header, "ApplicationType", low=0) if application else None,
    )


def _answered(header: _Children, notes: list[PacketWarning]) -> tuple[ResponseFor, ...]:
    """The ResponseFor elements; one whose children are all empty (a form left blank) is
    skipped and noted."""
    answered = []
    for element in header.all("ResponseFor"):
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
    kids = _Children(element)
    return Organization(
        organ_id=_text(kids, "OrganId"),
        organization_in_charge=_text(kids, "OrganizationInCharge"),
        organ_name=_text(kids, "OrganName"),
        organ_add=_text(kids, "OrganAdd"),
        email=_text(kids, "Email"),
        telephone=_text(kids, "Telephone"),
        fax=_text(kids, "Fax"),
        website=_text(kids, "Website"),
    )


def _code(element: Element) -> Code:
    kids = _Children(element)
    return Code(_text(kids, "CodeNumber"), _text(kids, "CodeNotation"))


def _promulgation_info(element: Element, notes: list[PacketWarning]) -> PromulgationInfo:
    kids = _Children(element)
    when = _date(kids, "PromulgationDate", notes)
    if when is None:  # the schema requires it: only a bug would get here
        raise invalid_packet("PromulgationDate", "missing", reason_vi="thiếu phần tử")
    return PromulgationInfo(place=_text(kids, "Place"), date=when)


def _document_type(element: Element) -> DocumentType:
    kids = _Children(element)
    return DocumentType(
        type=_int(kids, "Type", low=0, default=None),
        type_detail=_int(kids, "TypeDetail", low=0),
        type_name=_text(kids, "TypeName"),
    )


def _signer_info(element: Element) -> SignerInfo:
    kids = _Children(element)
    return SignerInfo(
        competence=_text(kids, "Competence"),
        position=_text(kids, "Position"),
        full_name=_text(kids, "FullName"),
    )


def _other_info(element: Element) -> OtherInfo:
    kids = _Children(element)
    return OtherInfo(
        priority=_int(kids, "Priority", low=0, high=4, default=None),
        sphere_of_promulgation=_text(kids, "SphereOfPromulgation"),
        typer_notation=_text(kids, "TyperNotation"),
        promulgation_amount=_int(kids, "PromulgationAmount", low=0),
        page_amount=_int(kids, "PageAmount", low=0),
        direction=values.parse_bool(_text(kids, "Direction"), "Direction"),
        appendixes=_texts(kids.get("Appendixes"), "Appendix"),
        reply_fors=_item_texts(kids.get("ReplyFors")),
        reference_codes=_item_texts(kids.get("ReferenceCodes")),
    )


def _item_texts(element: Element | None) -> tuple[str, ...]:
    """The text of each child element, or of the element itself when it has none."""
    if element is None:
        return ()
    items = [child for child in element if isinstance(child.tag, str)]
    texts = [_own_text(child) for child in items] if items else [_own_text(element)]
    return tuple(text for text in texts if text)


def _response_for(element: Element, notes: list[PacketWarning]) -> ResponseFor:
    kids = _Children(element)
    return ResponseFor(
        organ_id=_text(kids, "OrganId"),
        document_id=_text(kids, "DocumentId"),
        code=_text(kids, "Code"),
        promulgation_date=_date(kids, "PromulgationDate", notes),
    )


def _traces(trace_list: Element | None, notes: list[PacketWarning]) -> tuple[TraceHeader, ...]:
    if trace_list is None:
        return ()
    return tuple(
        TraceHeader(
            organ_id=_text(trace, "OrganId"),
            timestamp=_timestamp(trace, "Timestamp", notes),
        )
        for trace in map(_Children, trace_list.iterchildren(_TAGS["TraceHeader"]))
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
    kids = _Children(element)
    return StaffInfo(
        department=_text(kids, "Department"),
        staff=_text(kids, "Staff"),
        email=_text(kids, "Email"),
        mobile=_text(kids, "Mobile"),
        department_id=_text(kids, "DepartmentId"),
        staff_id=_text(kids, "StaffId"),
    )


def _business(element: Element) -> Business:
    """The Bussiness block; Bkav's parser also reads the Business… spellings, so do we."""
    kids = _Children(element)
    staff = kids.get("StaffInfo")
    info = _Children(kids.get("BussinessDocumentInfo", "BusinessDocumentInfo"))
    kind = _text(kids, "BussinessDocType", "BusinessDocType")
    return Business(
        document_id=_text(kids, "DocumentId"),
        business_doc_type=values.parse_int(kind, "BussinessDocType", low=0, high=3),
        reason=_text(kids, "BussinessDocReason", "BusinessDocReason"),
        paper=_int(kids, "Paper", low=0, high=1),
        staff_info=StaffInfo() if staff is None else _staff_info(staff),
        document_info=_optional_text(info, "DocumentInfo"),
        document_receiver=_optional_text(info, "DocumentReceiver"),
        receivers=_receivers(info.get("ReceiverList")),
        replacements=_replacements(kids.get("ReplacementInfoList")),
    )


def _optional_text(kids: _Children, name: str) -> str | None:
    return None if kids.get(name) is None else _text(kids, name)


def _receivers(receiver_list: Element | None) -> tuple[Receiver, ...]:
    if receiver_list is None:
        return ()
    return tuple(
        Receiver(_text(kids, "OrganId"), _int(kids, "ReceiverType", low=0))
        for kids in map(_Children, receiver_list.iterchildren(_TAGS["Receiver"]))
    )


def _replacements(replacement_list: Element | None) -> tuple[Replacement, ...]:
    if replacement_list is None:
        return ()
    return tuple(
        Replacement(_text(kids, "DocumentId"), _texts(kids.get("OrganIdList"), "OrganId"))
        for kids in map(_Children, replacement_list.iterchildren(_TAGS["ReplacementInfo"]))
    )


def _attachments(root: Element, notes: list[PacketWarning], contents: bool
                 ) -> tuple[Attachment, ...]:
    """Attachments in Manifest order; every Reference needs its Attachment and vice versa."""
    references = _by_content_id(_manifest_references(root), "Reference")
    encoded = layout.attachment_encoded(root)
    attachments = _by_content_id(
        [] if encoded is None else list(encoded.iterchildren(_TAGS["Attachment"])), "Attachment"
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
    return [] if manifest is None else list(manifest.iterchildren(_TAGS["Reference"]))


def _by_content_id(elements: list[Element], kind: str) -> dict[str, _Children]:
    """Index by bare ContentId; a ContentId used twice is ambiguous and refused."""
    index: dict[str, _Children] = {}
    for kids in map(_Children, elements):
        cid = values.bare_cid(_text(kids, "ContentId"))
        if cid in index:
            raise invalid_packet_many([_unmatched(kind, cid, "ContentId is used twice")])
        index[cid] = kids
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
    cid: str, element: _Children, reference: _Children, notes: list[PacketWarning],
    contents: bool,
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
            href=_attribute(reference, f"{_XLINK}href"),
            role=_attribute(reference, f"{_XLINK}role"),
            type=_attribute(reference, f"{_XLINK}type"),
        ),
    )


def _attribute(kids: _Children, name: str) -> str:
    return "" if kids.element is None else str(kids.element.get(name, ""))


def _type_conflict(cid: str, own: str, listed: str) -> PacketWarning:
    return PacketWarning(
        "Attachment",
        "content_type_conflict",
        f"Tệp đính kèm {cid} ghi kiểu {own} nhưng Manifest ghi {listed}; hub dùng {own} "
        "của chính tệp đính kèm.",
        f"Attachment {cid} says {own} while the Manifest says {listed}; the hub uses the "
        f"attachment's own {own}.",
    )
