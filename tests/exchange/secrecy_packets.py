"""Packets for secrecy tests: every free-text field filled with innocent text, and a way to put
any text into any one of them (edited in the XML tree, so fields the model drops count too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from tests.conftest import PROVINCE, SO_NOI_VU
from tests.exchange.helpers import document, status

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_E = f"{{{NS}}}"


def _el(parent: etree._Element, local: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, _E + local)
    child.text = text
    return child


def _find(root: etree._Element, path: str) -> etree._Element:
    """The first element at a path of local names ("MessageHeader/From/OrganName")."""
    found = root.find(".//" + "/".join(_E + step for step in path.split("/")))
    if found is None:
        found = root.find(".//" + "/".join(path.split("/")))  # AttachmentEncoded: no namespace
    assert found is not None, path
    return found


def full_document(number: int | None = None) -> etree._Element:
    """A valid document packet (PROVINCE → SO_NOI_VU) whose every free-text field has text, and
    whose Manifest Reference names the attachment differently from the Attachment itself."""
    root = etree.fromstring(document(PROVINCE, [SO_NOI_VU], number=number,
                                     files=[("bao-cao.pdf", b"%PDF-1.4 bao cao")]))
    header = _find(root, "MessageHeader")
    for org in ("From", "To"):
        _find(header, f"{org}/OrganizationInCharge").text = "UBND tỉnh Phú Yên"
        _find(header, f"{org}/OrganName").text = "Văn phòng UBND tỉnh"
        _find(header, f"{org}/OrganAdd").text = "số 8 Trần Hưng Đạo, Tuy Hòa"
    _find(header, "PromulgationInfo/Place").text = "Phú Yên"
    _find(header, "SignerInfo/Competence").text = "KT. CHỦ TỊCH"
    _find(header, "SignerInfo/Position").text = "PHÓ CHỦ TỊCH"
    _find(header, "SignerInfo/FullName").text = "Nguyễn Văn A"
    _find(header, "SignerInfo").addnext(etree.Element(_E + "DueDate"))
    _find(header, "DueDate").text = "2026/12/15"
    _find(header, "OtherInfo/SphereOfPromulgation").text = "Các sở, ban, ngành"
    _find(header, "OtherInfo/TyperNotation").text = "VT"
    _el(_el(_find(header, "OtherInfo"), "Appendixes"), "Appendix", "Phụ lục I: Danh mục")
    _el(_el(header, "ToPlaces"), "Place", "Như trên")
    _find(root, "Bussiness/BussinessDocReason").text = "Văn bản điện tử mới"
    _find(root, "Bussiness/StaffInfo/Department").text = "Văn thư"
    _find(root, "Bussiness/StaffInfo/Staff").text = "Trần Thị B"
    _find(root, "edXMLManifest/Reference/AttachmentName").text = "to-trinh.pdf"
    _find(root, "edXMLManifest/Reference/Description").text = "Tờ trình kèm theo"
    return root


def full_status(document_id: str) -> etree._Element:
    """A valid status 03 (SO_NOI_VU → PROVINCE) with its free-text fields filled."""
    root = etree.fromstring(status(SO_NOI_VU, PROVINCE, document_id, "03"))
    _find(root, "From/OrganName").text = "Sở Nội vụ"
    _find(root, "StaffInfo/Department").text = "Văn thư"
    _find(root, "StaffInfo/Staff").text = "Lê Văn C"
    _find(root, "Description").text = "Văn thư đã vào sổ"
    return root


@dataclass(frozen=True)
class Field:
    """One place a person writes text: how to put text there, and the path a finding names."""

    name: str
    kind: str  # "document" or "status"
    put: Callable[[etree._Element, str], None]
    path: str  # what the finding's path ends with


def _text_at(local_path: str) -> Callable[[etree._Element, str], None]:
    def put(root: etree._Element, text: str) -> None:
        _find(root, local_path).text = text
    return put


def _attribute(root: etree._Element, text: str) -> None:
    _find(root, "edXMLManifest").set("note", text)


def _comment(root: etree._Element, text: str) -> None:
    _find(root, "MessageHeader").append(etree.Comment(f"<Subject>{text}</Subject>"))


def _split_by_comment(root: etree._Element, text: str) -> None:
    """The text cut in two by a comment: <Subject>first half<!-- -->second half</Subject>."""
    subject = _find(root, "MessageHeader/Subject")
    half = len(text) // 2
    subject.text = text[:half]
    comment = etree.Comment(" ")
    comment.tail = text[half:]
    subject.append(comment)


_D = "MessageHeader"
DOCUMENT_FIELDS = [
    Field("Subject", "document", _text_at(f"{_D}/Subject"), "MessageHeader/Subject"),
    Field("Content", "document", _text_at(f"{_D}/Content"), "MessageHeader/Content"),
    Field("TypeName", "document", _text_at(f"{_D}/DocumentType/TypeName"), "/TypeName"),
    Field("CodeNotation", "document", _text_at(f"{_D}/Code/CodeNotation"), "/CodeNotation"),
    Field("Place", "document", _text_at(f"{_D}/PromulgationInfo/Place"),
          "PromulgationInfo/Place"),
    Field("SphereOfPromulgation", "document",
          _text_at(f"{_D}/OtherInfo/SphereOfPromulgation"), "/SphereOfPromulgation"),
    Field("TyperNotation", "document", _text_at(f"{_D}/OtherInfo/TyperNotation"),
          "/TyperNotation"),
    Field("Appendix", "document", _text_at(f"{_D}/OtherInfo/Appendixes/Appendix"),
          "/Appendixes/Appendix"),
    Field("ToPlaces", "document", _text_at(f"{_D}/ToPlaces/Place"), "ToPlaces/Place"),
    Field("DueDate", "document", _text_at(f"{_D}/DueDate"), "MessageHeader/DueDate"),
    Field("SignerInfo", "document", _text_at(f"{_D}/SignerInfo/Position"),
          "SignerInfo/Position"),
    Field("From/OrganName", "document", _text_at(f"{_D}/From/OrganName"), "From/OrganName"),
    Field("To/OrganizationInCharge", "document", _text_at(f"{_D}/To/OrganizationInCharge"),
          "To/OrganizationInCharge"),
    Field("Bussiness reason", "document", _text_at("Bussiness/BussinessDocReason"),
          "Bussiness/BussinessDocReason"),
    Field("Bussiness StaffInfo", "document", _text_at("Bussiness/StaffInfo/Staff"),
          "StaffInfo/Staff"),
    Field("Reference AttachmentName", "document",
          _text_at("edXMLManifest/Reference/AttachmentName"), "Reference/AttachmentName"),
    Field("Reference Description", "document",
          _text_at("edXMLManifest/Reference/Description"), "Reference/Description"),
    Field("Attachment AttachmentName", "document",
          _text_at("AttachmentEncoded/Attachment/AttachmentName"), "Attachment/AttachmentName"),
    Field("Attachment Description", "document",
          _text_at("AttachmentEncoded/Attachment/Description"), "Attachment/Description"),
    Field("attribute", "document", _attribute, "edXMLManifest/@note"),
    Field("comment", "document", _comment, "MessageHeader/comment()"),
    Field("Subject split by a comment", "document", _split_by_comment,
          "MessageHeader/Subject"),
]
STATUS_FIELDS = [
    Field("status Description", "status", _text_at("MessageHeader/Description"),
          "MessageHeader/Description"),
    Field("status StaffInfo", "status", _text_at("MessageHeader/StaffInfo/Department"),
          "StaffInfo/Department"),
    Field("status From/OrganName", "status", _text_at("MessageHeader/From/OrganName"),
          "From/OrganName"),
]
FIELDS = DOCUMENT_FIELDS + STATUS_FIELDS


def packet_with(field: Field, text: str, *, document_id: str = "000.00.00.H45,2026/11/28,"
                "1/UBND-VP", number: int | None = None) -> bytes:
    """A full packet of the field's kind with ``text`` in that field."""
    root = full_document(number) if field.kind == "document" else full_status(document_id)
    field.put(root, text)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
