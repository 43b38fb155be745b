"""The guard reads every text of the packet tree: each field class, documents and statuses."""

from __future__ import annotations

import pytest
from lxml import etree

from docexchange.edxml.parser import parse_packet, parse_xml
from docexchange.errors import DocExchangeError
from docexchange.exchange.packet_check import inspect_packet
from docexchange.exchange.secrecy import SecrecyFinding
from docexchange.exchange.secrecy_fields import MAX_FINDINGS, packet_marks
from tests.exchange.secrecy_packets import (
    FIELDS,
    NS,
    Field,
    full_document,
    full_status,
    packet_with,
)


def _marks(data: bytes) -> tuple[SecrecyFinding, ...]:
    return packet_marks(parse_xml(data))


def test_the_full_packets_are_valid_and_innocent() -> None:
    for root in (full_document(), full_status("000.00.00.H45,2026/11/28,1/UBND-VP")):
        data = etree.tostring(root)
        parse_packet(data)  # valid: a mark is the only reason these would be refused
        assert packet_marks(root) == ()


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
@pytest.mark.parametrize(("text", "mark"), [("[TỐI MẬT]", "TỐI MẬT"), ("MẬT", "MẬT"),
                                            ("Báo cáo - TUYỆT MẬT", "TUYỆT MẬT")])
def test_a_mark_in_every_field_is_found(field: Field, text: str, mark: str) -> None:
    findings = _marks(packet_with(field, text))
    assert [f.mark for f in findings] == [mark]
    assert findings[0].field.endswith(field.path), findings[0].field


def test_manifest_name_is_found_although_the_model_keeps_the_attachments() -> None:
    """Issue 9 item 1: the model prefers the Attachment's own name, so the old field list
    never saw the Manifest's, and the packet was stored."""
    field = next(f for f in FIELDS if f.name == "Reference AttachmentName")
    data = packet_with(field, "TỐI_MẬT_to_trinh.pdf")
    packet = parse_packet(data)
    assert [a.name for a in packet.attachments] == ["bao-cao.pdf"]  # type: ignore[union-attr]
    assert [f.field for f in _marks(data)] == [
        "/edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference/AttachmentName"]


def test_inspection_refuses_before_the_schema_is_looked_at() -> None:
    field = next(f for f in FIELDS if f.name == "DueDate")
    data = packet_with(field, "Độ mật: Mật")  # also not a date: the schema would refuse it
    with pytest.raises(DocExchangeError) as caught:
        inspect_packet(data, (), False)
    assert caught.value.code == "DX_CLASSIFIED"
    assert caught.value.errors == [
        {"element": "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/DueDate", "mark": "MẬT"}]
    assert "Độ mật" not in caught.value.message_en


def _encoded(root: etree._Element) -> etree._Element:
    found = root.find(f".//{{{NS}}}ContentTransferEncoded")
    assert found is not None
    return found


def test_base64_is_skipped_only_while_it_is_base64() -> None:
    root = full_document()
    _encoded(root).text = "UEsDBBQAAAAI\nMAT\n"  # a base64 line that spells MAT by chance
    assert packet_marks(root) == ()
    _encoded(root).text = "[TỐI MẬT]"
    assert [f.field for f in packet_marks(root)] == [
        "/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"]


@pytest.mark.parametrize("length", [80, 70_000])  # read as bytes, and by the regex
def test_a_base64_value_is_read_alike_at_any_length(length: int) -> None:
    root = full_document()
    base64_line = ("MATrnat+/=" * length)[:length]
    for character in [*"\t\n\r", *map(chr, range(32, 128)), "\u0085", "\u00a0", "\u2003"]:
        _encoded(root).text = base64_line + character + "\nMAT\n"  # read: a bare mark
        is_base64_or_space = character.isalnum() and character.isascii() or (
            character in "+/=" or character.isspace())
        assert (packet_marks(root) == ()) is is_base64_or_space, repr(character)


def test_text_outside_the_root_element_is_read() -> None:
    data = b"<!-- [MAT] -->\n" + etree.tostring(full_document())
    assert [(f.field, f.mark) for f in _marks(data)] == [("/comment()", "MẬT")]


def test_paths_number_repeated_siblings() -> None:
    root = full_document()
    places = root.find(f".//{{{NS}}}ToPlaces")
    assert places is not None
    etree.SubElement(places, f"{{{NS}}}Place").text = "(MẬT)"
    assert [f.field for f in packet_marks(root)] == [
        "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/ToPlaces/Place[2]"]


def test_findings_are_bounded() -> None:
    root = full_document()
    places = root.find(f".//{{{NS}}}ToPlaces")
    assert places is not None
    for _ in range(MAX_FINDINGS * 3):
        etree.SubElement(places, f"{{{NS}}}Place").text = "[MẬT]"
    assert len(packet_marks(root)) == MAX_FINDINGS


@pytest.mark.parametrize("count", [3, 40, 20_000])
def test_a_mark_on_an_element_with_many_attributes_is_found_in_place(count: int) -> None:
    """Beyond a few attributes they are read another way (lxml's items() is quadratic, and
    20,000 of them stalled the event loop for a second): both ways must find the same mark,
    name the attribute, and keep the names in namespaces."""
    root = full_document()
    subject = next(e for e in root.iter() if etree.QName(e).localname == "Subject")
    for i in range(count - 1):
        subject.set(f"a{i}", "x")
    subject.set("{urn:example:ext}last", "MẬT")
    findings = packet_marks(root)
    assert [f.mark for f in findings] == ["MẬT"]
    assert findings[0].field.endswith("/Subject/@last"), findings[0].field
