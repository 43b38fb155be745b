"""Text <-> value conversions for edXML fields: read leniently, write exactly.

Reading raises DX_INVALID_PACKET naming the element. Writing produces the field's forms:
dates yyyy/MM/dd, timestamps yyyy/MM/dd HH:mm:ss in local time (UTC+7, no zone), ContentId
"cid:N", base64 on one line.

Some writers put the day first (``dd/MM/yyyy``, ``d/M/yyyy``, ``dd/MM/yyyy HH:mm:ss``). The year
is always the four-digit group, so the two orders never collide and both are read; the
``day_first`` test lets the reader note a warning for the day-first form.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime, timedelta, timezone
from functools import _lru_cache_wrapper, lru_cache
from typing import TypeVar

from docexchange.edxml.problems import invalid_packet
from docexchange.errors import DocExchangeError

#: Vietnam has kept UTC+7 without daylight saving since 1975.
LOCAL_TZ = timezone(timedelta(hours=7))

_DATE = re.compile(r"(\d{4})([/-])(\d{1,2})\2(\d{1,2})")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIMESTAMP = re.compile(
    r"(\d{4})([/-])(\d{1,2})\2(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)
_DAY_FIRST_TIMESTAMP = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?")
_WHITESPACE = re.compile(r"\s+")
#: The ASCII characters ``\s`` matches (str.isspace), for the fast path of base64 text.
_ASCII_SPACE = bytes(c for c in range(128) if chr(c).isspace())
#: Characters of base64 text checked at a time when its content is not kept.
_PIECE = 1 << 20


def parse_date(text: str, element: str) -> date:
    """yyyy/MM/dd, ISO yyyy-MM-dd, or day first: dd/MM/yyyy and d/M/yyyy."""
    return _read(_date_of, text, element, "date (yyyy/MM/dd or dd/MM/yyyy)",
                 "ngày tháng (yyyy/MM/dd hoặc dd/MM/yyyy)")


def day_first(text: str) -> bool:
    """True for the day-first forms (dd/MM/yyyy, d/M/yyyy, with or without a time)."""
    text = text.strip()
    return bool(_DAY_FIRST_DATE.fullmatch(text) or _DAY_FIRST_TIMESTAMP.fullmatch(text))


def parse_optional_date(text: str, element: str) -> date | None:
    """An empty element means no date."""
    return parse_date(text, element) if text.strip() else None


def parse_timestamp(text: str, element: str) -> datetime:
    """yyyy/MM/dd HH:mm:ss local time; ISO forms too, a zone is converted to local time;
    dd/MM/yyyy HH:mm:ss (older gateways) as local time."""
    return _read(_timestamp_of, text, element, "timestamp (yyyy/MM/dd HH:mm:ss)",
                 "thời điểm (yyyy/MM/dd HH:mm:ss)")


#: Dates and timestamps are read once per distinct text (a day's packets carry the same few
#: dates, and each was two regexes and a constructor, 1 to 2 µs). A longer text is read
#: without the cache, so none of any length is kept.
_CACHED_TEXT = 40


V = TypeVar("V", date, datetime)


def _read(reader: _lru_cache_wrapper[V | None], text: str, element: str, form_en: str,
          form_vi: str) -> V:
    """``reader``'s value of ``text`` (stripped; through its cache when short), or the
    packet's refusal naming the expected ``form``."""
    text = text.strip()
    value = reader(text) if len(text) <= _CACHED_TEXT else reader.__wrapped__(text)
    if value is not None:
        return value
    raise invalid_packet(element, f"not a {form_en}: {text[:40]!r}",
                         reason_vi=f"không phải {form_vi}: {text[:40]!r}")


@lru_cache(maxsize=1024)
def _date_of(text: str) -> date | None:
    """The date ``text`` (stripped) stands for, or None."""
    try:
        if match := _DATE.fullmatch(text):
            return date(int(match[1]), int(match[3]), int(match[4]))
        if match := _DAY_FIRST_DATE.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        pass
    return None


@lru_cache(maxsize=1024)
def _timestamp_of(text: str) -> datetime | None:
    """The local time ``text`` (stripped) stands for, or None."""
    try:
        if match := _TIMESTAMP.fullmatch(text):
            return _timestamp_from(match)
        if match := _DAY_FIRST_TIMESTAMP.fullmatch(text):
            day, month, year, hour, minute = (int(match[i]) for i in range(1, 6))
            return datetime(year, month, day, hour, minute, int(match[6] or 0))
    except ValueError:
        pass
    return None


def _timestamp_from(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute = (int(match[i]) for i in (1, 3, 4, 5, 6))
    moment = datetime(year, month, day, hour, minute, int(match[7] or 0))
    zone = match[8]
    if not zone:
        return moment
    if zone == "Z":
        offset = timedelta(0)
    else:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == "-" else offset
    return to_local(moment.replace(tzinfo=timezone(offset)))


def to_local(moment: datetime) -> datetime:
    """Naive local time: aware datetimes are converted to UTC+7, naive ones kept."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None)


def format_date(value: date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: datetime) -> str:
    local = to_local(value)
    return f"{format_date(local)} {local.hour:02d}:{local.minute:02d}:{local.second:02d}"


def parse_int(
    text: str,
    element: str,
    *,
    low: int | None = None,
    high: int | None = None,
    default: int | None = None,
) -> int:
    """An integer within [low, high]; an empty element gives default (an error without one)."""
    text = text.strip()
    if not text and default is not None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise invalid_packet(
            element,
            f"not an integer: {text[:40]!r}",
            reason_vi=f"không phải số nguyên: {text[:40]!r}",
        ) from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise invalid_packet(
            element,
            f"{value} is outside {low}..{high}",
            reason_vi=f"{value} nằm ngoài khoảng {low}..{high}",
        )
    return value


def parse_bool(text: str, element: str) -> bool:
    """xs:boolean (true/false/1/0); an empty element is false."""
    value = text.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0", ""):
        return False
    raise invalid_packet(
        element,
        f"not a boolean: {text[:40]!r}",
        reason_vi=f"không phải giá trị đúng/sai (true/false): {text[:40]!r}",
    )


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def decode_base64(text: str, element: str, **extra: str) -> bytes:
    """Strict base64; line breaks and spaces (MIME wrapping) are ignored."""
    try:
        return base64.b64decode(_unwrapped(text), validate=True)
    except (binascii.Error, ValueError):
        raise _not_base64(element, extra) from None


def check_base64(text: str, element: str, **extra: str) -> None:
    """Refuse exactly what `decode_base64` refuses, keeping nothing: a piece at a time, so
    checking a 200 MB attachment whose content nobody reads allocates a megabyte, not the
    150 MB its decoded bytes would take. A piece that holds padding is carried whole to the
    end, where padding must be (or only spaces after it), and the last group of four before
    the end is always carried, so the end is judged as the whole text's end would be."""
    if not text.isascii():
        decode_base64(text, element, **extra)
        return
    carry = b""
    for start in range(0, len(text), _PIECE):
        carry += text[start:start + _PIECE].encode("ascii").translate(None, _ASCII_SPACE)
        if start + _PIECE < len(text) and b"=" not in carry:
            cut = len(carry) - len(carry) % 4 - 4  # a whole group stays for padding to follow
            if cut > 0:
                _strict(carry[:cut], element, extra)
                carry = carry[cut:]
    _strict(carry, element, extra)


def _unwrapped(text: str) -> str | bytes:
    """The text without whitespace: ASCII (any real base64) through bytes.translate, which
    is some fifty times faster than the regular expression a 5 MB attachment otherwise
    takes 32 ms in."""
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_SPACE)
    return _WHITESPACE.sub("", text)


def _strict(data: bytes, element: str, extra: dict[str, str]) -> None:
    """b64decode(validate=True)'s refusals without its regular expression pass: the C
    decoder's strict mode refuses the same texts (tests/edxml/test_base64_check.py)."""
    try:
        binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError):
        raise _not_base64(element, extra) from None


def _not_base64(element: str, extra: dict[str, str]) -> DocExchangeError:
    return invalid_packet(
        element,
        "content is not valid base64",
        reason_vi="nội dung không phải base64 hợp lệ",
        **extra,
    )


def encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def bare_cid(text: str) -> str:
    """ContentId without its "cid:" prefix: references and attachments match on this."""
    text = text.strip()
    return text[4:].strip() if text[:4].lower() == "cid:" else text


def cid_ref(content_id: str) -> str:
    return f"cid:{content_id}"


def status_code(text: str) -> str:
    """Two characters: a single digit "1" is read as "01"."""
    return text.strip().zfill(2)
