"""SQL for units, aliases, credentials, certificates and groups.

Functions ending in `_txn` run inside a write transaction (see Database.write); the others
read through the read connections.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from docexchange.store.engine import Database
from docexchange.store.tx import Tx
from docexchange.unit import Unit

_UNIT_COLUMNS = ("organ_id, name, kind, parent_id, valid_from, valid_to, successor_id, "
                 "organization_in_charge, address, email, telephone, fax, website, placeholder")


def _unit_row(u: Unit) -> tuple[Any, ...]:
    return (u.organ_id, u.name, u.kind, u.parent_id, u.valid_from.isoformat(),
            u.valid_to.isoformat() if u.valid_to else None, u.successor_id,
            u.organization_in_charge, u.address, u.email, u.telephone, u.fax, u.website,
            1 if u.placeholder else 0)


def upsert_unit_txn(conn: Tx, unit: Unit, ts: int) -> bool:
    """Insert or update a unit and its aliases at `ts`; returns True when it is new."""
    existed = conn.execute("SELECT 1 FROM units WHERE organ_id = ?",
                           (unit.organ_id,)).fetchone() is not None
    conn.execute(
        f"INSERT INTO units ({_UNIT_COLUMNS}, created_ts, updated_ts) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (organ_id) DO UPDATE SET "
        "name=excluded.name, kind=excluded.kind, parent_id=excluded.parent_id, "
        "valid_from=excluded.valid_from, valid_to=excluded.valid_to, "
        "successor_id=excluded.successor_id, "
        "organization_in_charge=excluded.organization_in_charge, address=excluded.address, "
        "email=excluded.email, telephone=excluded.telephone, fax=excluded.fax, "
        "website=excluded.website, placeholder=excluded.placeholder, "
        "updated_ts=excluded.updated_ts",
        (*_unit_row(unit), ts, ts))
    conn.execute("DELETE FROM unit_aliases WHERE organ_id = ?", (unit.organ_id,))
    conn.executemany("INSERT INTO unit_aliases (alias, organ_id) VALUES (?, ?) "
                     "ON CONFLICT (alias) DO UPDATE SET organ_id = excluded.organ_id",
                     [(a, unit.organ_id) for a in unit.aliases])
    conn.execute("DELETE FROM unit_successors WHERE organ_id = ?", (unit.organ_id,))
    conn.executemany("INSERT INTO unit_successors (organ_id, successor_id) VALUES (?, ?)",
                     [(unit.organ_id, s) for s in unit.all_successors])
    return not existed


async def directory_version(db: Database) -> tuple[int, ...]:
    """Changes whenever units, aliases or groups change (also from another process)."""
    row = await db.fetchone(
        "SELECT (SELECT COALESCE(MAX(updated_ts), 0) FROM units), (SELECT COUNT(*) FROM "
        "unit_aliases), (SELECT COALESCE(MAX(created_ts), 0) FROM unit_groups), (SELECT "
        "COUNT(*) FROM unit_group_members), (SELECT COUNT(*) FROM unit_groups), (SELECT "
        "COUNT(*) FROM unit_successors), (SELECT COUNT(*) FROM unit_versions)")
    return tuple(row) if row else ()


async def load_units(db: Database) -> list[Unit]:
    aliases: dict[str, list[str]] = {}
    for row in await db.fetchall("SELECT alias, organ_id FROM unit_aliases ORDER BY alias"):
        aliases.setdefault(row["organ_id"], []).append(row["alias"])
    successors: dict[str, list[str]] = {}
    for row in await db.fetchall("SELECT organ_id, successor_id FROM unit_successors "
                                 "ORDER BY organ_id, successor_id"):
        successors.setdefault(row["organ_id"], []).append(row["successor_id"])
    rows = await db.fetchall(f"SELECT {_UNIT_COLUMNS} FROM units ORDER BY organ_id")
    return [_unit_from_row(row, aliases.get(row["organ_id"], []),
                           successors.get(row["organ_id"], [])) for row in rows]


def _unit_from_row(row: Any, aliases: list[str], successors: list[str] | None = None) -> Unit:
    return Unit(
        organ_id=row["organ_id"], name=row["name"], kind=row["kind"],
        parent_id=row["parent_id"], valid_from=dt.date.fromisoformat(row["valid_from"]),
        valid_to=dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
        successor_id=row["successor_id"], aliases=tuple(aliases),
        organization_in_charge=row["organization_in_charge"], address=row["address"],
        email=row["email"], telephone=row["telephone"], fax=row["fax"], website=row["website"],
        successors=tuple(successors or ()), placeholder=bool(row["placeholder"]))


# -- versions (name, kind and parent before a change) -----------------------------------

def insert_version_txn(conn: Tx, organ_id: str, valid_from: dt.date,
                       valid_to: dt.date, name: str, kind: str, parent_id: str | None,
                       plan_id: str | None) -> None:
    conn.execute("INSERT INTO unit_versions (organ_id, valid_from, valid_to, name, kind, "
                 "parent_id, plan_id) VALUES (?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (organ_id, valid_from) DO UPDATE SET valid_to = excluded.valid_to, "
                 "name = excluded.name, kind = excluded.kind, parent_id = excluded.parent_id, "
                 "plan_id = excluded.plan_id",
                 (organ_id, valid_from.isoformat(), valid_to.isoformat(), name, kind,
                  parent_id, plan_id))


async def load_versions(db: Database) -> list[Any]:
    return await db.fetchall("SELECT organ_id, valid_from, valid_to, name, kind, parent_id "
                             "FROM unit_versions ORDER BY organ_id, valid_from")


# -- API keys -----------------------------------------------------------------------------

def insert_api_key_txn(conn: Tx, key_id: str, organ_id: str,
                       secret_hash: str, ts: int, expires_ts: int | None = None) -> None:
    conn.execute("INSERT INTO api_keys (key_id, organ_id, secret_hash, created_ts, expires_ts) "
                 "VALUES (?, ?, ?, ?, ?)", (key_id, organ_id, secret_hash, ts, expires_ts))


def active_api_key_ids_txn(conn: Tx, organ_id: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT key_id FROM api_keys WHERE organ_id = ? AND "
                                       "revoked_ts IS NULL ORDER BY key_id", (organ_id,))]


def revoke_api_keys_txn(conn: Tx, organ_id: str, ts: int) -> int:
    return conn.execute("UPDATE api_keys SET revoked_ts = ? WHERE organ_id = ? AND "
                        "revoked_ts IS NULL", (ts, organ_id)).rowcount


async def find_api_key(db: Database, key_id: str) -> Any:
    return await db.fetchone("SELECT key_id, organ_id, secret_hash, expires_ts, revoked_ts "
                             "FROM api_keys WHERE key_id = ?", (key_id,))


async def list_api_keys(db: Database) -> list[Any]:
    return await db.fetchall("SELECT key_id, organ_id, created_ts, expires_ts, revoked_ts "
                             "FROM api_keys ORDER BY organ_id, created_ts")


# -- unit signing certificates -------------------------------------------------------------

def insert_certificate_txn(conn: Tx, key_id: str, organ_id: str, pem: str,
                           not_before_ts: int, not_after_ts: int, ts: int) -> None:
    conn.execute("INSERT INTO unit_certificates (key_id, organ_id, pem, not_before_ts, "
                 "not_after_ts, created_ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                 (key_id, organ_id, pem, not_before_ts, not_after_ts, ts))


async def certificate_validity(db: Database) -> list[Any]:
    """Every signing certificate's key id, unit, validity and revocation: what the in-memory
    cache of registered key ids holds (accounts/signing_keys.py)."""
    return await db.fetchall("SELECT key_id, organ_id, not_before_ts, not_after_ts, revoked_ts "
                             "FROM unit_certificates")


async def certificates_version(db: Database) -> tuple[int, int, int]:
    """Changes whenever a certificate is registered or revoked: rows, revoked rows and the
    latest registration time. One small aggregate, read instead of the whole table."""
    row = await db.fetchone("SELECT COUNT(*), COUNT(revoked_ts), COALESCE(MAX(created_ts), 0) "
                            "FROM unit_certificates")
    return (int(row[0]), int(row[1]), int(row[2])) if row is not None else (0, 0, 0)


async def unit_certificates(db: Database, organ_id: str | None = None) -> list[Any]:
    where, params = ("WHERE organ_id = ?", (organ_id,)) if organ_id else ("", ())
    return await db.fetchall("SELECT key_id, organ_id, pem, not_before_ts, not_after_ts, "
                             f"revoked_ts FROM unit_certificates {where} ORDER BY organ_id",
                             params)


# -- groups ---------------------------------------------------------------------------------

def upsert_group_txn(conn: Tx, group_id: str, name: str, description: str,
                     members: list[str], rule_kind: str | None, rule_parent: str | None,
                     ts: int) -> None:
    conn.execute("INSERT INTO unit_groups (group_id, name, description, rule_kind, rule_parent,"
                 " created_ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (group_id) DO UPDATE SET "
                 "name=excluded.name, description=excluded.description, "
                 "rule_kind=excluded.rule_kind, rule_parent=excluded.rule_parent",
                 (group_id, name, description, rule_kind, rule_parent, ts))
    conn.execute("DELETE FROM unit_group_members WHERE group_id = ?", (group_id,))
    conn.executemany("INSERT INTO unit_group_members (group_id, organ_id) VALUES (?, ?)",
                     [(group_id, m) for m in members])


async def load_groups(db: Database) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for row in await db.fetchall("SELECT group_id, name, description, rule_kind, rule_parent "
                                 "FROM unit_groups ORDER BY group_id"):
        groups[row["group_id"]] = {"group_id": row["group_id"], "name": row["name"],
                                   "description": row["description"], "members": [],
                                   "rule_kind": row["rule_kind"],
                                   "rule_parent": row["rule_parent"]}
    for row in await db.fetchall("SELECT group_id, organ_id FROM unit_group_members "
                                 "ORDER BY organ_id"):
        groups[row["group_id"]]["members"].append(row["organ_id"])
    return groups


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- unit client certificates (mTLS) --------------------------------------------------------

def insert_client_cert_txn(conn: Tx, fingerprint: str, organ_id: str,
                           subject: str, not_after_ts: int, ts: int) -> None:
    conn.execute("INSERT INTO unit_client_certs (fingerprint, organ_id, subject, not_after_ts, "
                 "created_ts) VALUES (?, ?, ?, ?, ?)",
                 (fingerprint, organ_id, subject, not_after_ts, ts))


def revoke_client_cert_txn(conn: Tx, fingerprint: str, ts: int) -> int:
    return conn.execute("UPDATE unit_client_certs SET revoked_ts = ? WHERE fingerprint = ? AND "
                        "revoked_ts IS NULL", (ts, fingerprint)).rowcount


async def find_client_cert(db: Database, fingerprint: str) -> Any:
    return await db.fetchone("SELECT fingerprint, organ_id, not_after_ts, revoked_ts FROM "
                             "unit_client_certs WHERE fingerprint = ?", (fingerprint,))


async def list_client_certs(db: Database) -> list[Any]:
    return await db.fetchall("SELECT fingerprint, organ_id, subject, not_after_ts, revoked_ts "
                             "FROM unit_client_certs ORDER BY organ_id, created_ts")


# -- contacts (whom operators call at a unit) ----------------------------------------------

def upsert_contact_txn(conn: Tx, organ_id: str, person: str, phone: str,
                       email: str, ts: int, by: str) -> None:
    conn.execute(
        "INSERT INTO unit_contacts (organ_id, person, phone, email, updated_ts, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (organ_id) DO UPDATE SET "
        "person = excluded.person, phone = excluded.phone, email = excluded.email, "
        "updated_ts = excluded.updated_ts, updated_by = excluded.updated_by",
        (organ_id, person, phone, email, ts, by))


async def contact(db: Database, organ_id: str) -> Any:
    return await db.fetchone("SELECT organ_id, person, phone, email, updated_ts, updated_by "
                             "FROM unit_contacts WHERE organ_id = ?", (organ_id,))


async def contacts(db: Database) -> dict[str, Any]:
    rows = await db.fetchall("SELECT organ_id, person, phone, email FROM unit_contacts")
    return {r["organ_id"]: r for r in rows}
