"""The secrecy guard: find a state-secret mark (MẬT, TỐI MẬT, TUYỆT MẬT) in a packet's text.

Why this exists: classified documents must never travel over the exchange (Decree 30/2020/NĐ-CP,
Law 29/2018/QH14 on Protection of State Secrets), yet edXML has no secrecy element. The hub can
only read the packet's text (Subject, TypeName, attachment names, ... : secrecy_fields.py walks
every one) and refuse a packet whose text carries a mark. "mật" is also an everyday word (bí
mật, mật khẩu, mật độ, mật ong), so the rule is about *where* the word stands, never a substring
search: a mark is a level alone on a line, in brackets, as a prefix or suffix set off by
punctuation, or after a "Độ mật" label. docs/secrecy.md states the rule with examples both ways;
keep the two in step.

Text is compared in the form textfold.fold gives (compatibility forms, look-alike letters,
case, invisible characters and NFD all folded away); runs of whitespace and underscores (file
names) count as one space; each line is checked on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from docexchange.errors import DocExchangeError
from docexchange.exchange.textfold import fold, may_fold_to_mat

__all__ = ["SecrecyFinding", "classified_error", "find_secrecy_mark", "mark_in"]


@dataclass(frozen=True)
class SecrecyFinding:
    """Where a secrecy mark was found: never the text itself, which must not be kept anywhere
    (the refusal, its log line and the evidence log record the field only)."""

    field: str  #: where, e.g. "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject"
    mark: str  #: normalised level: "MẬT", "TỐI MẬT" or "TUYỆT MẬT"


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

_SPACES = re.compile(r"[\s_]+")  # file names use "_" between words


def _candidate_lines(text: str) -> Iterator[str]:
    """The folded lines that contain a level word: every pattern needs "mật" or "mat", and the
    substring test is far cheaper than seven regexes on each line of a multi-MB text."""
    folded = fold(text)
    if "mật" not in folded and "mat" not in folded:
        return
    for line in folded.splitlines():
        if "mật" in line or "mat" in line:
            yield _SPACES.sub(" ", line).strip()


def mark_in(text: str) -> str | None:
    """The level of the first mark in ``text`` ("MẬT", "TỐI MẬT", "TUYỆT MẬT"), or None."""
    if not text or not may_fold_to_mat(text):
        return None
    for line in _candidate_lines(text):
        for pattern in _PATTERNS:
            match = pattern.search(line)
            if match:
                return _CANONICAL[match["level"]]
    return None


def find_secrecy_mark(fields: Iterable[tuple[str, str]]) -> SecrecyFinding | None:
    """Return the first secrecy mark in ``fields`` (name, text) pairs, or None if there is none.

    Fields are checked in the order given. A finding means the packet must be refused
    (DX_CLASSIFIED, see classified_error).
    """
    for field, text in fields:
        mark = mark_in(text)
        if mark is not None:
            return SecrecyFinding(field=field, mark=mark)
    return None


def classified_error(findings: Sequence[SecrecyFinding]) -> DocExchangeError:
    """DX_CLASSIFIED naming where the marks are (never quoting the text around them)."""
    first = findings[0]
    return DocExchangeError(
        "DX_CLASSIFIED",
        f"Văn bản có dấu độ mật '{first.mark}' ({first.field}): văn bản mật không được "
        "gửi qua hệ thống này. Gói tin không được lưu.",
        f"The document bears the secrecy mark '{first.mark}' ({first.field}): classified "
        "documents must not pass through this system. The packet was not stored.",
        errors=[{"element": f.field, "mark": f.mark} for f in findings])
