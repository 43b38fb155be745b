"""`docexchange extract PACKET --out DIR`: attachments as files, under names that stay in DIR."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from docexchange.cli import main
from docexchange.edxml import Attachment, build_document, parse_packet
from docexchange.edxml.model import DocumentPacket
from docexchange.extract import safe_name

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _with_attachments(*attachments: Attachment) -> bytes:
    packet = parse_packet((SAMPLES / "edoc_new.edxml").read_bytes())
    assert isinstance(packet, DocumentPacket)
    return build_document(DocumentPacket(header=packet.header, traces=packet.traces,
                                         business=packet.business, attachments=attachments))


def test_the_sample_pdf_is_unzipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SAMPLES / "edoc_new.edxml"), "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path.resolve() / "cong-van-125.pdf")
    assert (tmp_path / "cong-van-125.pdf").read_bytes().startswith(b"%PDF-1.4")


def test_hostile_names_stay_inside_the_folder(tmp_path: Path) -> None:
    names = ["../../escape.pdf", "/etc/passwd", "C:\\Windows\\evil.doc", "..", "",
             "a:b?.pdf", ".hidden", "same.pdf", "same.pdf"]
    packet = tmp_path / "p.edxml"
    packet.write_bytes(_with_attachments(*(
        Attachment.from_file(name or "x", f"file {i}".encode(), content_id=str(i))
        if name else Attachment(str(i), "", "", "application/octet-stream", b"raw")
        for i, name in enumerate(names))))
    out = tmp_path / "out"
    (tmp_path / "escape.pdf").write_bytes(b"keep")

    assert main(["extract", str(packet), "--out", str(out)]) == 0

    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(["escape.pdf", "passwd", "evil.doc", "attachment-4",
                            "attachment-5", "a_b_.pdf", "hidden", "same.pdf", "same-2.pdf"])
    assert (tmp_path / "escape.pdf").read_bytes() == b"keep"
    assert not Path("/etc/passwd").read_bytes().startswith(b"file")
    assert (out / "attachment-5").read_bytes() == b"raw"  # not a zip: written as sent


def test_a_zip_of_several_files_is_written_as_sent(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "a")
        archive.writestr("b.txt", "b")
    packet = tmp_path / "p.edxml"
    packet.write_bytes(_with_attachments(
        Attachment("1", "ho-so.zip", "", "application/zip", buffer.getvalue())))
    assert main(["extract", str(packet), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "ho-so.zip").read_bytes() == buffer.getvalue()


def test_a_status_packet_has_nothing_to_extract(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["extract", str(SAMPLES / "status_01_arrived.edxml"), "--out", str(tmp_path)])
    assert code == 1
    assert "DX_INVALID_PACKET" in capsys.readouterr().err


@pytest.mark.parametrize("name,expected", [
    ("../x.pdf", "x.pdf"), ("a/b/c.pdf", "c.pdf"), ("..\\..\\d.pdf", "d.pdf"),
    ("...", "fb"), ("x" * 300 + ".pdf", "x" * 146 + ".pdf"), ("Kế hoạch.pdf", "Kế hoạch.pdf")])
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name, "fb") == expected
