"""Model -> edXML bytes in exactly the field's layout (samples/ shows it).

Root ``edXML`` with the QCVN namespace as default, ``edXML:edXMLEnvelope`` declaring the
``edXML`` prefix, prefixed elements in the order of the EDXML.md tables, ``AttachmentEncoded``
after the envelope with unprefixed children, one element per line for the structural parts.
No Signature: signing is a separate step that inserts one.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from docexchange.edxml import values
from docexchange.edxml.factories import new_document, new_status
from docexchange.edxml.layout import NS, Element, q
from docexchange.edxml.model import (
    Attachment,
    Business,
    DocumentPacket,
    MessageHeader,
    Organization,
    OtherInfo,
    ResponseFor,
    StaffInfo,
    StatusPacket,
    TraceHeader,
)
from docexchange.edxml.status_template import status_bytes

__all__ = ["build_document", "build_status", "new_document", "new_status"]

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_BUSINESS_STAFF = ("Department", "Staff", "Email", "Mobile")
_STATUS_STAFF = ("Department", "Staff", "Mobile", "Email")


def build_document(packet: DocumentPacket) -> bytes:
    """The document packet as UTF-8 bytes, ready to be signed."""
    root, envelope, header = _envelope()
    _message_header(_block(header, "MessageHeader"), packet.header)
    trace_list = _block(header, "TraceHeaderList")
    _traces(trace_list, packet.traces)
    if packet.business is not None:
        _business(_line(trace_list, "Bussiness"), packet.business)
    manifest = _block(_block(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _block(root, "AttachmentEncoded")
    for attachment in packet.attachments:
        _reference(_line(manifest, "Reference"), attachment)
        _attachment(_line(encoded, "Attachment"), attachment)
    return _serialise(root)


def build_status(packet: StatusPacket) -> bytes:
    """The status packet as UTF-8 bytes: the envelope with a header only, no body (from the
    template in status_template.py when every value is plain text, else from the tree)."""
    fast = status_bytes(packet)
    return fast if fast is not None else build_status_tree(packet)


def build_status_tree(packet: StatusPacket) -> bytes:
    """build_status through an lxml tree: the reference the template is held to."""
    root, _, header = _envelope()
    message = _block(header, "MessageHeader")
    _organization(_line(message, "From"), packet.from_)
    _response_for(_line(message, "ResponseFor"), packet.response_for)
    _staff(_line(message, "StaffInfo"), packet.staff_info, _STATUS_STAFF)
    _line(message, "StatusCode", packet.status_code)
    _line(message, "Description", packet.description)
    _line(message, "Timestamp", values.format_timestamp(packet.timestamp))
    if packet.traces:
        _traces(_block(header, "TraceHeaderList"), packet.traces)
    return _serialise(root)


def _envelope() -> tuple[Element, Element, Element]:
    """The root, the envelope (which declares the edXML prefix) and its edXMLHeader."""
    root = etree.Element(q("edXML"), nsmap={None: NS})
    root.text = "\n"
    envelope = _block(root, "edXMLEnvelope", nsmap={"edXML": NS})
    return root, envelope, _block(envelope, "edXMLHeader")


def _serialise(root: Element) -> bytes:
    """The double-quoted declaration of the samples (lxml writes single quotes)."""
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return _DECLARATION + body + b"\n"


def _leaf(parent: Element, name: str, text: str = "") -> Element:
    """An inline element; empty text is written <x></x> as the samples do, not <x/>."""
    element = etree.SubElement(parent, q(name))
    element.text = text
    return element


def _line(parent: Element, name: str, text: str = "") -> Element:
    """An element on a line of its own inside a block."""
    element = _leaf(parent, name, text)
    element.tail = "\n"
    return element


def _block(parent: Element, name: str, nsmap: dict[str | None, str] | None = None) -> Element:
    """A structural element whose children each sit on their own line."""
    element = etree.SubElement(parent, q(name), nsmap=nsmap)
    element.text = element.tail = "\n"
    return element


def _message_header(element: Element, header: MessageHeader) -> None:
    _organization(_line(element, "From"), header.from_)
    for recipient in header.to:
        _organization(_line(element, "To"), recipient)
    _line(element, "DocumentId", header.document_id)
    code = _line(element, "Code")
    _leaf(code, "CodeNumber", header.code.code_number)
    _leaf(code, "CodeNotation", header.code.code_notation)
    info = _line(element, "PromulgationInfo")
    _leaf(info, "Place", header.promulgation_info.place)
    _leaf(info, "PromulgationDate", values.format_date(header.promulgation_info.date))
    kind = _line(element, "DocumentType")
    _leaf(kind, "Type", str(header.document_type.type))
    _leaf(kind, "TypeDetail", str(header.document_type.type_detail))
    _leaf(kind, "TypeName", header.document_type.type_name)
    _line(element, "Subject", header.subject)
    _line(element, "Content", header.content)
    _signer_and_later(element, header)


def _signer_and_later(element: Element, header: MessageHeader) -> None:
    """SignerInfo to ToPlaces; optional elements are left out when empty."""
    signer = _line(element, "SignerInfo")
    _leaf(signer, "Competence", header.signer_info.competence)
    _leaf(signer, "Position", header.signer_info.position)
    _leaf(signer, "FullName", header.signer_info.full_name)
    if header.due_date is not None:
        _line(element, "DueDate", values.format_date(header.due_date))
    _other_info(_line(element, "OtherInfo"), header.other_info)
    for answered in header.response_for:
        _response_for(_line(element, "ResponseFor"), answered)
    if header.steering_type is not None:
        _line(element, "SteeringType", str(header.steering_type))
    if header.to_places:
        _list(_line(element, "ToPlaces"), "Place", header.to_places)


def _organization(element: Element, org: Organization) -> None:
    _leaf(element, "OrganId", org.organ_id)
    _leaf(element, "OrganizationInCharge", org.organization_in_charge)
    _leaf(element, "OrganName", org.organ_name)
    _leaf(element, "OrganAdd", org.organ_add)
    _leaf(element, "Email", org.email)
    _leaf(element, "Telephone", org.telephone)
    _leaf(element, "Fax", org.fax)
    _leaf(element, "Website", org.website)


def _other_info(element: Element, info: OtherInfo) -> None:
    _leaf(element, "Priority", str(info.priority))
    _leaf(element, "SphereOfPromulgation", info.sphere_of_promulgation)
    _leaf(element, "TyperNotation", info.typer_notation)
    _leaf(element, "PromulgationAmount", str(info.promulgation_amount))
    _leaf(element, "PageAmount", str(info.page_amount))
    _leaf(element, "Direction", values.format_bool(info.direction))
    if info.appendixes:
        _list(_leaf(element, "Appendixes"), "Appendix", info.appendixes)


def _response_for(element: Element, answered: ResponseFor) -> None:
    _leaf(element, "OrganId", answered.organ_id)
    _leaf(element, "Code", answered.code)
    if answered.promulgation_date is not None:
        _leaf(element, "PromulgationDate", values.format_date(answered.promulgation_date))
    _leaf(element, "DocumentId", answered.document_id)


def _list(element: Element, name: str, items: Iterable[str]) -> None:
    items = tuple(items)
    element.text = None if items else ""
    for item in items:
        _leaf(element, name, item)


def _staff(element: Element, staff: StaffInfo, order: tuple[str, ...]) -> None:
    """StaffInfo in the order its context uses (Bussiness and status headers differ)."""
    fields = {
        "Department": staff.department,
        "Staff": staff.staff,
        "Email": staff.email,
        "Mobile": staff.mobile,
    }
    for name in order:
        _leaf(element, name, fields[name])


def _traces(element: Element, traces: Iterable[TraceHeader]) -> None:
    for trace in traces:
        line = _line(element, "TraceHeader")
        _leaf(line, "OrganId", trace.organ_id)
        _leaf(line, "Timestamp", values.format_timestamp(trace.timestamp))


def _business(element: Element, business: Business) -> None:
    _leaf(element, "DocumentId", business.document_id)
    _leaf(element, "BussinessDocType", str(business.business_doc_type))
    _leaf(element, "BussinessDocReason", business.reason)
    _leaf(element, "Paper", str(business.paper))
    _staff(_leaf(element, "StaffInfo"), business.staff_info, _BUSINESS_STAFF)
    if (
        business.document_info is not None
        or business.document_receiver is not None
        or business.receivers
    ):
        _business_document_info(_leaf(element, "BussinessDocumentInfo"), business)
    if business.replacements:
        _replacements(_leaf(element, "ReplacementInfoList"), business)


def _business_document_info(element: Element, business: Business) -> None:
    element.text = None
    if business.document_info is not None:
        _leaf(element, "DocumentInfo", business.document_info)
    if business.document_receiver is not None:
        _leaf(element, "DocumentReceiver", business.document_receiver)
    receivers = _leaf(element, "ReceiverList")
    for receiver in business.receivers:
        item = _leaf(receivers, "Receiver")
        _leaf(item, "OrganId", receiver.organ_id)
        _leaf(item, "ReceiverType", str(receiver.receiver_type))


def _replacements(element: Element, business: Business) -> None:
    for replacement in business.replacements:
        info = _leaf(element, "ReplacementInfo")
        _leaf(info, "DocumentId", replacement.document_id)
        _list(_leaf(info, "OrganIdList"), "OrganId", replacement.organ_ids)


def _reference(element: Element, attachment: Attachment) -> None:
    _leaf(element, "ContentId", values.cid_ref(attachment.content_id))
    _leaf(element, "ContentType", attachment.content_type)
    _leaf(element, "Description", attachment.description)
    _leaf(element, "AttachmentName", attachment.name)


def _attachment(element: Element, attachment: Attachment) -> None:
    """Unprefixed children, except ContentTransferEncoded which declares edXML itself."""
    _leaf(element, "ContentId", values.cid_ref(attachment.content_id))
    _leaf(element, "AttachmentName", attachment.name)
    _leaf(element, "Description", attachment.description)
    _leaf(element, "ContentType", attachment.content_type)
    encoded = etree.SubElement(element, q("ContentTransferEncoded"), nsmap={"edXML": NS})
    encoded.text = values.encode_base64(attachment.data)
