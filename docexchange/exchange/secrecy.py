"""The secrecy guard: find a state-secret mark (MẬT, TỐI MẬT, TUYỆT MẬT) in document metadata.

Why this exists: classified documents must never travel over the exchange (Decree 30/2020/NĐ-CP,
Law 29/2018/QH14 on Protection of State Secrets), yet edXML has no secrecy element. The hub can
only read the metadata text (Subject, TypeName, attachment names, ...) and refuse a packet whose
text carries a mark. "mật" is also an everyday word (bí mật, mật khẩu, mật độ, mật ong), so the
rule is about *where* the word stands, never a substring search: a mark is a level alone on a
line, in brackets, as a prefix or suffix set off by punctuation, or after a "Độ mật" label.
docs/secrecy.md states the rule with examples both ways; keep the two in step.

Text is compared after removing invisible format characters, NFKC (which includes NFC: DMS send
NFD too, and full-width brackets or no-break spaces become plain ones) and casefolding; runs of
whitespace and underscores (file names) count as one space; each line is checked on its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SecrecyFinding", "find_secrecy_mark"]


@dataclass(frozen=True)
class SecrecyFinding:
    """Where a secrecy mark was found, for the refusal and its log line."""

    field: str  #: caller's field name, e.g. "Subject", "Attachment[0].AttachmentName"
    mark: str  #: normalised level: "MẬT", "TỐI MẬT" or "TUYỆT MẬT"
    text: str  #: the field's text exactly as received


_CANONICAL = {
    "mật": "MẬT",
    "mat": "MẬT",
    "tối mật": "TỐI MẬT",
    "toi mat": "TỐI MẬT",
    "tuyệt mật": "TUYỆT MẬT",
    "tuyet mat": "TUYỆT MẬT",
}

# Levels that may start a run of marks. Bare ASCII "mat" is not one of them: without diacritics
# it may be mắt, mặt, mất or mát ("MAT - TAI MUI HONG"), so it only counts alone on a line, in
# brackets or after a "Độ mật" label (_ANY_LEVEL and the last two patterns).
_LEVEL = r"(?P<level>tuyệt mật|tuyet mat|tối mật|toi mat|mật)(?!\w)"
_ANY_LEVEL = r"(?P<level>tuyệt mật|tuyet mat|tối mật|toi mat|mật|mat)(?!\w)"
_URGENCY = (
    r"(?:thượng khẩn|thuong khan|khẩn|khan"
    r"|(?:hỏa|hoả|hoa) (?:tốc|toc)(?: (?:hẹn giờ|hen gio))?)(?!\w)"
)
_GAP = r"(?:\s*[,;/&+|\-–—]\s*|\s+)"
# One secrecy level, optionally chained with urgency marks: "KHẨN - MẬT", "MẬT, HỎA TỐC".
# The chains are bounded so that unanchored searches stay linear in the length of the text.
_RUN = rf"(?:{_URGENCY}{_GAP}){{0,3}}{_LEVEL}(?:{_GAP}{_URGENCY}){{0,3}}"
_OPEN = r"[\[(«‹<{【〔〈《]"
_CLOSE = r"[\])»›>}】〕〉》]"
_EDGE = r"[\W_]*"  # spaces and punctuation that may surround a mark: "- MẬT -", "**MẬT**"
_SEPARATOR = r"\s*(?:[:.|]|[-–—])"  # what sets a prefix mark off from the text after it

_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        rf"^{_EDGE}{_RUN}(?:{_EDGE}$|{_SEPARATOR})",  # alone, or prefix: "MẬT - V/v ..."
        # the unambiguous words, even without punctuation after them
        rf"^{_EDGE}(?:{_URGENCY}{_GAP}){{0,3}}(?P<level>tuyệt mật|tối mật)(?!\w)",
        rf"{_OPEN}\s*{_RUN}\s*{_CLOSE}",  # "[MẬT]", "(TỐI MẬT)", "«Mật»", "(KHẨN, MẬT)"
        rf"(?<!\w)(?:độ mật|do mat)\s*[:=\-–—]\s*{_ANY_LEVEL}",  # "Độ mật: Mật", "Do mat: Mat"
        rf"\s[-–—|]\s*{_RUN}{_EDGE}$",  # suffix: "V/v ... - MẬT"
        rf"^{_EDGE}(?P<level>mat){_EDGE}$",  # bare ASCII, alone: "MAT"
        rf"{_OPEN}\s*(?P<level>mat)\s*{_CLOSE}",  # bare ASCII, bracketed: "[MAT]"
    )
)

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_FOLD = str.maketrans({"ð": "đ", "ɖ": "đ", "_": " "})  # Ð (eth) is a common stand-in for Đ
_SPACES = re.compile(r"\s+")


def _lines(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text).casefold()).translate(_FOLD)
    return [_SPACES.sub(" ", line).strip() for line in folded.splitlines()]


def _mark_in(text: str) -> str | None:
    for line in _lines(text):
        for pattern in _PATTERNS:
            match = pattern.search(line)
            if match:
                return _CANONICAL[match["level"]]
    return None


def find_secrecy_mark(fields: Iterable[tuple[str, str]]) -> SecrecyFinding | None:
    """Return the first secrecy mark in ``fields`` (name, text) pairs, or None if there is none.

    Fields are checked in the order given, so callers list the most telling first (Subject).
    A finding means the packet must be refused (DX_CLASSIFIED); ``text`` is the field as
    received, for the refusal log.
    """
    for field, text in fields:
        mark = _mark_in(text) if text else None
        if mark is not None:
            return SecrecyFinding(field=field, mark=mark, text=text)
    return None
