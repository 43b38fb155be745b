"""The configuration the hub runs with, as evidence: when a hub starts with a configuration
that differs from the last one recorded, a `configuration_changed` leaf names the keys that
changed.

The leaf carries the value of every ordinary option (what an auditor needs to know how the hub
behaved), relative paths as written, and for options that are or may carry a secret
(`config.secret_keys()`) only an argon2id hash, so that a change of secret is noticed while
the log, which auditors take away, never holds one it could be guessed from quickly. The
digest covers the ordinary values. Several processes starting at once record one leaf: the
comparison is made again inside the write transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docexchange.accounts.operators import hash_password, password_matches
from docexchange.config import LIST_SECTIONS, SECTIONS, Config, PostgresURL, secret_keys
from docexchange.evidence.canonical import canonical_json
from docexchange.store import evidence as sql
from docexchange.store.tx import Tx

if TYPE_CHECKING:
    from docexchange.hub import Hub

EVENT = "configuration_changed"


def flatten(config: Config) -> tuple[dict[str, Any], dict[str, str]]:
    """(ordinary values, secret values) by dotted key: `exchange.max_packet_bytes`,
    `upstream[0].endpoint`. Paths are shown relative to the configuration file, as written,
    so that the same file read from another folder is the same configuration."""
    base = config.path.parent if config.path else Path.cwd()
    secrets = secret_keys()
    values: dict[str, Any] = {}
    hidden: dict[str, str] = {}
    tables: list[tuple[str, Any]] = [(name, getattr(config, name)) for name in SECTIONS]
    for name in LIST_SECTIONS:
        tables += [(f"{name}[{i}]", item) for i, item in enumerate(getattr(config, name))]
    for prefix, table in tables:
        for f in dataclasses.fields(table):
            key, value = f"{prefix}.{f.name}", getattr(table, f.name)
            if f.name in secrets:
                hidden[key] = str(value)
            else:
                values[key] = _plain(value, base)
    return values, hidden


def _plain(value: Any, base: Path) -> Any:
    if isinstance(value, Path):
        return os.path.relpath(value, base)
    if isinstance(value, PostgresURL):  # its text without the password (never logged)
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v, base) for v in value]
    return value


def digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(values)).hexdigest()


def changed_keys(values: dict[str, Any], hidden: dict[str, str],
                 last: dict[str, Any] | None) -> list[str]:
    """Keys whose value differs from the last recorded configuration (every key when none
    was recorded). A secret is compared by its hash; an empty secret is recorded as null."""
    if last is None:
        return sorted([*values, *hidden])
    old_values, old_secrets = last.get("values", {}), last.get("secrets", {})
    changed = [k for k in {*values, *old_values} if values.get(k) != old_values.get(k)]
    for key in {*hidden, *old_secrets}:
        old, new = old_secrets.get(key), hidden.get(key, "")
        if (old is None) != (not new) or (old is not None and not password_matches(old, new)):
            changed.append(key)
    return sorted(changed)


def _last_recorded(conn: Tx) -> tuple[int, dict[str, Any]] | None:
    found = sql.latest_leaf_of_event_txn(conn, EVENT)
    return (found[0], json.loads(found[1])) if found else None


async def record_configuration(hub: Hub) -> int | None:
    """Append a `configuration_changed` leaf when the configuration differs from the last
    one recorded; returns its index, or None when nothing changed."""
    values, hidden = flatten(hub.config)
    last = await hub.db.read("last_configuration", _last_recorded)
    changed = await asyncio.to_thread(changed_keys, values, hidden, last[1] if last else None)
    if not changed:
        return None
    kept = last[1].get("secrets", {}) if last else {}
    hashes = await asyncio.to_thread(_secret_hashes, hidden, kept, changed)

    def txn(conn: Tx) -> int | None:
        now = _last_recorded(conn)
        if (now[0] if now else None) != (last[0] if last else None):
            return None  # another process recorded this start first
        return hub.evidence.append_txn(conn, EVENT, {
            "digest": digest(values), "previous_digest": last[1]["digest"] if last else None,
            "changed_keys": changed, "values": values, "secrets": hashes})
    result: int | None = await hub.db.write("record_configuration", txn)
    return result


def _secret_hashes(hidden: dict[str, str], kept: dict[str, str | None],
                   changed: list[str]) -> dict[str, str | None]:
    """argon2id of each set secret; an unchanged one keeps its recorded hash."""
    return {key: (kept.get(key) if key not in changed else
                  hash_password(value) if value else None)
            for key, value in sorted(hidden.items())}
