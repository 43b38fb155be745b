"""The variants of FIELD-PACKETS.md §2 (its Signatures table aside), written by the project.

Each function builds a packet with the project's own builder and applies one named edit, in
bytes or with lxml, that reproduces what a field writer does. Nothing here is copied from the
real files: codes, names and values are this project's demo data.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime

from lxml import etree

from docexchange.edxml import (
    Attachment,
    DocumentPacket,
    Organization,
    Receiver,
    Replacement,
    ResponseFor,
    build_document,
    build_status,
    new_document,
    new_status,
)

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
SENDER = "000.00.00.H45"
RECIPIENT = "000.00.12.H45"
OTHER = "000.00.31.H45"
NOW = datetime(2026, 11, 28, 9, 30, 0)
DOCUMENT_ID = "000.00.00.H45,2026/11/28,125/UBND-KT"
PDF = b"%PDF-1.4\n% docexchange field variant\n%%EOF\n"
OWN_UUID = "a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607"


def base_document(**header: object) -> DocumentPacket:
    """The builder's new công văn from the province to Sở Nội vụ, one zipped PDF."""
    packet = new_document(
        Organization(SENDER, organ_name="UBND tỉnh Phú Yên"),
        [RECIPIENT],
        code_number="125",
        code_notation="UBND-KT",
        subject="V/v kiểm thử các biến thể gói tin",
        now=NOW,
        files=[("cong-van.pdf", PDF)],
        due_date=date(2026, 12, 15),
    )
    if header:
        packet = dataclasses.replace(packet, header=dataclasses.replace(packet.header, **header))
    return packet


def base_bytes() -> bytes:
    return build_document(base_document())


def status_bytes(code: str = "01", sender: str = RECIPIENT, answered: str = SENDER) -> bytes:
    answer = ResponseFor(answered, DOCUMENT_ID, "125/UBND-KT", date(2026, 11, 28))
    return build_status(new_status(sender, answer, code, "Biến thể", NOW))


def _swap(data: bytes, old: bytes, new: bytes, count: int = 1) -> bytes:
    assert old in data, old
    return data.replace(old, new, count)


def _edit(data: bytes, change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(data)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _q(local: str) -> str:
    return f"{{{NS}}}{local}"


def _in_header(root: etree._Element, *path: str) -> etree._Element:
    found = root.find("/".join(_q(p) for p in ("edXMLEnvelope", "edXMLHeader", *path)))
    assert found is not None, path
    return found


def _business_with(kind: int, **fields: object) -> bytes:
    packet = base_document()
    assert packet.business is not None
    business = dataclasses.replace(packet.business, business_doc_type=kind, **fields)
    return build_document(dataclasses.replace(packet, business=business))


def _drop_business_document_id(data: bytes) -> bytes:
    return _swap(data, f"<edXML:Bussiness><edXML:DocumentId>{DOCUMENT_ID}</edXML:DocumentId>"
                 .encode(), b"<edXML:Bussiness>")


# TraceHeaderList and Bussiness ----------------------------------------------------------------

def replacement_without_business_document_id() -> bytes:
    """A replacement (3) whose ReplacementInfo is repeated and whose Bussiness has no
    DocumentId."""
    old = "000.00.00.H45,2026/10/30,97/UBND-KT"
    data = _business_with(3, replacements=(Replacement(old, (RECIPIENT,)),
                                           Replacement(old, (RECIPIENT,))))
    return _drop_business_document_id(data)


def revocation_without_business_document_id() -> bytes:
    """A revocation (1) naming another agency's document in ResponseFor, no Bussiness
    DocumentId."""
    answered = ResponseFor(OTHER, "000.00.31.H45,2026/08/06,267/UBND", "267/UBND", None)
    packet = base_document(response_for=(answered,))
    assert packet.business is not None
    packet = dataclasses.replace(
        packet, business=dataclasses.replace(packet.business, business_doc_type=1))
    return _drop_business_document_id(build_document(packet))


def business_document_id_differs() -> bytes:
    """Bussiness/DocumentId not the header's, with an impossible date inside (never parsed)."""
    return _swap(base_bytes(), f"<edXML:Bussiness><edXML:DocumentId>{DOCUMENT_ID}".encode(),
                 b"<edXML:Bussiness><edXML:DocumentId>000.00.00.H45,2014/02/30,7806/UBND-KT")


def business_before_trace_header() -> bytes:
    """VNPT's library writes Bussiness first in TraceHeaderList."""
    def move(root: etree._Element) -> None:
        trace_list = _in_header(root, "TraceHeaderList")
        trace_list.insert(0, trace_list.find(_q("Bussiness")))
    return _edit(base_bytes(), move)


def no_business() -> bytes:
    """A new document without any Bussiness block."""
    return build_document(dataclasses.replace(base_document(), business=None))


def trace_header_not_the_sender() -> bytes:
    return _swap(base_bytes(), f"<edXML:TraceHeader><edXML:OrganId>{SENDER}".encode(),
                 b"<edXML:TraceHeader><edXML:OrganId>000.00.00.G22")


def staff_ids_in_business() -> bytes:
    """VNPT's library adds DepartmentId and StaffId to StaffInfo."""
    return _swap(base_bytes(), b"<edXML:Department></edXML:Department><edXML:Staff></edXML:Staff>",
                 b"<edXML:Department>V\xc4\x83n th\xc6\xb0</edXML:Department>"
                 b"<edXML:DepartmentId>12</edXML:DepartmentId><edXML:Staff></edXML:Staff>"
                 b"<edXML:StaffId>34</edXML:StaffId>")


def update_receivers_not_in_to() -> bytes:
    """An update (2) whose ReceiverList names a unit that is not in To."""
    return _business_with(2, document_info="1", receivers=(Receiver(OTHER, 1),))


def business_spellings() -> bytes:
    """Business, BusinessDocType, BusinessDocReason, as Bkav's parser also reads them."""
    data = base_bytes()
    for tag in (b"Bussiness>", b"BussinessDocType>", b"BussinessDocReason>"):
        data = data.replace(b":" + tag, b":" + tag.replace(b"Bussiness", b"Business"))
    return data


def trace_header_list_attributes() -> bytes:
    """The .NET SDK's SOAP-style attributes on TraceHeaderList."""
    return _swap(base_bytes(), b"<edXML:TraceHeaderList>",
                 b'<edXML:TraceHeaderList id="trace-1" version="1.0" mustUnderstand="1" '
                 b'actor="http://schemas.xmlsoap.org/soap/actor/next">')


# MessageHeader --------------------------------------------------------------------------------

def task_code_and_application_type() -> bytes:
    """VNPT's ResponseForTask/TaskCode and ApplicationType after SteeringType."""
    return _swap(build_document(base_document(steering_type=0)),
                 b"</edXML:SteeringType>\n",
                 b"</edXML:SteeringType>\n<edXML:ResponseForTask><edXML:TaskCode>CV-2026-017"
                 b"</edXML:TaskCode></edXML:ResponseForTask>\n"
                 b"<edXML:ApplicationType>1</edXML:ApplicationType>\n")


def reply_fors_and_reference_codes() -> bytes:
    """VNPT's OtherInfo/ReplyFors and ReferenceCodes (content form never seen: items)."""
    return _swap(base_bytes(), b"</edXML:OtherInfo>",
                 b"<edXML:ReplyFors><edXML:ReplyFor>000.00.31.H45,2026/10/01,9/UBND"
                 b"</edXML:ReplyFor></edXML:ReplyFors>"
                 b"<edXML:ReferenceCodes>HS-2026-04</edXML:ReferenceCodes></edXML:OtherInfo>")


def document_type_eighteen() -> bytes:
    """The .NET SDK's default DocumentType/Type."""
    return _swap(base_bytes(), b"<edXML:Type>1</edXML:Type>", b"<edXML:Type>18</edXML:Type>")


def type_detail_missing() -> bytes:
    return _swap(base_bytes(), b"<edXML:TypeDetail>0</edXML:TypeDetail>", b"")


def empty_response_for() -> bytes:
    """A blank ResponseFor form, plus a commented-out filled one."""
    return _swap(base_bytes(), b"</edXML:OtherInfo>\n",
                 b"</edXML:OtherInfo>\n<edXML:ResponseFor>\n\t<edXML:OrganId></edXML:OrganId>"
                 b"<edXML:Code></edXML:Code><edXML:PromulgationDate></edXML:PromulgationDate>"
                 b"<edXML:DocumentId></edXML:DocumentId>\n</edXML:ResponseFor>\n"
                 b"<!--<edXML:ResponseFor><edXML:OrganId>000.00.31.H45</edXML:OrganId>"
                 b"</edXML:ResponseFor>-->\n")


def document_id_last_and_to_places_first() -> bytes:
    """DocumentId after SteeringType; ToPlaces before OtherInfo."""
    def move(root: etree._Element) -> None:
        header = _in_header(root, "MessageHeader")
        header.append(header.find(_q("DocumentId")))
        header.find(_q("OtherInfo")).addprevious(header.find(_q("ToPlaces")))
    packet = base_document(steering_type=1, to_places=("Như trên", "Lưu: VT"))
    return _edit(build_document(packet), move)


def empty_and_self_closed_elements() -> bytes:
    """<DueDate></DueDate>, <OrganAdd/>, <Appendix/>, empty SignerInfo children."""
    data = build_document(base_document(due_date=None))
    data = _swap(data, b"</edXML:SignerInfo>\n",
                 b"</edXML:SignerInfo>\n<edXML:DueDate></edXML:DueDate>\n")
    data = data.replace(b"<edXML:OrganAdd></edXML:OrganAdd>", b"<edXML:OrganAdd/>")
    return _swap(data, b"</edXML:OtherInfo>",
                 b"<edXML:Appendixes><edXML:Appendix/></edXML:Appendixes></edXML:OtherInfo>")


def organisations_partial_any_order() -> bytes:
    """From with three of its eight children, To with its children reversed."""
    def reorder(root: etree._Element) -> None:
        header = _in_header(root, "MessageHeader")
        sender = header.find(_q("From"))
        sender[:] = [sender.find(_q(n)) for n in ("OrganId", "OrganName", "OrganizationInCharge")]
        recipient = header.find(_q("To"))
        recipient[:] = list(reversed(recipient))
    return _edit(base_bytes(), reorder)


# Dates and times ------------------------------------------------------------------------------

def day_first_dates() -> bytes:
    """dd/MM/yyyy PromulgationDate and DueDate."""
    data = _swap(base_bytes(), b"<edXML:PromulgationDate>2026/11/28<",
                 b"<edXML:PromulgationDate>28/11/2026<")
    return _swap(data, b"<edXML:DueDate>2026/12/15<", b"<edXML:DueDate>15/12/2026<")


def day_first_dates_unpadded() -> bytes:
    """d/M/yyyy, the same writers without zero padding."""
    return _swap(base_bytes(), b"<edXML:DueDate>2026/12/15<", b"<edXML:DueDate>5/9/2027<")


def day_first_timestamps() -> bytes:
    """dd/MM/yyyy HH:mm:ss in a TraceHeader (older gateways)."""
    return _swap(base_bytes(), b"<edXML:Timestamp>2026/11/28 09:30:00<",
                 b"<edXML:Timestamp>28/11/2026 09:30:00<")


def old_dates_deadline_before_promulgation() -> bytes:
    data = _swap(base_bytes(), b"<edXML:PromulgationDate>2026/11/28<",
                 b"<edXML:PromulgationDate>2018/09/27<")
    return _swap(data, b"<edXML:DueDate>2026/12/15<", b"<edXML:DueDate>2018/06/25<")


# Namespaces and the XML surface ---------------------------------------------------------------

def undeclared_xlink_prefix() -> bytes:
    return _swap(base_bytes(), b"<edXML:Reference>", b'<edXML:Reference xlink:href="">')


def undeclared_edxml_prefix() -> bytes:
    """edXML: used on AttachmentEncoded, outside the envelope that declares it."""
    data = base_bytes()
    for tag in (b"AttachmentEncoded>", b"Attachment>"):
        data = data.replace(b"<" + tag, b"<edXML:" + tag).replace(b"</" + tag, b"</edXML:" + tag)
    return data


def declared_xlink_on_reference() -> bytes:
    """The .NET SDK's xlink:href, xlink:type and xlink:role, declared."""
    return _swap(base_bytes(), b"<edXML:Reference>",
                 b'<edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" '
                 b'xlink:href="cid:1" xlink:type="simple" xlink:role="attachment">')


def unknown_qcvn_and_xlink_extensions() -> bytes:
    """Elements and attributes of the QCVN and xlink namespaces the hub does not know."""
    data = _swap(base_bytes(), b"<edXML:Subject>",
                 b"<edXML:RegisterNumber>17</edXML:RegisterNumber>\n"
                 b'<edXML:Subject edXML:lang="vi">')
    return _swap(data, b"<edXML:Reference>",
                 b'<edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" '
                 b'xlink:title="C\xc3\xb4ng v\xc4\x83n">')


def comments_everywhere() -> bytes:
    data = _swap(base_bytes(), b"<edXML:edXMLHeader>", b"<!-- XML 102 -->\n<edXML:edXMLHeader>")
    data = _swap(data, b"<edXML:CodeNotation>UBND-KT",
                 b"<edXML:CodeNotation>UBND<!-- ghi ch\xc3\xba -->-KT")
    data = _swap(data, b"<edXML:MessageHeader>\n", b"<edXML:MessageHeader>\n<!-- header -->\n")
    return data + b"<!-- end -->\n"


def crlf_and_tabs() -> bytes:
    """CRLF line ends with tabs and spaces mixed before the elements."""
    return base_bytes().replace(b"\n<", b"\r\n\t  <").replace(b"\n", b"\r\n").replace(
        b"\r\r\n", b"\r\n")


def bom_standalone_extra_namespaces() -> bytes:
    """UTF-8 BOM, standalone="yes", xmlns:xsi and xmlns:xsd on the root."""
    data = _swap(base_bytes(), b'encoding="UTF-8"?>', b'encoding="UTF-8" standalone="yes"?>')
    data = _swap(data, f'<edXML xmlns="{NS}">'.encode(),
                 f'<edXML xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 f'xmlns:xsd="http://www.w3.org/2001/XMLSchema">'.encode())
    return b"\xef\xbb\xbf" + data


# Attachments ----------------------------------------------------------------------------------

def uuid_content_id() -> bytes:
    return base_bytes().replace(b">cid:1<", f">cid:{OWN_UUID}<".encode())


def reference_without_content_type() -> bytes:
    """The Manifest's ContentType commented out; the Attachment's stays."""
    return _swap(base_bytes(), b"<edXML:ContentType>application/zip</edXML:ContentType>",
                 b"<!--<edXML:ContentType>application/zip</edXML:ContentType>-->")


def attachment_type_wins_over_manifest() -> bytes:
    """A raw PDF while the Manifest keeps the library's default application/zip."""
    raw = Attachment("1", "congvan.pdf", "Công văn", "application/pdf", PDF)
    data = build_document(dataclasses.replace(base_document(), attachments=(raw,)))
    return _swap(data, b"<edXML:ContentType>application/pdf</edXML:ContentType>",
                 b"<edXML:ContentType>application/zip</edXML:ContentType>")


def zip_entry_named_by_uuid() -> bytes:
    """The library zips a file under a random <UUID>.<ext> entry name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{OWN_UUID}.txt", "Phụ lục kèm theo".encode())
    zipped = Attachment("2", "phuluc.txt", "Phụ lục", "application/zip", buffer.getvalue())
    return build_document(dataclasses.replace(base_document(), attachments=(zipped,)))


def field_name_mime_type_format() -> bytes:
    return _swap(base_bytes(), b"<ContentType>application/zip</ContentType>",
                 b"<ContentType>application/zip</ContentType><FieldName>file</FieldName>"
                 b"<MimeType>application/zip</MimeType><Format>zip</Format>")


def word_content_types() -> bytes:
    files = (Attachment("1", "a.doc", "", "application/doc", b"\xd0\xcf\x11\xe0doc"),
             Attachment("2", "b.docx", "", "application/docx", b"PK\x03\x04docx"))
    return build_document(dataclasses.replace(base_document(), attachments=files))


def large_attachment_on_one_line() -> bytes:
    """About 370 KB, the base64 on a single line, like every SDK document."""
    blob = bytes(range(256)) * 1080
    big = Attachment("1", "scan.pdf", "", "application/pdf", blob)
    return build_document(dataclasses.replace(base_document(), attachments=(big,)))


# Status packets -------------------------------------------------------------------------------

def status_with_code(code: str) -> bytes:
    """Every code the field sends: 01-06 by the recipient, 13 by the sender, 15/16."""
    if code == "13":
        return status_bytes(code, sender=SENDER, answered=SENDER)
    return status_bytes(code)


def status_response_for_either_order() -> bytes:
    """ResponseFor with DocumentId before PromulgationDate."""
    def swap(root: etree._Element) -> None:
        answered = _in_header(root, "MessageHeader", "ResponseFor")
        answered.find(_q("PromulgationDate")).addprevious(answered.find(_q("DocumentId")))
    return _edit(status_bytes(), swap)


def status_email_before_mobile() -> bytes:
    return _swap(status_bytes(), b"<edXML:Mobile></edXML:Mobile><edXML:Email></edXML:Email>",
                 b"<edXML:Email>vt@example.vn</edXML:Email><edXML:Mobile>0900</edXML:Mobile>")


def status_header_named_status() -> bytes:
    """Bkav's status builder writes edXML:Status instead of MessageHeader."""
    return status_bytes("05").replace(b"edXML:MessageHeader>", b"edXML:Status>")


def status_recall_naming_recipient() -> bytes:
    """13 from the original sender whose ResponseFor/OrganId names the recipient."""
    return status_bytes("13", sender=SENDER, answered=RECIPIENT)


def status_staff_ids() -> bytes:
    return _swap(status_bytes(), b"<edXML:Staff></edXML:Staff>",
                 b"<edXML:DepartmentId>12</edXML:DepartmentId><edXML:Staff>Tr\xe1\xba\xa7n B"
                 b"</edXML:Staff><edXML:StaffId>34</edXML:StaffId>")


def status_without_trace_or_signature() -> bytes:
    data = status_bytes()
    assert b"TraceHeaderList" not in data and b"Signature" not in data
    return data


def status_day_first_timestamp() -> bytes:
    return _swap(status_bytes(), b"<edXML:Timestamp>2026/11/28 09:30:00<",
                 b"<edXML:Timestamp>28/11/2026 09:30:00<")


# Still refused (FIELD-PACKETS.md §3) ----------------------------------------------------------

def template_with_nested_from() -> bytes:
    """A test-tool template: a From left open inside From, a placeholder for the content."""
    data = _swap(base_bytes(), b"</edXML:From>", b"<edXML:From><edXML:OrganId>x</edXML:OrganId>"
                 b"</edXML:From>")
    data = _swap(data, b"</edXML:From>", b"")
    return data.replace(b"UEsDB", b"${__readFile(body.txt)}UEsDB", 1)


def undeclared_other_prefix() -> bytes:
    return _swap(base_bytes(), b"<edXML:Subject>", b"<dms:Note>x</dms:Note><edXML:Subject>")


def no_recipient() -> bytes:
    def drop(root: etree._Element) -> None:
        header = _in_header(root, "MessageHeader")
        header.remove(header.find(_q("To")))
    return _edit(base_bytes(), drop)


def wrong_root_namespace() -> bytes:
    return base_bytes().replace(f'<edXML xmlns="{NS}">'.encode(),
                                b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2015">', 1)
