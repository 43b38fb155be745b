"""Property-based tests of the secrecy guard: a mark written in any position, any field and any
disguise (case, NFD, invisible characters, mathematical / letterlike / full-width / circled forms,
Cyrillic and Greek look-alikes) is refused; innocent text in the same disguises is not.

The disguises are built here from Unicode data (NFKC of whole blocks), not from the guard's own
tables, so a form the guard forgets fails a test. Runs are derandomised: the same examples on
every machine, so CI never flips on a new random draw.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docexchange.edxml.parser import parse_xml
from docexchange.exchange.secrecy import find_secrecy_mark
from docexchange.exchange.secrecy_fields import packet_marks
from tests.exchange.secrecy_packets import FIELDS, Field, packet_with
from tests.exchange.test_secrecy import PASSED, REFUSED

SETTINGS = settings(deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _forms_from_blocks() -> dict[str, list[str]]:
    """Every single code point whose NFKC is one ASCII letter: mathematical alphanumerics,
    letterlike symbols, full-width, circled, squared, modifier letters."""
    blocks = [(0x1D400, 0x1D6A3), (0x2100, 0x214F), (0xFF21, 0xFF5A), (0x24B6, 0x24E9),
              (0x1F130, 0x1F149), (0x1D2C, 0x1D6A), (0x2070, 0x209C)]
    forms: dict[str, list[str]] = {}
    for lo, hi in blocks:
        for cp in range(lo, hi + 1):
            char = chr(cp)
            plain = unicodedata.normalize("NFKC", char)
            if len(plain) == 1 and plain.isascii() and plain.isalpha() and plain != char:
                forms.setdefault(plain, []).append(char)
    return forms


COMPAT_FORMS = _forms_from_blocks()
#: Cyrillic and Greek letters drawn like the Latin ones of the marks (UTS #39 confusables).
LOOK_ALIKES = {
    "A": "АΑ", "a": "а", "C": "СϹ", "c": "с", "E": "ЕΕ", "e": "е", "H": "НΗ", "I": "ІΙ",
    "i": "і", "K": "КΚ", "M": "МΜ", "N": "Ν", "O": "ОΟ", "o": "оο", "T": "ТΤ", "t": "т",
    "Y": "УΥҮ", "y": "у", "u": "υ",
}
#: Default-ignorable code points from every range of DerivedCoreProperties.txt.
INVISIBLES = [
    "\u00ad", "\u034f", "\u061c", "\u115f", "\u1160", "\u17b4", "\u180b", "\u180e", "\u180f",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2060", "\u2064",
    "\u2066", "\u2069", "\u206f", "\u3164", "\ufe00", "\ufe0f", "\ufeff", "\uffa0",
    "\U0001bca0", "\U0001d173", "\U000e0001", "\U000e0020", "\U000e0041", "\U000e007f",
    "\U000e0100", "\U000e01ef",
]


@st.composite
def disguised(draw: st.DrawFn, text: str) -> str:
    """``text`` with each letter in a drawn case and form, invisible characters in between, and
    the whole in NFC or NFD."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if char.isascii() and char.isalpha():
            char = draw(st.sampled_from([char, char.upper(), char.lower()]))
            char = draw(st.sampled_from([char, *COMPAT_FORMS.get(char, ()),
                                         *LOOK_ALIKES.get(char, "")]))
        out.append(char)
        out.extend(draw(st.lists(st.sampled_from(INVISIBLES), max_size=2)))
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), "".join(out))


LEVELS = [("MẬT", "MẬT"), ("Mật", "MẬT"), ("TỐI MẬT", "TỐI MẬT"), ("tối mật", "TỐI MẬT"),
          ("TUYỆT MẬT", "TUYỆT MẬT"), ("Tuyệt mật", "TUYỆT MẬT")]
ASCII_LEVELS = [("TOI MAT", "TỐI MẬT"), ("TUYET MAT", "TUYỆT MẬT")]
BARE_ASCII = [("MAT", "MẬT")]
REST = ["V/v triển khai kế hoạch phòng thủ dân sự", "Báo cáo tình hình an ninh",
        "Kế hoạch số 12/KH-UBND", "ke_hoach.pdf", "Danh sách đối tượng"]
BRACKETS = ["[]", "()", "«»", "{}", "【】", "〔〕", "《》", "<>", "（）"]

#: (template, which levels it takes): {m} is the level, {r} innocent text.
TEMPLATES = [
    ("{m}", LEVELS + ASCII_LEVELS + BARE_ASCII),
    ("**{m}**", LEVELS + ASCII_LEVELS + BARE_ASCII),
    ("{o}{m}{c}", LEVELS + ASCII_LEVELS + BARE_ASCII),
    ("{r} {o}{m}{c}", LEVELS + ASCII_LEVELS + BARE_ASCII),
    ("{o}{m}{c} {r}", LEVELS + ASCII_LEVELS + BARE_ASCII),
    ("{m}: {r}", LEVELS + ASCII_LEVELS),
    ("{m} - {r}", LEVELS + ASCII_LEVELS),
    ("{m} – {r}", LEVELS + ASCII_LEVELS),
    ("KHẨN - {m} - {r}", LEVELS + ASCII_LEVELS),
    ("{r} - {m}", LEVELS + ASCII_LEVELS),
    ("{r}\n{m}", LEVELS + ASCII_LEVELS + BARE_ASCII),
    ("Độ mật: {m}", LEVELS + ASCII_LEVELS + BARE_ASCII),
    ("Loại: Công văn; Độ mật: {m}; Độ khẩn: Thường", LEVELS + ASCII_LEVELS + BARE_ASCII),
]


@st.composite
def marks(draw: st.DrawFn) -> tuple[str, str]:
    """(text bearing a mark in a drawn position and disguise, the level it must be read as)."""
    template, levels = draw(st.sampled_from(TEMPLATES))
    level, expected = draw(st.sampled_from(levels))
    pair = draw(st.sampled_from(BRACKETS))
    mark = draw(disguised(level))
    text = template.format(m=mark, r=draw(st.sampled_from(REST)), o=pair[0], c=pair[1])
    return text, expected


#: Words and phrases with "mật", "tối", "tuyệt", "mắt", "mặt", "mất", "mát" in running text.
INNOCENT_LEADS = ["V/v", "Báo cáo", "Kế hoạch", "Hướng dẫn", "Công văn", "Thông báo"]
INNOCENT_PHRASES = [
    "bảo vệ bí mật nhà nước", "mật độ dân số", "đổi mật khẩu hộp thư", "mật ong đặc sản",
    "tối ưu hóa quy trình", "tuyệt vời", "khám mắt", "mặt trận tổ quốc", "mất điện",
    "thời tiết mát mẻ", "họp tối nay", "tuyệt đối an toàn", "khẩn trương", "tài liệu mật",
    "sổ đăng ký văn bản mật", "con dấu MẬT", "xác định độ mật của tài liệu", "mật mã dân sự",
    "năm 2018", "Phú Yên", "mật thiết phối hợp", "nuôi ong mật",
]


@st.composite
def innocent(draw: st.DrawFn) -> str:
    words = [draw(st.sampled_from(INNOCENT_LEADS))]
    for phrase in draw(st.lists(st.sampled_from(INNOCENT_PHRASES), min_size=1, max_size=6)):
        words.append(phrase + draw(st.sampled_from(["", ",", ";"])))
    return str(draw(disguised(" ".join(words))))


@SETTINGS
@given(field=st.sampled_from(FIELDS), mark=marks())
def test_a_mark_in_any_field_and_disguise_is_refused(field: Field, mark: tuple[str, str]
                                                    ) -> None:
    text, expected = mark
    findings = packet_marks(parse_xml(packet_with(field, text)))
    assert findings, text
    assert findings[0].mark == expected and findings[0].field.endswith(field.path)


@SETTINGS
@given(field=st.sampled_from(FIELDS), text=innocent())
def test_innocent_text_in_any_field_and_disguise_passes(field: Field, text: str) -> None:
    assert packet_marks(parse_xml(packet_with(field, text))) == ()


@SETTINGS
@given(case=st.sampled_from(REFUSED), data=st.data())
def test_every_refused_case_stays_refused_in_any_disguise(case: tuple[str, str],
                                                          data: st.DataObject) -> None:
    text, expected = case
    finding = find_secrecy_mark([("Subject", data.draw(disguised(text)))])
    assert finding is not None and finding.mark == expected


@SETTINGS
@given(text=st.sampled_from(PASSED), data=st.data())
def test_every_passed_case_stays_passed_in_any_disguise(text: str, data: st.DataObject
                                                         ) -> None:
    assert find_secrecy_mark([("Subject", data.draw(disguised(text)))]) is None
