"""new_document / new_status and the Attachment helpers used by the CLI and the hub."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest

from docexchange.edxml import (
    Attachment,
    DocumentPacket,
    Organization,
    StatusPacket,
    build_document,
    build_status,
    new_document,
    new_status,
    parse_packet,
)
from docexchange.errors import DocExchangeError

SENDER = Organization("000.00.00.H45", organ_name="UBND tỉnh Phú Yên")
NOW = datetime(2024, 3, 5, 8, 15, 30, 123456)


def _document(**overrides: Any) -> DocumentPacket:
    arguments: dict[str, Any] = {
        "code_number": "12",
        "code_notation": "UBND-KT",
        "subject": "V/v thử",
        "now": NOW,
        "priority": 2,
        "files": [("a.pdf", b"%PDF-a"), ("b.docx", b"docx")],
    }
    arguments.update(overrides)
    return new_document(SENDER, ["000.00.12.H45", Organization("000.00.31.H45")], **arguments)


def test_new_document_fills_the_field_conventions() -> None:
    packet = _document()
    assert packet.document_id == "000.00.00.H45,2024/03/05,12/UBND-KT"
    assert packet.recipient_ids == ("000.00.12.H45", "000.00.31.H45")
    assert packet.priority == 2
    assert packet.business is not None and packet.business.document_id == packet.document_id
    assert packet.business_type == 0
    assert packet.traces[0].organ_id == "000.00.00.H45"
    assert packet.traces[0].timestamp == datetime(2024, 3, 5, 8, 15, 30)
    assert packet.header.promulgation_info.date == date(2024, 3, 5)
    assert [a.content_id for a in packet.attachments] == ["1", "2"]
    assert [a.file_bytes() for a in packet.attachments] == [b"%PDF-a", b"docx"]
    assert parse_packet(build_document(packet)) == packet


def test_new_document_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        _document(priority=5)
    with pytest.raises(ValueError):
        new_document(SENDER, [], code_number="1", code_notation="X", subject="s", now=NOW)


def test_new_status_answers_a_document() -> None:
    document = _document()
    status = new_status("000.00.12.H45", document, "5", "Đang xử lý", NOW)
    assert status.status_code == "05"
    assert status.response_for.document_id == document.document_id
    assert status.response_for.code == "12/UBND-KT"
    assert status.response_for.promulgation_date == date(2024, 3, 5)
    assert status.timestamp == datetime(2024, 3, 5, 8, 15, 30)
    parsed = parse_packet(build_status(status))
    assert isinstance(parsed, StatusPacket) and parsed == status


def test_new_status_refuses_unknown_codes() -> None:
    with pytest.raises(ValueError):
        new_status("000.00.12.H45", _document(), "99", "?", NOW)


def test_attachment_from_file_is_a_deterministic_single_file_zip() -> None:
    first = Attachment.from_file("dir/Công văn.pdf", b"%PDF-1.7 x" * 100, "mô tả")
    again = Attachment.from_file("dir/Công văn.pdf", b"%PDF-1.7 x" * 100, "mô tả")
    assert first == again
    assert first.content_type == "application/zip"
    assert first.description == "mô tả"
    archive = zipfile.ZipFile(io.BytesIO(first.data))
    assert archive.namelist() == ["Công văn.pdf"]
    assert archive.infolist()[0].compress_type == zipfile.ZIP_DEFLATED
    assert first.file_bytes() == b"%PDF-1.7 x" * 100


def test_file_bytes_returns_plain_and_multi_member_data_as_is() -> None:
    assert Attachment("1", "a.pdf", data=b"%PDF plain").file_bytes() == b"%PDF plain"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "a")
        archive.writestr("b.txt", "b")
    assert Attachment("1", "x.zip", data=buffer.getvalue()).file_bytes() == buffer.getvalue()


def test_file_bytes_caps_inflation() -> None:
    bomb = Attachment.from_file("zeros.bin", bytes(1_000_000))
    assert len(bomb.data) < 10_000
    with pytest.raises(DocExchangeError) as caught:
        bomb.file_bytes(max_bytes=1000)
    assert caught.value.code == "DX_TOO_LARGE"


def test_file_bytes_refuses_a_corrupt_member() -> None:
    good = Attachment.from_file("a.txt", b"hello hello hello hello")
    damaged = bytearray(good.data)
    start = damaged.index(b"a.txt") + len(b"a.txt")
    damaged[start] ^= 0xFF
    with pytest.raises(DocExchangeError) as caught:
        Attachment("1", "a.txt", data=bytes(damaged)).file_bytes()
    assert caught.value.code == "DX_INVALID_PACKET"
