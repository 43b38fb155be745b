"""Identifiers: ULIDs (time-ordered, text, portable) and API keys."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last = (0, 0)


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_ulid() -> str:
    """A ULID, strictly increasing within this process (sortable by creation)."""
    global _last
    with _lock:
        ms = int(time.time() * 1000)
        last_ms, last_rand = _last
        if ms <= last_ms:
            ms, rand = last_ms, last_rand + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1
        _last = (ms, rand)
    return _encode(ms, 10) + _encode(rand, 16)


def new_api_key() -> tuple[str, str]:
    """Returns (key_id, full key). The key id is public; the database keeps only a hash."""
    key_id = secrets.token_hex(6)
    return key_id, f"dx_{key_id}_{secrets.token_urlsafe(24)}"


def api_key_id(key: str) -> str | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "dx" or not parts[1]:
        return None
    return parts[1]


def hash_secret(key: str) -> str:
    """API keys carry 192 random bits, so a plain SHA-256 is enough (no password KDF)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
