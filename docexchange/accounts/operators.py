"""Operators: passwords hashed with argon2id (memory-hard), API tokens stored as SHA-256.

Roles: `viewer` reads everything operators may see (metadata, never document bodies);
`admin` may also act (disable and re-issue unit credentials). The accounts' changes and
lookups, which need the hub, are in `admin/operators.py`.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from docexchange.errors import DocExchangeError

ROLES = ("viewer", "admin")
_hasher = PasswordHasher()  # argon2id, library defaults (64 MiB, 3 passes)
TOKEN_PREFIX = "dxop"


@dataclass(frozen=True)
class Operator:
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def password_matches_async(password_hash: str, password: str) -> bool:
    """argon2 is deliberately slow (tens of ms): never on the event loop."""
    return await asyncio.to_thread(password_matches, password_hash, password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def is_operator_token(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX + "_")


def forbidden_for_units() -> DocExchangeError:
    return DocExchangeError("DX_FORBIDDEN", "Chỉ cán bộ vận hành được dùng chức năng này.",
                            "Only operators may use this endpoint.")


@functools.cache
def dummy_hash() -> str:
    return _hasher.hash("not a password")
