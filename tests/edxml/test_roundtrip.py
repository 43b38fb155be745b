"""build -> parse gives back the same model, for every element of EDXML.md §1 and §3."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from lxml import etree

from docexchange.edxml import (
    DocumentPacket,
    StatusPacket,
    build_document,
    build_status,
    parse_packet,
    schema_dir,
)


def test_document_round_trip_with_every_element(full_document: DocumentPacket) -> None:
    assert parse_packet(build_document(full_document)) == full_document


def test_status_round_trip(full_status: StatusPacket) -> None:
    assert parse_packet(build_status(full_status)) == full_status


def test_minimal_document_round_trip(full_document: DocumentPacket) -> None:
    """Optional parts left out are left out, and come back as their defaults."""
    header = dataclasses.replace(
        full_document.header,
        due_date=None,
        steering_type=None,
        to_places=(),
        response_for=(),
        to=full_document.header.to[:1],
    )
    packet = DocumentPacket(header=header)
    data = build_document(packet)
    assert b"DueDate" not in data and b"SteeringType" not in data and b"ToPlaces" not in data
    assert b"Bussiness" not in data
    assert parse_packet(data) == packet


def test_status_without_traces_has_no_trace_list(full_status: StatusPacket) -> None:
    packet = dataclasses.replace(full_status, traces=())
    data = build_status(packet)
    assert b"TraceHeaderList" not in data
    assert parse_packet(data) == packet


def test_builder_output_is_already_canonical(
    full_document: DocumentPacket, full_status: StatusPacket
) -> None:
    """The raw output validates against the XSDs, without the lenient normalisation."""
    for kind, data in (
        ("document", build_document(full_document)),
        ("status", build_status(full_status)),
    ):
        schema = etree.XMLSchema(etree.parse(str(schema_dir() / f"edxml-{kind}.xsd")))
        assert schema.validate(etree.fromstring(data)), schema.error_log


def test_builder_writes_field_formats(full_document: DocumentPacket) -> None:
    data = build_document(full_document)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns=')
    assert b"<edXML:PromulgationDate>2024/03/05</edXML:PromulgationDate>" in data
    assert b"<edXML:Timestamp>2024/03/05 08:00:01</edXML:Timestamp>" in data
    assert b"<edXML:ContentId>cid:1</edXML:ContentId>" in data
    assert b"<ContentId>cid:2</ContentId>" in data
    assert b"Signature" not in data
    assert "&amp; &lt;kiểm tra&gt;".encode() in data


def test_aware_timestamps_are_written_in_local_time(full_status: StatusPacket) -> None:
    packet = dataclasses.replace(full_status, timestamp=datetime(2024, 3, 6, 9, 30, 0, tzinfo=UTC))
    assert b"<edXML:Timestamp>2024/03/06 16:30:00</edXML:Timestamp>" in build_status(packet)
