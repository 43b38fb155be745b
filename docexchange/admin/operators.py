"""Operator accounts and API tokens as the faces use them: every change to an account or a
token, from any face, writes its evidence leaf in the same transaction, naming who made it
(`actor`: an operator's name, or `cli:USER` from the command line)."""

from __future__ import annotations

import asyncio
import hmac
import secrets
from typing import Any

from docexchange.accounts.operators import (
    ROLES,
    TOKEN_PREFIX,
    Operator,
    dummy_hash,
    hash_password,
    password_matches_async,
)
from docexchange.hub import Hub
from docexchange.ids import hash_secret
from docexchange.store import operators as sql
from docexchange.store.tx import Tx


async def add_operator(hub: Hub, name: str, role: str, password: str, actor: str) -> None:
    """Create the operator, or reset its role and password (and enable it again). The
    evidence leaf names the account and role, never the password or its hash."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError("operator names are 1-64 letters, digits, '-' or '_'")
    hashed = await asyncio.to_thread(hash_password, password)

    def txn(conn: Tx) -> None:
        sql.upsert_operator_txn(conn, name, role, hashed, hub.clock.now_ms())
        hub.evidence.append_txn(conn, "operator_saved", {
            "name": name, "role": role, "operator": actor})
    await hub.db.write("add_operator", txn)


async def issue_token(hub: Hub, name: str, actor: str, *, valid_days: int = 0) -> str:
    """A new API token for the operator; only its hash is stored, the token is shown once.
    It stops working after `valid_days` (0: never) or when revoked by its id (the part after
    `dxop_`, shown by `operators tokens`)."""
    if await sql.operator(hub.db, name) is None:
        raise ValueError(f"no operator {name}")
    token_id = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(24)}"
    now = hub.clock.now_ms()
    expires_ts = now + valid_days * 86_400_000 if valid_days > 0 else None

    def txn(conn: Tx) -> None:
        sql.insert_token_txn(conn, token_id, name, hash_secret(token), expires_ts, now)
        hub.evidence.append_txn(conn, "operator_token_issued", {
            "name": name, "token_id": token_id, "expires_ts": expires_ts, "operator": actor})
    await hub.db.write("issue_operator_token", txn)
    return token


async def revoke_token(hub: Hub, token_id: str, actor: str) -> bool:
    """Revoke one token (by its id, or the whole token); False when no live token has it."""
    parts = token_id.split("_", 2)
    wanted = parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else token_id

    def txn(conn: Tx) -> bool:
        if not sql.revoke_token_txn(conn, wanted, hub.clock.now_ms()):
            return False
        hub.evidence.append_txn(conn, "operator_token_revoked", {
            "token_id": wanted, "operator": actor})
        return True
    return bool(await hub.db.write("revoke_operator_token", txn))


async def disable_operator(hub: Hub, name: str, actor: str) -> bool:
    """Its tokens and sessions stop at once (their lookups join the operator row); False
    when there is no such operator."""
    def txn(conn: Tx) -> bool:
        if not sql.set_disabled_txn(conn, name, hub.clock.now_ms()):
            return False
        hub.evidence.append_txn(conn, "operator_disabled", {"name": name, "operator": actor})
        return True
    return bool(await hub.db.write("disable_operator", txn))


async def list_operators(hub: Hub) -> list[Any]:
    """Rows with name, role, created_ts, disabled_ts, by name."""
    return await sql.operators(hub.db)


async def list_tokens(hub: Hub) -> list[Any]:
    """Rows with token_id, name, created_ts, expires_ts, revoked_ts (never the secret)."""
    return await sql.tokens(hub.db)


async def operator_for_token(hub: Hub, token: str) -> Operator | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    row = await sql.token(hub.db, parts[1])
    if row is None or not hmac.compare_digest(row["secret_hash"], hash_secret(token)):
        return None
    if row["revoked_ts"] is not None or row["disabled_ts"] is not None:
        return None
    if row["expires_ts"] is not None and row["expires_ts"] <= hub.clock.now_ms():
        return None
    return Operator(row["name"], row["role"])


async def check_login(hub: Hub, name: str, password: str) -> Operator | None:
    """The operator when the name and password match an active account. The password is
    hashed in every case (unknown name, disabled account, wrong password), so the time taken
    does not tell which accounts exist or are disabled."""
    row = await sql.operator(hub.db, name)
    if row is None:
        await password_matches_async(dummy_hash(), password)
        return None
    matches = await password_matches_async(row["password_hash"], password)
    if not matches or row["disabled_ts"] is not None:
        return None
    return Operator(row["name"], row["role"])
