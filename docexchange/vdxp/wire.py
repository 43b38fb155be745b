"""Byte-level rules of the VDXP wire protocol, as the SDK applies them (docs/vdxp.md).

Pure functions shared by the hub's door and the SDK-like client: the SDK's hash-file form,
its sign-header JSON, the HMAC, Java's HashMap iteration order (the order the SDK signs in)
and the reply encoding the SDK decodes in every charset.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from typing import Any

PREFIX = "XroadVnpt-"
SIGN_HEADER = "XroadVnpt-sign-header"
SIGN_HEADER_KEY = "XroadVnpt-sign-header-key"
HASH_HEADER = "XroadVnpt-hash-header"
USER_AGENT = "JAVASDKAgent/1.0.0 XRoad/VPCP"
VERSION = "3.0.201608"

#: A docId becomes `<docId>.edxml` on the DMS's disk: only characters safe in a file name.
SAFE_DOC_ID = re.compile(r"^[0-9A-Za-z._-]{1,64}$")


def hash_file(data: bytes) -> str:
    """SHA-256 in the SDK's form: lowercase hex with each byte's leading zero dropped."""
    return sdk_hex(hashlib.sha256(data).digest())


def sdk_hex(digest: bytes) -> str:
    return "".join(format(b, "x") for b in digest)


def hash_file_matches(claimed: str, digest: bytes) -> bool:
    """`claimed` names this SHA-256 digest: in the SDK's form, or the ordinary 64-digit form
    other clients may send."""
    claimed = claimed.strip().lower()
    return hmac.compare_digest(claimed, sdk_hex(digest)) or hmac.compare_digest(
        claimed, digest.hex())


def signature(secret: str, sign_header: bytes) -> str:
    """HMAC-SHA256(secret UTF-8, the sign-header's bytes) in lowercase hex."""
    return hmac.new(secret.encode("utf-8"), sign_header, hashlib.sha256).hexdigest()


_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
          "\t": "\\t", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _java_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def sign_header(entries: Iterable[tuple[str, str]]) -> str:
    """The SDK's compact JSON `{"XroadVnpt-k":"v",...}`: non-ASCII written as is."""
    return "{" + ",".join(f"{_java_string(PREFIX + k)}:{_java_string(v)}"
                          for k, v in entries) + "}"


def java_string_hash(text: str) -> int:
    """`String.hashCode()`: over UTF-16 code units, 32-bit signed overflow."""
    raw = text.encode("utf-16-be")
    h = 0
    for i in range(0, len(raw), 2):
        h = (31 * h + int.from_bytes(raw[i:i + 2], "big")) & 0xFFFFFFFF
    return h


def java_hashmap_order(keys: Iterable[str]) -> list[str]:
    """The iteration order of a `java.util.HashMap<String, ?>` filled with `keys` in this
    order: bucket by bucket (capacity 16, doubled past 3/4 load), insertion order within a
    bucket. This is the order the SDK sends and signs its parameters in."""
    ordered = list(dict.fromkeys(keys))
    capacity = 16
    while len(ordered) > capacity * 3 // 4:
        capacity *= 2
    buckets: dict[int, list[str]] = {}
    for key in ordered:
        h = java_string_hash(key)
        spread = h ^ (h >> 16)
        buckets.setdefault(spread & (capacity - 1), []).append(key)
    return [k for index in sorted(buckets) for k in buckets[index]]


def reply_body(fields: dict[str, Any]) -> bytes:
    """Reply JSON with every non-ASCII character as \\uXXXX: `sendEdoc` decodes the reply in the
    DMS machine's default charset, which is often not UTF-8; escapes decode in all of them."""
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("ascii")
