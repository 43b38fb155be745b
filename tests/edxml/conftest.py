"""Shared fixtures: the sample packets and a packet with every optional element filled."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from docexchange.edxml import (
    Attachment,
    Business,
    Code,
    DocumentPacket,
    DocumentType,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPacket,
    TraceHeader,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def sample_tree(name: str) -> etree._Element:
    """A sample as a plain lxml tree, for tests that bend it into a variant."""
    return etree.fromstring(sample_bytes(name))


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def q(local: str) -> str:
    return f"{{{NS}}}{local}"


def message_header(root: etree._Element) -> etree._Element:
    return root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}/{q('MessageHeader')}")


def full_organization(organ_id: str) -> Organization:
    return Organization(
        organ_id=organ_id,
        organization_in_charge="UBND tỉnh Phú Yên",
        organ_name=f"Đơn vị {organ_id}",
        organ_add="Tuy Hòa, Phú Yên",
        email="a@example.vn",
        telephone="0257000000",
        fax="0257000001",
        website="https://example.vn",
    )


@pytest.fixture
def full_document() -> DocumentPacket:
    """Every element of EDXML.md §1 filled, lists with more than one item."""
    header = MessageHeader(
        from_=full_organization("000.00.00.H45"),
        to=(full_organization("000.00.12.H45"), full_organization("000.00.31.H45")),
        document_id="000.00.00.H45,2024/03/05,7/UBND-VX",
        code=Code("7", "UBND-VX"),
        promulgation_info=PromulgationInfo(place="Phú Yên", date=date(2024, 3, 5)),
        document_type=DocumentType(type=2, type_detail=3, type_name="Quyết định"),
        subject='V/v thay thế văn bản & <kiểm tra> "ký tự"',
        content="Nội dung tóm tắt",
        signer_info=SignerInfo("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn A"),
        due_date=date(2024, 3, 31),
        other_info=OtherInfo(
            priority=3,
            sphere_of_promulgation="Toàn tỉnh",
            typer_notation="VT",
            promulgation_amount=12,
            page_amount=4,
            direction=True,
            appendixes=("Phụ lục I", "Phụ lục II"),
        ),
        response_for=(
            ResponseFor(
                "000.00.12.H45", "000.00.12.H45,2024/02/01,3/SNV", "3/SNV", date(2024, 2, 1)
            ),
            ResponseFor("000.00.31.H45", "000.00.31.H45,2024/02/02,9/UBND", "9/UBND", None),
        ),
        steering_type=1,
        to_places=("Như trên", "Lưu: VT"),
    )
    return DocumentPacket(
        header=header,
        traces=(
            TraceHeader("000.00.00.H45", datetime(2024, 3, 5, 8, 0, 1)),
            TraceHeader("000.00.00.G22", datetime(2024, 3, 5, 8, 0, 59)),
        ),
        business=Business(
            document_id=header.document_id,
            business_doc_type=3,
            reason="Thay thế",
            paper=1,
            staff_info=StaffInfo("Văn thư", "Lê Thị B", "b@example.vn", "0900"),
            document_info="1",
            document_receiver="0",
            receivers=(Receiver("000.00.12.H45", 1), Receiver("000.00.31.H45", 0)),
            replacements=(
                Replacement("000.00.00.H45,2024/01/02,1/UBND-VX", ("000.00.12.H45",)),
                Replacement(
                    "000.00.00.H45,2024/01/03,2/UBND-VX", ("000.00.12.H45", "000.00.31.H45")
                ),
            ),
        ),
        attachments=(
            Attachment.from_file("quyet-dinh.pdf", b"%PDF-1.7 a", content_id="1"),
            Attachment("2", "bang-ke.xlsx", "Bảng kê", "application/vnd.ms-excel", b"\x00\x01"),
        ),
    )


@pytest.fixture
def full_status() -> StatusPacket:
    return StatusPacket(
        from_=full_organization("000.00.31.H45"),
        response_for=ResponseFor(
            "000.00.00.H45", "000.00.00.H45,2024/03/05,7/UBND-VX", "7/UBND-VX", date(2024, 3, 5)
        ),
        staff_info=StaffInfo("Văn phòng", "Trần C", "c@example.vn", "0901"),
        status_code="06",
        description="Hoàn thành",
        timestamp=datetime(2024, 3, 6, 16, 30, 0),
        traces=(TraceHeader("000.00.31.H45", datetime(2024, 3, 6, 16, 30, 1)),),
    )
