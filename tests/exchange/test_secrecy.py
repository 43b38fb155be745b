"""The secrecy guard refuses marks written as marks and lets ordinary Vietnamese through.

The tables are the rule's specification (docs/secrecy.md): when a case is added or moved from one
table to the other, update the doc too.
"""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from docexchange.exchange.secrecy import SecrecyFinding, find_secrecy_mark

MAT, TOI_MAT, TUYET_MAT = "MẬT", "TỐI MẬT", "TUYỆT MẬT"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


#: (text, the mark it must be reported as)
REFUSED: list[tuple[str, str]] = [
    # alone in the field
    ("MẬT", MAT),
    ("Mật", MAT),
    ("mật", MAT),
    ("TỐI MẬT", TOI_MAT),
    ("Tối mật", TOI_MAT),
    ("TUYỆT MẬT", TUYET_MAT),
    ("tuyệt mật", TUYET_MAT),
    ("  MẬT  ", MAT),
    ("MẬT.", MAT),
    ("- MẬT -", MAT),
    ("**TỐI MẬT**", TOI_MAT),
    ('"TUYỆT MẬT"', TUYET_MAT),
    # in brackets, anywhere
    ("[MẬT]", MAT),
    ("(TỐI MẬT)", TOI_MAT),
    ("«Mật»", MAT),
    ("[ Tuyệt mật ]", TUYET_MAT),
    ("<MẬT> Báo cáo tình hình", MAT),
    ("Công văn số 125/UBND-KT (MẬT)", MAT),
    ("V/v triển khai kế hoạch [TỐI MẬT]", TOI_MAT),
    ("（TUYỆT MẬT）", TUYET_MAT),
    ("(KHẨN, MẬT)", MAT),
    # as a prefix set off by punctuation
    ("MẬT - V/v triển khai kế hoạch phòng thủ dân sự", MAT),
    ("Tuyệt mật: Kế hoạch tác chiến khu vực phòng thủ", TUYET_MAT),
    ("TỐI MẬT – Báo cáo tình hình an ninh", TOI_MAT),
    ("MẬT. Báo cáo kết quả rà soát", MAT),
    ("Mật: Danh sách đối tượng", MAT),
    ("MẬT-V/v kế hoạch", MAT),
    ("[Mật] V/v kiểm tra", MAT),
    ("KHẨN - MẬT - V/v bảo vệ mục tiêu", MAT),
    ("HỎA TỐC, TỐI MẬT: Kế hoạch bảo vệ", TOI_MAT),
    ("Thượng khẩn - Tuyệt mật - Phương án", TUYET_MAT),
    # the two-word levels need no punctuation after them at the start of a field
    ("TỐI MẬT V/v phương án bảo vệ", TOI_MAT),
    ("Tuyệt mật kế hoạch số 12", TUYET_MAT),
    # as a suffix set off by a dash
    ("Báo cáo tình hình biên giới - TỐI MẬT", TOI_MAT),
    ("V/v phương án – Mật", MAT),
    # after a "Độ mật" label
    ("Độ mật: Mật", MAT),
    ("Độ mật - Mật", MAT),
    ("Độ mật: Tối mật", TOI_MAT),
    ("Mức độ mật: TUYỆT MẬT", TUYET_MAT),
    ("Loại: Công văn; Độ mật: Mật; Độ khẩn: Thường", MAT),
    ("Ðộ mật: Mật", MAT),  # Ð (eth, U+00D0) standing in for Đ
    # whitespace, invisible characters and lines
    ("MẬT\u00a0-\u00a0V/v kế hoạch", MAT),
    ("TỐI \u00a0 MẬT", TOI_MAT),
    ("\ufeffMẬT - V/v kế hoạch", MAT),
    ("M\u00adẬT", MAT),
    ("TỐI MẬT\nV/v kế hoạch phòng thủ", TOI_MAT),
    ("V/v kế hoạch phòng thủ\r\n(MẬT)", MAT),
    # file names
    ("TỐI_MẬT_congvan.pdf", TOI_MAT),
    ("MẬT - Báo cáo.pdf", MAT),
    # ASCII fallbacks (diacritics stripped by the DMS)
    ("TOI MAT", TOI_MAT),
    ("TUYET MAT - Ke hoach so 12", TUYET_MAT),
    ("toi mat: bao cao", TOI_MAT),
    ("TUYET_MAT-congvan.pdf", TUYET_MAT),
    ("MAT", MAT),
    ("[MAT]", MAT),
    ("(mat) Bao cao", MAT),
    ("Do mat: Mat", MAT),
    ("Do mat - Toi mat", TOI_MAT),
    # NFD input, as some DMS send it
    (nfd("Tuyệt mật: Kế hoạch"), TUYET_MAT),
    (nfd("(TỐI MẬT)"), TOI_MAT),
    (nfd("Độ mật: Tuyệt mật"), TUYET_MAT),
    (nfd("MẬT - V/v kế hoạch"), MAT),
    (nfd("«mật»"), MAT),
]

PASSED: list[str] = [
    "V/v tăng cường công tác bảo vệ bí mật nhà nước",
    "Hướng dẫn đổi mật khẩu hộp thư công vụ",
    "V/V BẢO VỆ BÍ MẬT NHÀ NƯỚC",
    "Mật độ dân số năm 2018",
    "Mật ong đặc sản Phú Yên",
    "Quy chế bảo vệ bí mật nhà nước của UBND tỉnh",
    "Tối ưu hóa quy trình tiếp nhận hồ sơ",
    "Tuyệt vời Phú Yên",
    "Tuyệt đối giữ bí mật thông tin",
    "Triển khai Luật Cơ yếu về mật mã dân sự",
    "Danh mục tài liệu mật",
    "Sổ đăng ký văn bản mật",
    "Tài liệu MẬT phải được quản lý theo quy định",
    "V/v khắc dấu MẬT cho Công an huyện",
    'Hướng dẫn sử dụng con dấu "MẬT", "TỐI MẬT"',
    "V/v xác định độ mật (Tuyệt mật, Tối mật, Mật) của tài liệu",
    "Quyết định ban hành danh mục bí mật nhà nước độ Tối mật",
    "Độ mật: Không",
    "Độ mật: thường",
    "Độ mật:",
    "Độ mật",
    "Độ khẩn: Thường; Độ mật: Thường",
    "Bí mật",
    "Bảo mật thông tin",
    "Mật mã",
    "Mật thiết phối hợp giữa các sở",
    "Ong mật và nghề nuôi ong",
    "[MẬT KHẨU]",
    "Bỏ phiếu kín (bí mật)",
    "Quy định về mật độ xây dựng - Phú Yên",
    "Tối nay họp giao ban",
    "KHẨN - V/v phòng chống bão số 9",
    "HỎA TỐC",
    "Thượng khẩn: chỉ đạo ứng phó lũ",
    "Khẩn trương triển khai",
    "LƯU HÀNH NỘI BỘ",
    "Thành phố Tuy Hòa",
    "",
    # file names
    "Mật_độ_dân_số.xlsx",
    "Mật_ong_Phú_Yên.pdf",
    "MAT_congvan.pdf",
    "MẬT_congvan.pdf",
    # ASCII fallbacks that are other words (mắt, mặt, mất, mát)
    "Mat do dan so 2018.xlsx",
    "Mat ong dac san Phu Yen",
    "Doi mat khau hop thu",
    "MAT - TAI MUI HONG: danh sach kham",
    "Toi mat giay to tuy than",
    "Bao ve bi mat nha nuoc",
    # NFD
    nfd("V/v tăng cường công tác bảo vệ bí mật nhà nước"),
    nfd("Mật độ dân số năm 2018"),
    nfd("Độ mật: Không"),
]


def _finding(text: str) -> SecrecyFinding | None:
    return find_secrecy_mark([("Subject", text)])


def test_tables_are_large_enough() -> None:
    assert len(REFUSED) >= 40 and len(PASSED) >= 40


@pytest.mark.parametrize(("text", "mark"), REFUSED)
def test_refused(text: str, mark: str) -> None:
    assert _finding(text) == SecrecyFinding(field="Subject", mark=mark)


@pytest.mark.parametrize(("text", "mark"), REFUSED)
def test_refused_in_nfd_too(text: str, mark: str) -> None:
    finding = _finding(nfd(text))
    assert finding is not None and finding.mark == mark


@pytest.mark.parametrize("text", PASSED)
def test_passed(text: str) -> None:
    assert _finding(text) is None


@pytest.mark.parametrize("text", PASSED)
def test_passed_in_nfd_too(text: str) -> None:
    assert _finding(nfd(text)) is None


def test_names_the_field_and_never_keeps_the_text() -> None:
    name = nfd("TỐI_MẬT_kế_hoạch.pdf")
    fields = [
        ("Subject", "V/v tăng cường bảo vệ bí mật nhà nước"),
        ("TypeName", "Công văn"),
        ("Attachment[0].AttachmentName", "congvan.pdf"),
        ("Attachment[1].AttachmentName", name),
    ]
    finding = find_secrecy_mark(fields)
    assert finding == SecrecyFinding("Attachment[1].AttachmentName", TOI_MAT)
    assert name not in repr(finding)


def test_first_field_with_a_mark_wins() -> None:
    fields = iter([("Subject", "Báo cáo"), ("TypeName", "(MẬT)"), ("OtherInfo", "TUYỆT MẬT")])
    assert find_secrecy_mark(fields) == SecrecyFinding("TypeName", MAT)


@pytest.mark.parametrize(
    "text",
    ["TỐI MẬT", "(Tối mật)", "Độ mật: Tối mật", "Tối mật - V/v", "V/v - tối mật", "TOI MAT"],
)
def test_toi_mat_is_not_reported_as_mat(text: str) -> None:
    finding = _finding(text)
    assert finding is not None and finding.mark == TOI_MAT


def test_nothing_found() -> None:
    assert find_secrecy_mark([]) is None
    assert find_secrecy_mark([("Subject", "Báo cáo"), ("Content", "")]) is None


def test_finding_is_frozen() -> None:
    finding = SecrecyFinding("Subject", MAT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.mark = TOI_MAT  # type: ignore[misc]
