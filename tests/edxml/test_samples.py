"""Every sample packet (samples/) parses to the expected values and is rebuilt in its exact
layout; the committed files are exactly what `docexchange samples` writes today."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from docexchange.cli import main
from docexchange.edxml import (
    DocumentPacket,
    StatusPacket,
    build_document,
    build_status,
    parse_packet,
)
from docexchange.edxml.model import STATUS_CODES
from docexchange.samples import sample_files
from tests.conftest import bare_cid_variant

from .conftest import SAMPLES, sample_bytes

DOCUMENTS = {"edoc_new.edxml": 0, "edoc_revoke.edxml": 1, "edoc_update.edxml": 2,
             "edoc_replace.edxml": 3}
STATUSES = {
    "status_01_arrived.edxml": "01",
    "status_02_refused.edxml": "02",
    "status_03_registered.edxml": "03",
    "status_04_assigned.edxml": "04",
    "status_05_processing.edxml": "05",
    "status_06_completed.edxml": "06",
    "status_13_recall.edxml": "13",
    "status_15_recall_accepted.edxml": "15",
    "status_16_recall_refused.edxml": "16",
}


def test_every_sample_is_covered() -> None:
    assert {p.name for p in SAMPLES.glob("*.edxml")} == set(DOCUMENTS) | set(STATUSES)
    assert set(DOCUMENTS.values()) == {0, 1, 2, 3}
    assert set(STATUSES.values()) == set(STATUS_CODES)


def test_committed_samples_are_what_the_builder_writes_now(tmp_path: Path) -> None:
    assert main(["samples", "--out", str(tmp_path)]) == 0
    written = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in SAMPLES.glob("*.edxml")}
    assert written == committed == sample_files()


def test_samples_readme_describes_every_file() -> None:
    readme = (SAMPLES / "README.md").read_text("utf-8")
    for name in [*DOCUMENTS, *STATUSES]:
        assert f"`{name}`" in readme, name
    assert "docexchange samples --out samples" in readme


@pytest.mark.parametrize("name,business_type", sorted(DOCUMENTS.items()))
def test_document_samples_have_their_business_type(name: str, business_type: int) -> None:
    packet = parse_packet(sample_bytes(name))
    assert isinstance(packet, DocumentPacket)
    assert packet.business_type == business_type
    assert packet.sender_id == "000.00.00.H45"


def test_replace_sample_names_the_replaced_document() -> None:
    packet = parse_packet(sample_bytes("edoc_replace.edxml"))
    assert isinstance(packet, DocumentPacket) and packet.business is not None
    assert packet.document_id == "000.00.00.H45,2018/06/15,127/UBND-KT"
    [replaced] = packet.business.replacements
    assert replaced.document_id == "000.00.00.H45,2018/06/14,125/UBND-KT"
    assert replaced.organ_ids == ("000.00.12.H45", "000.00.31.H45")


def test_edoc_new_values() -> None:
    packet = parse_packet(sample_bytes("edoc_new.edxml"))
    assert isinstance(packet, DocumentPacket)
    header = packet.header
    assert packet.sender_id == "000.00.00.H45"
    assert header.from_.organ_name == "UBND tỉnh Phú Yên"
    assert header.from_.organization_in_charge == ""
    assert packet.recipient_ids == ("000.00.12.H45", "000.00.31.H45")
    assert header.to[1].organ_name == "UBND huyện Sông Hinh"
    assert packet.document_id == "000.00.00.H45,2018/06/14,125/UBND-KT"
    assert (header.code.code_number, header.code.code_notation) == ("125", "UBND-KT")
    assert header.promulgation_info.date == date(2018, 6, 14)
    assert header.document_type.type_name == "Công văn"
    assert header.subject.startswith("V/v đẩy mạnh")
    assert header.signer_info.competence == "KT. CHỦ TỊCH"
    assert header.due_date == date(2018, 6, 30)
    assert packet.priority == 1
    assert header.other_info.direction is False
    assert header.other_info.appendixes == ("Phụ lục kế hoạch",)
    assert header.steering_type == 1
    assert header.to_places == ("Như trên", "Lưu: VT, KT")
    assert packet.traces[0].timestamp == datetime(2018, 6, 14, 10, 15, 0)
    assert packet.business_type == 0
    assert packet.business is not None and packet.business.staff_info.mobile == "0900000000"
    assert packet.has_signature is False


def test_edoc_new_attachment_is_a_zip_of_the_pdf() -> None:
    packet = parse_packet(sample_bytes("edoc_new.edxml"))
    assert isinstance(packet, DocumentPacket)
    (attachment,) = packet.attachments
    assert attachment.content_id == "209"
    assert attachment.content_type == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(attachment.data)).namelist() == ["cong-van-125.pdf"]
    assert attachment.file_bytes().startswith(b"%PDF")


def test_bare_cid_sample_matches_reference_and_attachment() -> None:
    packet = parse_packet(bare_cid_variant(sample_bytes("edoc_new.edxml")))
    assert isinstance(packet, DocumentPacket)
    assert [a.content_id for a in packet.attachments] == ["7f3c"]


def test_edoc_update_values() -> None:
    packet = parse_packet(sample_bytes("edoc_update.edxml"))
    assert isinstance(packet, DocumentPacket)
    assert packet.business_type == 2
    assert packet.business is not None
    assert [r.organ_id for r in packet.business.receivers] == ["000.00.12.H45"]
    assert packet.business.receivers[0].receiver_type == 1
    assert packet.business.document_info == "1"


@pytest.mark.parametrize("name,code", sorted(STATUSES.items()))
def test_status_samples(name: str, code: str) -> None:
    packet = parse_packet(sample_bytes(name))
    assert isinstance(packet, StatusPacket)
    assert packet.status_code == code
    assert packet.response_for.document_id == "000.00.00.H45,2018/06/14,125/UBND-KT"
    assert packet.response_for.code == "125/UBND-KT"
    assert packet.response_for.promulgation_date == date(2018, 6, 14)
    assert packet.timestamp == datetime(2018, 6, 14, 14, 2, 36)
    assert packet.staff_info.staff == "Trần Văn Mẫu"


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_status_13_is_from_the_original_sender_the_others_from_a_recipient(name: str) -> None:
    packet = parse_packet(sample_bytes(name))
    assert isinstance(packet, StatusPacket)
    sender = "000.00.00.H45" if packet.status_code == "13" else "000.00.31.H45"
    assert packet.from_.organ_id == sender


def _rebuild(data: bytes) -> bytes:
    packet = parse_packet(data)
    return build_document(packet) if isinstance(packet, DocumentPacket) else build_status(packet)


def _element_paths(data: bytes) -> list[str]:
    """Each element as prefix:name, with its ancestors: the layout without the values."""
    tree = etree.fromstring(data).getroottree()
    return [
        f"{tree.getpath(el)}|{el.prefix}:{etree.QName(el).localname}"
        for el in tree.iter()
        if isinstance(el.tag, str)
    ]


def _canonical_without_whitespace(data: bytes) -> bytes:
    root = etree.fromstring(data)
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None if len(element) else element.text
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return etree.tostring(root, method="c14n")


def test_builder_reproduces_the_structure_of_edoc_new() -> None:
    data = sample_bytes("edoc_new.edxml")
    rebuilt = _rebuild(data)
    assert _element_paths(rebuilt) == _element_paths(data)
    assert _canonical_without_whitespace(rebuilt) == _canonical_without_whitespace(data)


@pytest.mark.parametrize("name", [*sorted(DOCUMENTS), *sorted(STATUSES)])
def test_builder_reproduces_samples_byte_for_byte(name: str) -> None:
    data = sample_bytes(name)
    assert _rebuild(data) == data


def test_bare_cid_is_written_with_cid_prefix() -> None:
    rebuilt = _rebuild(bare_cid_variant(sample_bytes("edoc_new.edxml")))
    assert re.findall(rb"<(?:edXML:)?ContentId>([^<]*)<", rebuilt) == [b"cid:7f3c", b"cid:7f3c"]
