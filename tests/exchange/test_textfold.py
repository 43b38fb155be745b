"""fold: the one form the secrecy guard compares, and the Unicode data it is built from."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docexchange.exchange.textfold import _IGNORABLE_RANGES, _fold_any, fold, may_fold_to_mat

#: Cf characters that are not Default_Ignorable_Code_Point: Prepended_Concatenation_Mark
#: (Arabic number signs and the like, visible), the interlinear annotation characters and the
#: Egyptian hieroglyph format controls, as DerivedCoreProperties.txt derives it.
_VISIBLE_FORMAT = {*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD,
                   0x110CD, 0xFFF9, 0xFFFA, 0xFFFB, *range(0x13430, 0x13441)}


def _ignorable(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


def test_ignorable_table_is_unicodes() -> None:
    """DerivedCoreProperties.txt of Unicode 15.1 totals 4,174 code points; and every format
    character Python's Unicode database knows is in the table unless it is a visible one."""
    assert sum(hi - lo + 1 for lo, hi in _IGNORABLE_RANGES) == 4174
    format_chars = [cp for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf"]
    missing = [hex(cp) for cp in format_chars
               if not _ignorable(cp) and cp not in _VISIBLE_FORMAT]
    assert missing == []
    for selector in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), *range(0x180B, 0x1810)]:
        assert _ignorable(selector), hex(selector)


@pytest.mark.parametrize("cp", [0x034F, *range(0x2066, 0x2070), 0xFE0F, 0xE0001, 0xE0041,
                                0xE007F, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0x115F])
def test_every_invisible_character_is_dropped(cp: int) -> None:
    assert fold(f"M{chr(cp)}Ậ{chr(cp)}T") == "mật"


@pytest.mark.parametrize("text", [
    "[𝐌ẬT]", "[ℳẬT]", "[ＭẬＴ]", "[ⓂẬⓉ]", "[𝕄Ậ𝕋]", "[𝙼Ậ𝚃]",  # mathematical, letterlike, ...
    "[МẬТ]", "[ΜẬΤ]", "[Мậт]", "[ᴍậᴛ]",  # Cyrillic, Greek, small capitals
    "[M\u0308ẬT]", "[M\u20ddẬT]",  # combining marks Vietnamese does not write
    "[rnật]",  # "rn" reads as "m"
])
def test_forms_a_reader_sees_as_mat_fold_to_mat(text: str) -> None:
    assert fold(text) == "[mật]"


def test_vietnamese_letters_on_look_alikes_recompose() -> None:
    cyrillic_a = "\u0410"
    assert fold(f"M{cyrillic_a}\u0323\u0302T") == "mật"
    assert fold("ΤUΥỆΤ") == "tuyệt" and fold("tυyệt") == "tuyệt"  # Greek capital and small
    assert fold(unicodedata.normalize("NFD", "TỐI MẬT")) == "tối mật"
    assert fold("Ðộ mật") == fold("ĐỘ MẬT") == "độ mật"


def test_ordinary_vietnamese_is_only_lowercased() -> None:
    text = "Quy định về mật độ xây dựng - Phú Yên, năm 2018"
    assert fold(text) == text.lower().replace("l", "i").replace("1", "i").replace("0", "o")
    assert fold("Hướng dẫn đổi mật khẩu") == "hướng dẫn đổi mật khẩu"


_PLAIN_ALPHABET = (string.ascii_letters + string.digits + " .,;:-/()[]_\n"
                   + "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
                   + "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ–—“”«»")


@settings(deadline=None, database=None, derandomize=True)
@given(st.text(alphabet=_PLAIN_ALPHABET, max_size=60))
def test_the_shortcut_for_plain_vietnamese_folds_like_the_full_path(text: str) -> None:
    """fold skips the decomposition for text of ASCII and precomposed Vietnamese letters; the
    result must be what the full path gives."""
    assert fold(text) == _fold_any(text)


_TRICKY = st.sampled_from([
    "m", "M", "r", "R", "n", "N", "rn", "RN", "l", "1", "0", "ậ", "Ậ", "a", "A", "t", "T", "ạ",
    "â", "ầ", "Ạ", "ţ", "ṭ", "\u0302", "\u0323", "\u200b", "ｍ", "𝐌", "м", "Μ", "ᴍ", "Ⓜ", "ß",
    "İ", "ŉ", "ǹ", "\u00ad", " ", "đ", "–", "«"])


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.lists(_TRICKY, max_size=12).map("".join)))
def test_text_that_cannot_fold_to_mat_holds_no_level_word_once_folded(text: str) -> None:
    """may_fold_to_mat lets the guard skip folding: it must never say no to a text whose folded
    form has "mat" or "mật" (every level is written with one)."""
    if not may_fold_to_mat(text):
        folded = fold(text)
        assert "mat" not in folded and "mật" not in folded


@pytest.mark.parametrize("text", ["000.00.12.H45", "Đơn vị gửi", "cv.pdf", "2026/11/28",
                                  "application/zip", "Công văn", "Mã số", "mặt trận",
                                  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"])
def test_ordinary_values_are_skipped(text: str) -> None:
    assert not may_fold_to_mat(text)


@pytest.mark.parametrize("text", ["MẬT", "rnật", "мật", "ｍật", "M\u200bẬT", "Mật", "RNAT",
                                  "format", "bí mật", "tối mật"])
def test_anything_that_may_be_a_mark_is_not_skipped(text: str) -> None:
    assert may_fold_to_mat(text)
