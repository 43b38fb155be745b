"""SQL for the operations views: unit activity, backlogs, late and overdue deliveries,
credential expiry, KPI snapshots and metric counts (docs/operations.md).

Functions ending in `_txn` run inside a write transaction; the others read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docexchange.store.engine import Database
from docexchange.store.tx import Tx

_ACTIVITY = ("first_contact_ts", "last_contact_ts", "last_send_ts", "last_poll_ts",
             "last_ack_ts")


def _keep(column: str, wins: str) -> str:
    """Portable "keep the earlier/later non-null value" (no MIN/MAX scalar differences)."""
    return (f"{column} = CASE WHEN excluded.{column} IS NOT NULL AND (unit_activity.{column} "
            f"IS NULL OR excluded.{column} {wins} unit_activity.{column}) THEN "
            f"excluded.{column} ELSE unit_activity.{column} END")


_UPSERT_ACTIVITY = (
    f"INSERT INTO unit_activity (organ_id, {', '.join(_ACTIVITY)}) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (organ_id) DO UPDATE SET "
    + ", ".join([_keep(_ACTIVITY[0], "<")] + [_keep(c, ">") for c in _ACTIVITY[1:]]))


def upsert_activity_txn(conn: Tx, rows: Sequence[tuple[Any, ...]]) -> None:
    """rows: (organ_id, first_contact, last_contact, last_send, last_poll, last_ack)."""
    conn.executemany(_UPSERT_ACTIVITY, rows)


async def activity_rows(db: Database) -> list[Any]:
    return await db.fetchall(f"SELECT organ_id, {', '.join(_ACTIVITY)} FROM unit_activity")


# -- backlogs and credentials, per unit ------------------------------------------------------

async def backlog_by_unit(db: Database) -> list[Any]:
    """Unacknowledged deliveries (documents and status packets, as the inbox shows them)."""
    return await db.fetchall(
        "SELECT recipient_id, COUNT(*) AS backlog, MIN(created_ts) AS oldest_ts "
        "FROM deliveries WHERE acked_ts IS NULL GROUP BY recipient_id")


async def credential_expiry_by_unit(db: Database, now: int) -> list[Any]:
    """Earliest expiry among each unit's usable API keys and signing certificates."""
    return await db.fetchall(
        "SELECT organ_id, MIN(expires) AS expiry_ts FROM ("
        " SELECT organ_id, expires_ts AS expires FROM api_keys WHERE revoked_ts IS NULL"
        "  AND expires_ts IS NOT NULL AND expires_ts > ?"
        " UNION ALL SELECT organ_id, not_after_ts FROM unit_certificates"
        "  WHERE revoked_ts IS NULL AND not_after_ts > ?) AS c GROUP BY organ_id", (now, now))


async def expiring_credentials(db: Database, until: int) -> list[Any]:
    """Unrevoked API keys and certificates expiring before `until` (expired ones included)."""
    return await db.fetchall(
        "SELECT 'api_key' AS credential, key_id, organ_id, expires_ts FROM api_keys"
        " WHERE revoked_ts IS NULL AND expires_ts IS NOT NULL AND expires_ts < ?"
        " UNION ALL SELECT 'certificate', key_id, organ_id, not_after_ts FROM unit_certificates"
        " WHERE revoked_ts IS NULL AND not_after_ts < ? ORDER BY expires_ts, key_id",
        (until, until))


async def active_api_keys(db: Database, organ_id: str) -> list[Any]:
    return await db.fetchall("SELECT key_id, created_ts, expires_ts FROM api_keys WHERE "
                             "organ_id = ? AND revoked_ts IS NULL ORDER BY created_ts",
                             (organ_id,))


# -- deliveries ----------------------------------------------------------------------------

_DELIVERY = ("SELECT d.delivery_id, d.message_id, m.kind, m.document_id, m.sender_id, "
             "d.recipient_id, m.subject, d.priority, d.state, d.created_ts, d.acked_ts, "
             "m.due_date FROM deliveries d JOIN messages m USING (message_id) ")


async def deliveries_created(db: Database, start: int, end: int) -> list[Any]:
    """Document deliveries created in [start, end): the KPIs' deliveries of a day."""
    return await db.fetchall(
        "SELECT d.recipient_id, d.created_ts, d.acked_ts FROM deliveries d JOIN messages m "
        "USING (message_id) WHERE m.kind = 'document' AND d.created_ts >= ? AND "
        "d.created_ts < ?", (start, end))


async def documents_accepted(db: Database, start: int, end: int) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM messages WHERE kind = 'document' AND "
                            "accepted_ts >= ? AND accepted_ts < ?", (start, end))
    return int(row[0]) if row else 0


async def unacked_older_than(db: Database, before: int, limit: int) -> list[Any]:
    """Unacknowledged deliveries created before `before`: the most urgent first (hỏa tốc
    before thường), the oldest first within one urgency."""
    return await db.fetchall(_DELIVERY + "WHERE d.acked_ts IS NULL AND d.created_ts < ? "
                             "ORDER BY d.priority DESC, d.created_ts, d.delivery_id LIMIT ?",
                             (before, limit))


async def unacked_counts(db: Database, before: int) -> tuple[int, int]:
    """(every unacknowledged delivery, those of them created before `before`), uncapped."""
    row = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN created_ts < ? THEN 1 ELSE 0 END), 0) "
        "FROM deliveries WHERE acked_ts IS NULL", (before,))
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def not_acked_by(db: Database, start: int, end: int, by: int, limit: int) -> list[Any]:
    """Document deliveries created in [start, end) with no acknowledgement before `by`."""
    return await db.fetchall(
        _DELIVERY + "WHERE m.kind = 'document' AND d.created_ts >= ? AND d.created_ts < ? "
        "AND (d.acked_ts IS NULL OR d.acked_ts >= ?) ORDER BY d.created_ts, d.delivery_id "
        "LIMIT ?", (start, end, by, limit))


async def overdue_deliveries(db: Database, today: str, limit: int) -> list[Any]:
    """Document deliveries whose DueDate (local yyyy-mm-dd) is before `today` and whose
    recipient has not completed (06) it; refused and recalled deliveries are closed."""
    return await db.fetchall(
        _DELIVERY + "WHERE m.kind = 'document' AND m.due_date IS NOT NULL AND m.due_date < ? "
        "AND d.state NOT IN ('completed', 'refused', 'recalled') "
        "ORDER BY m.due_date, d.created_ts, d.delivery_id LIMIT ?", (today, limit))


async def overdue_by_unit(db: Database, today: str) -> list[Any]:
    """Counts of overdue_deliveries() per recipient (for the KPIs)."""
    return await db.fetchall(
        "SELECT d.recipient_id, COUNT(*) AS overdue FROM deliveries d JOIN messages m USING "
        "(message_id) WHERE m.kind = 'document' AND m.due_date IS NOT NULL AND m.due_date < ? "
        "AND d.state NOT IN ('completed', 'refused', 'recalled') GROUP BY d.recipient_id",
        (today,))


async def documents_in(db: Database, organ_id: str, limit: int) -> list[Any]:
    return await db.fetchall(
        "SELECT d.delivery_id, m.message_id, m.document_id, m.subject, m.sender_id AS "
        "counterpart, m.accepted_ts, d.state FROM deliveries d JOIN messages m USING "
        "(message_id) WHERE d.recipient_id = ? AND m.kind = 'document' "
        "ORDER BY m.accepted_ts DESC, d.delivery_id DESC LIMIT ?", (organ_id, limit))


async def documents_out(db: Database, organ_id: str, limit: int) -> list[Any]:
    return await db.fetchall(
        "SELECT d.delivery_id, m.message_id, m.document_id, m.subject, d.recipient_id AS "
        "counterpart, m.accepted_ts, d.state FROM messages m JOIN deliveries d USING "
        "(message_id) WHERE m.sender_id = ? AND m.kind = 'document' "
        "ORDER BY m.accepted_ts DESC, d.delivery_id DESC LIMIT ?", (organ_id, limit))


# -- snapshots -----------------------------------------------------------------------------

def upsert_snapshot_txn(conn: Tx, day: str,
                        payloads: Sequence[tuple[str, str]], ts: int) -> None:
    """payloads: (scope, JSON) pairs, all of one local day; the newest snapshot wins."""
    conn.executemany(
        "INSERT INTO kpi_snapshots (day, scope, payload_json, taken_ts) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (day, scope) DO UPDATE SET payload_json = excluded.payload_json, "
        "taken_ts = excluded.taken_ts", [(day, scope, body, ts) for scope, body in payloads])


async def snapshots(db: Database, scope: str, first_day: str, last_day: str) -> list[Any]:
    return await db.fetchall("SELECT day, payload_json, taken_ts FROM kpi_snapshots WHERE "
                             "scope = ? AND day >= ? AND day <= ? ORDER BY day",
                             (scope, first_day, last_day))


async def has_snapshot(db: Database, day: str) -> bool:
    return await db.fetchone("SELECT 1 FROM kpi_snapshots WHERE day = ? AND scope = "
                             "'overall'", (day,)) is not None


# -- metric counts -------------------------------------------------------------------------

async def metric_counts(db: Database) -> dict[str, list[Any]]:
    """Aggregates only: no unit, document or key appears in a metric."""
    return {
        "documents": await db.fetchall("SELECT COUNT(*) FROM messages WHERE kind = 'document'"),
        "refusals": await db.fetchall("SELECT code, COUNT(*) FROM refusals GROUP BY code "
                                      "ORDER BY code"),
        "states": await db.fetchall("SELECT state, COUNT(*) FROM deliveries GROUP BY state "
                                    "ORDER BY state"),
        "backlog": await db.fetchall("SELECT COUNT(*), MIN(created_ts) FROM deliveries "
                                     "WHERE acked_ts IS NULL"),
    }


# -- reports ---------------------------------------------------------------------------------

async def documents_sent_by_unit(db: Database) -> dict[str, int]:
    rows = await db.fetchall("SELECT sender_id, COUNT(*) FROM messages WHERE kind = 'document' "
                             "GROUP BY sender_id")
    return {r[0]: int(r[1]) for r in rows}


async def document_deliveries(db: Database) -> list[Any]:
    """(recipient_id, created_ts, acked_ts) of every document delivery: received counts and
    same-day acknowledgement per unit (the day test needs the province's zone, so Python)."""
    return await db.fetchall(
        "SELECT d.recipient_id, d.created_ts, d.acked_ts FROM deliveries d JOIN messages m "
        "USING (message_id) WHERE m.kind = 'document'")


async def document_report_rows(db: Database, start: int, end: int) -> list[Any]:
    """One row per document accepted in [start, end) and recipient, in order of acceptance."""
    return await db.fetchall(
        "SELECT m.accepted_ts, m.document_id, m.code_number, m.code_notation, m.subject, "
        "m.priority, m.due_date, m.sender_id, d.recipient_id, d.routed_from, d.state, "
        "d.fetched_ts, d.acked_ts FROM messages m JOIN deliveries d USING (message_id) "
        "WHERE m.kind = 'document' AND m.accepted_ts >= ? AND m.accepted_ts < ? "
        "ORDER BY m.accepted_ts, m.message_id, d.recipient_id", (start, end))


# -- the audit page's event browser ---------------------------------------------------------

async def log_events(db: Database, *, organ_id: str | None, event: str | None,
                     from_ts: int | None, until_ts: int | None, limit: int) -> list[Any]:
    """Evidence log leaves, newest first, filtered by a unit they concern, their kind and
    [from_ts, until_ts)."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if organ_id:
        where.append("units LIKE ? ESCAPE '\\'")
        escaped = organ_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%,{escaped},%")
    if event:
        where.append("event = ?")
        params.append(event)
    if from_ts is not None:
        where.append("created_ts >= ?")
        params.append(from_ts)
    if until_ts is not None:
        where.append("created_ts < ?")
        params.append(until_ts)
    return await db.fetchall(
        "SELECT leaf_index, event, units, message_id, created_ts, data FROM log_leaves WHERE "
        f"{' AND '.join(where)} ORDER BY leaf_index DESC LIMIT ?", (*params, limit))


async def log_event_kinds(db: Database) -> list[str]:
    return [r[0] for r in await db.fetchall("SELECT DISTINCT event FROM log_leaves ORDER BY "
                                            "event")]
