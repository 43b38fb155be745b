"""Schema and value errors name the element and say why."""

from __future__ import annotations

import pytest
from lxml import etree

from docexchange.edxml import parse_packet, schema_dir, validate
from docexchange.errors import DocExchangeError

from .conftest import message_header, q, sample_bytes, sample_tree, to_bytes


def _error(data: bytes) -> DocExchangeError:
    with pytest.raises(DocExchangeError) as caught:
        parse_packet(data)
    assert caught.value.code == "DX_INVALID_PACKET"
    return caught.value


def _edoc(old: bytes, new: bytes) -> bytes:
    data = sample_bytes("edoc_new.edxml")
    assert old in data
    return data.replace(old, new, 1)


def test_schemas_are_found() -> None:
    names = {p.name for p in schema_dir().glob("*.xsd")}
    assert {"edxml-document.xsd", "edxml-status.xsd"} <= names


def test_subject_over_500_characters_names_subject() -> None:
    error = _error(_edoc(b"<edXML:Subject>V/v", b"<edXML:Subject>" + "ạ".encode() * 600))
    assert [e["element"] for e in error.errors] == ["Subject"]
    assert "500" in error.errors[0]["reason"]
    assert error.errors[0]["line"] == 13
    assert "Subject" in error.message_en and "Subject" in error.message_vi
    assert len(error.errors[0]["reason"]) <= 300


def test_subject_of_exactly_500_characters_is_fine() -> None:
    data = _edoc(
        b"V/v \xc4\x91\xe1\xba\xa9y m\xe1\xba\xa1nh c\xe1\xba\xa3i c\xc3\xa1ch "
        b"h\xc3\xa0nh ch\xc3\xadnh n\xc4\x83m 2018</edXML:Subject>",
        "ạ".encode() * 500 + b"</edXML:Subject>",
    )
    parse_packet(data)


def test_missing_document_id_is_named() -> None:
    root = sample_tree("edoc_new.edxml")
    header = message_header(root)
    header.remove(header.find(q("DocumentId")))
    error = _error(to_bytes(root))
    assert "DocumentId" in error.errors[0]["reason"]
    assert "DocumentId" in error.message_en


def test_missing_last_element_is_named() -> None:
    data = sample_bytes("status_01_arrived.edxml")
    start = data.index(b"<edXML:Timestamp>")
    end = data.index(b"\n", start)
    error = _error(data[:start] + data[end + 1 :])
    assert error.errors[0]["element"] == "MessageHeader"
    assert "Timestamp" in error.errors[0]["reason"]


@pytest.mark.parametrize(
    "old,new,element",
    [
        (b"<edXML:OrganId>000.00.00.H45<", b"<edXML:OrganId>" + b"9" * 36 + b"<", "OrganId"),
        (b"<edXML:CodeNumber>125<", b"<edXML:CodeNumber>123456789012<", "CodeNumber"),
        (
            b"<edXML:CodeNotation>UBND-KT<",
            b"<edXML:CodeNotation>" + b"K" * 31 + b"<",
            "CodeNotation",
        ),
        (b"<edXML:TypeName>", b"<edXML:TypeName>" + b"x" * 101, "TypeName"),
        (b"<edXML:FullName>", b"<edXML:FullName>" + b"x" * 51, "FullName"),
        (b"<edXML:TyperNotation>NV<", b"<edXML:TyperNotation>NNNNNNNNNNN<", "TyperNotation"),
        (b"<edXML:Place>Nh", b"<edXML:Place>" + b"x" * 151 + b"Nh", "Place"),
        (b"<edXML:Priority>1<", b"<edXML:Priority>5<", "Priority"),
        (b"<edXML:Priority>1<", b"<edXML:Priority>-1<", "Priority"),
        (b"<edXML:Priority>1<", b"<edXML:Priority>high<", "Priority"),
        (b"<edXML:BussinessDocType>0<", b"<edXML:BussinessDocType>4<", "BussinessDocType"),
        (b"<edXML:Type>1<", b"<edXML:Type>-1<", "Type"),
        (b"<edXML:Direction>false<", b"<edXML:Direction>maybe<", "Direction"),
        (
            b"<edXML:PromulgationDate>2018/06/14<",
            b"<edXML:PromulgationDate>14.06.2018<",
            "PromulgationDate",
        ),
        (b"<edXML:DueDate>2018/06/30<", b"<edXML:DueDate>2018/02/30<", "DueDate"),
        (
            b"<edXML:PromulgationDate>2018/06/14<",
            b"<edXML:PromulgationDate>2018/13/01<",
            "PromulgationDate",
        ),
        (
            b"<edXML:Timestamp>2018/06/14 10:15:00<",
            b"<edXML:Timestamp>2018/06/14 25:15:00<",
            "Timestamp",
        ),
        (b"<edXML:Timestamp>2018/06/14 10:15:00<", b"<edXML:Timestamp>yesterday<", "Timestamp"),
        (b"UEsDBBQAAAAI", b"UEsDBBQAAAA!", "ContentTransferEncoded"),
        (b"<edXML:SteeringType>1<", b"<edXML:SteeringType>1<edXML:Foo/><", "SteeringType"),
    ],
)
def test_bad_values_name_the_element(old: bytes, new: bytes, element: str) -> None:
    error = _error(_edoc(old, new))
    assert error.errors[0]["element"] == element
    assert element in error.message_en


def test_bad_base64_names_the_attachment() -> None:
    error = _error(_edoc(b"UEsDBBQAAAAI", b"UEsDBBQAAAA"))
    assert error.errors[0] == {
        "element": "ContentTransferEncoded",
        "content_id": "209",
        "reason": "content is not valid base64",
        "reason_vi": "nội dung không phải base64 hợp lệ",
    }


def test_unknown_element_of_another_namespace_is_named() -> None:
    """Only QCVN and XLink extensions are let through (test_field_variants); any other
    namespace keeps the schema's verdict."""
    error = _error(
        _edoc(
            b"<edXML:SteeringType>",
            b'<x:Secret xmlns:x="urn:x">1</x:Secret><edXML:SteeringType>',
        )
    )
    assert error.errors[0]["element"] == "Secret"


def test_several_errors_are_all_listed() -> None:
    data = _edoc(b"<edXML:Priority>1<", b"<edXML:Priority>9<")
    data = data.replace(b"<edXML:CodeNumber>125<", b"<edXML:CodeNumber>123456789012<")
    elements = {e["element"] for e in _error(data).errors}
    assert {"Priority", "CodeNumber"} <= elements


def test_status_with_a_body_is_refused() -> None:
    root = sample_tree("status_01_arrived.edxml")
    envelope = root.find(q("edXMLEnvelope"))
    etree.SubElement(etree.SubElement(envelope, q("edXMLBody")), q("edXMLManifest"))
    error = _error(to_bytes(root))
    assert error.errors[0]["element"] == "edXMLBody"


def test_document_without_recipient_is_refused() -> None:
    root = sample_tree("edoc_new.edxml")
    header = message_header(root)
    for to in header.findall(q("To")):
        header.remove(to)
    error = _error(to_bytes(root))
    assert "To" in error.errors[0]["reason"]


def test_validate_accepts_the_samples_and_lenient_roots() -> None:
    for name in ("edoc_new.edxml", "status_02_refused.edxml"):
        root = sample_tree(name)
        validate(root)
        validate(root.find(q("edXMLEnvelope")))


def test_manifest_reference_without_attachment_names_the_content_id() -> None:
    error = _error(_edoc(b"<ContentId>cid:209</ContentId>", b"<ContentId>cid:210</ContentId>"))
    assert error.errors == [
        {
            "element": "Reference",
            "content_id": "209",
            "reason": "Reference with ContentId '209' has no Attachment",
            "reason_vi": "Reference có ContentId '209' không có Attachment tương ứng",
        },
        {
            "element": "Attachment",
            "content_id": "210",
            "reason": "Attachment with ContentId '210' is not listed in the Manifest",
            "reason_vi": "Attachment có ContentId '210' không có trong Manifest",
        },
    ]
    assert "209" in error.message_en


def test_attachment_without_reference_names_the_content_id() -> None:
    root = sample_tree("edoc_new.edxml")
    manifest = root.find(f"{q('edXMLEnvelope')}/{q('edXMLBody')}/{q('edXMLManifest')}")
    manifest.remove(manifest.find(q("Reference")))
    error = _error(to_bytes(root))
    assert error.errors == [
        {
            "element": "Attachment",
            "content_id": "209",
            "reason": "Attachment with ContentId '209' is not listed in the Manifest",
            "reason_vi": "Attachment có ContentId '209' không có trong Manifest",
        }
    ]


def test_reference_without_any_attachment_block() -> None:
    root = sample_tree("edoc_new.edxml")
    root.remove(root.find(q("AttachmentEncoded")))
    error = _error(to_bytes(root))
    assert error.errors[0]["element"] == "Reference" and error.errors[0]["content_id"] == "209"


def test_duplicate_content_id_is_refused() -> None:
    root = sample_tree("edoc_new.edxml")
    encoded = root.find(q("AttachmentEncoded"))
    encoded.append(etree.fromstring(etree.tostring(encoded.find(q("Attachment")))))
    error = _error(to_bytes(root))
    assert error.errors[0]["element"] == "Attachment"
    assert "twice" in error.errors[0]["reason"]
