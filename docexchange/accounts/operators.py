"""Operators: passwords hashed with argon2id (memory-hard), API tokens stored as SHA-256.

Roles: `viewer` reads everything operators may see (metadata, never document bodies);
`admin` may also act (disable and re-issue unit credentials).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from docexchange.errors import DocExchangeError
from docexchange.ids import hash_secret
from docexchange.store import operators as sql
from docexchange.store.engine import Database, now_ms

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


async def add_operator(db: Database, name: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError("operator names are 1-64 letters, digits, '-' or '_'")
    hashed = await asyncio.to_thread(hash_password, password)
    await db.write("add_operator", lambda c: sql.upsert_operator_txn(c, name, role, hashed))


async def issue_token(db: Database, name: str, *, valid_days: int = 0) -> str:
    """A new API token for the operator; only its hash is stored, the token is shown once.
    It stops working after `valid_days` (0: never) or when revoked by its id (the part after
    `dxop_`, shown by `operators tokens`)."""
    if await sql.operator(db, name) is None:
        raise ValueError(f"no operator {name}")
    token_id = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(24)}"
    expires_ts = now_ms() + valid_days * 86_400_000 if valid_days > 0 else None
    await db.write("issue_operator_token", lambda c: sql.insert_token_txn(
        c, token_id, name, hash_secret(token), expires_ts))
    return token


async def revoke_token(db: Database, token_id: str) -> bool:
    """Revoke one token (by its id, or the whole token); False when no live token has it."""
    parts = token_id.split("_", 2)
    wanted = parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else token_id
    return bool(await db.write("revoke_operator_token",
                               lambda c: sql.revoke_token_txn(c, wanted)))


def is_operator_token(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX + "_")


async def operator_for_token(db: Database, token: str) -> Operator | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    row = await sql.token(db, parts[1])
    if row is None or not hmac.compare_digest(row["secret_hash"], hash_secret(token)):
        return None
    if row["revoked_ts"] is not None or row["disabled_ts"] is not None:
        return None
    if row["expires_ts"] is not None and row["expires_ts"] <= now_ms():
        return None
    return Operator(row["name"], row["role"])


async def check_login(db: Database, name: str, password: str) -> Operator | None:
    """The operator when the name and password match an active account. The password is
    hashed in every case (unknown name, disabled account, wrong password), so the time taken
    does not tell which accounts exist or are disabled."""
    row = await sql.operator(db, name)
    if row is None:
        await password_matches_async(_dummy_hash(), password)
        return None
    matches = await password_matches_async(row["password_hash"], password)
    if not matches or row["disabled_ts"] is not None:
        return None
    return Operator(row["name"], row["role"])


def forbidden_for_units() -> DocExchangeError:
    return DocExchangeError("DX_FORBIDDEN", "Chỉ cán bộ vận hành được dùng chức năng này.",
                            "Only operators may use this endpoint.")


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password")
