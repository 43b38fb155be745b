"""Read leniently: the variants real DMS products send parse to the same model."""

from __future__ import annotations

import dataclasses
import random

import pytest
from lxml import etree

from docexchange.edxml import DocumentPacket, StatusPacket, parse_packet, parse_root
from docexchange.errors import DocExchangeError

from .conftest import NS, message_header, q, sample_bytes, sample_tree, to_bytes

DSIG = "http://www.w3.org/2000/09/xmldsig#"


@pytest.fixture
def edoc_new() -> DocumentPacket:
    packet = parse_packet(sample_bytes("edoc_new.edxml"))
    assert isinstance(packet, DocumentPacket)
    return packet


def _shuffle_children(element: etree._Element, seed: int) -> None:
    """Shuffle, keeping repeated elements (To, ResponseFor) in their relative order."""
    children = list(element)
    tags = [child.tag for child in children]
    random.Random(seed).shuffle(tags)
    queues: dict[object, list[etree._Element]] = {}
    for child in children:
        queues.setdefault(child.tag, []).append(child)
    element[:] = [queues[tag].pop(0) for tag in tags]


@pytest.mark.parametrize("seed", range(5))
def test_any_order_inside_header_and_groups(seed: int, edoc_new: DocumentPacket) -> None:
    root = sample_tree("edoc_new.edxml")
    header = message_header(root)
    _shuffle_children(header, seed)
    for group in header.iter(q("From"), q("To"), q("OtherInfo"), q("SignerInfo"), q("Code")):
        _shuffle_children(group, seed + 1)
    trace_list = header.getparent().find(q("TraceHeaderList"))
    _shuffle_children(trace_list, seed)
    _shuffle_children(header.getparent(), seed)
    assert parse_packet(to_bytes(root)) == edoc_new


def test_status_children_in_any_order() -> None:
    expected = parse_packet(sample_bytes("status_01_arrived.edxml"))
    root = sample_tree("status_01_arrived.edxml")
    header = message_header(root)
    header[:] = list(reversed(header))
    assert parse_packet(to_bytes(root)) == expected


def test_bare_content_id_on_both_sides(edoc_new: DocumentPacket) -> None:
    data = sample_bytes("edoc_new.edxml").replace(b">cid:209<", b">209<")
    assert parse_packet(data) == edoc_new


def test_root_edxml_envelope_with_attachments_inside(edoc_new: DocumentPacket) -> None:
    root = sample_tree("edoc_new.edxml")
    envelope = root.find(q("edXMLEnvelope"))
    envelope.append(root.find(q("AttachmentEncoded")))
    assert parse_packet(to_bytes(envelope)) == edoc_new


def test_root_edxml_envelope_status() -> None:
    expected = parse_packet(sample_bytes("status_13_recall.edxml"))
    root = sample_tree("status_13_recall.edxml")
    assert parse_packet(to_bytes(root.find(q("edXMLEnvelope")))) == expected


def test_status_header_named_status() -> None:
    expected = parse_packet(sample_bytes("status_02_refused.edxml"))
    data = sample_bytes("status_02_refused.edxml").replace(
        b"edXML:MessageHeader>", b"edXML:Status>"
    )
    assert b"<edXML:Status>" in data
    assert parse_packet(data) == expected


def _add_signature(parent: etree._Element, namespace: str, index: int | None = None) -> None:
    signature = etree.Element(f"{{{namespace}}}Signature", nsmap={None: namespace})
    etree.SubElement(signature, f"{{{namespace}}}SignedInfo").text = "dummy"
    if index is None:
        parent.append(signature)
    else:
        parent.insert(index, signature)


@pytest.mark.parametrize("namespace", [NS, DSIG])
@pytest.mark.parametrize("place", ["header-end", "header-start", "root", "envelope"])
def test_signature_in_either_namespace(namespace: str, place: str) -> None:
    expected = parse_packet(sample_bytes("edoc_new.edxml"))
    root = sample_tree("edoc_new.edxml")
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    parent, index = {
        "header-end": (header, None),
        "header-start": (header, 0),
        "root": (root, None),
        "envelope": (root.find(q("edXMLEnvelope")), None),
    }[place]
    _add_signature(parent, namespace, index)
    packet = parse_packet(to_bytes(root))
    assert isinstance(packet, DocumentPacket) and packet.has_signature
    assert packet == dataclasses.replace(expected, has_signature=True)


def test_signed_status_packet() -> None:
    root = sample_tree("status_01_arrived.edxml")
    _add_signature(root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}"), NS)
    packet = parse_packet(to_bytes(root))
    assert isinstance(packet, StatusPacket) and packet.has_signature


def test_signature_in_a_wrong_place_is_a_schema_error() -> None:
    root = sample_tree("edoc_new.edxml")
    _add_signature(message_header(root), DSIG)
    with pytest.raises(DocExchangeError) as caught:
        parse_packet(to_bytes(root))
    assert caught.value.errors[0]["element"] == "Signature"


def test_iso_dates_timestamps_and_one_digit_status_code() -> None:
    data = (
        sample_bytes("status_05_processing.edxml")
        .replace(b"<edXML:StatusCode>05<", b"<edXML:StatusCode>5<")
        .replace(b"2018/06/14 14:02:36", b"2018-06-14T07:02:36Z")
        .replace(b"<edXML:PromulgationDate>2018/06/14", b"<edXML:PromulgationDate>2018-06-14")
    )
    expected = parse_packet(sample_bytes("status_05_processing.edxml"))
    assert parse_packet(data) == expected


def test_empty_optional_values_and_pretty_printing(edoc_new: DocumentPacket) -> None:
    data = (
        sample_bytes("edoc_new.edxml")
        .replace(b"<edXML:DueDate>2018/06/30</edXML:DueDate>", b"<edXML:DueDate> </edXML:DueDate>")
        .replace(b"<edXML:Subject>V/v", b"<edXML:Subject>\n    V/v")
        .replace(b"<edXML:PageAmount>2<", b"<edXML:PageAmount><")
    )
    packet = parse_packet(data)
    assert isinstance(packet, DocumentPacket)
    assert packet.header.due_date is None
    assert packet.header.other_info.page_amount == 0
    assert packet.header.subject == edoc_new.header.subject


def test_comments_do_not_cut_values_short(edoc_new: DocumentPacket) -> None:
    data = sample_bytes("edoc_new.edxml").replace(
        b"<edXML:CodeNotation>UBND-KT", b"<edXML:CodeNotation>UBND<!-- note -->-KT"
    )
    assert parse_packet(data) == edoc_new


def test_parse_root_models_exactly_the_given_element(edoc_new: DocumentPacket) -> None:
    root = sample_tree("edoc_new.edxml")
    before = etree.tostring(root)
    assert parse_root(root) == edoc_new
    assert etree.tostring(root) == before  # validation works on a copy


def test_base64_wrapped_over_lines(edoc_new: DocumentPacket) -> None:
    data = sample_bytes("edoc_new.edxml")
    start = data.index(b"UEsDB")
    end = data.index(b"<", start)
    blob = data[start:end]
    wrapped = b"\r\n".join(blob[i : i + 76] for i in range(0, len(blob), 76))
    assert parse_packet(data[:start] + b"\n" + wrapped + b"\n" + data[end:]) == edoc_new
