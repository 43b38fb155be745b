"""SQL for alerts (monitor/alerts.py): at most one open alert per (rule, subject)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docexchange.store.engine import Database
from docexchange.store.tx import Tx

COLUMNS = ("alert_id, rule, subject, organ_id, message_vi, message_en, details_json, raised_ts, "
           "closed_ts, notified_ts, notify_attempts, log_index")


def open_alerts_txn(conn: Tx) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(rule, subject) -> (alert_id, organ_id) of every open alert."""
    return {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(
        "SELECT rule, subject, alert_id, organ_id FROM alerts WHERE closed_ts IS NULL")}


def ever_raised_txn(conn: Tx, rule: str, subject: str) -> bool:
    return conn.execute("SELECT 1 FROM alerts WHERE rule = ? AND subject = ?",
                        (rule, subject)).fetchone() is not None


def insert_alert_txn(conn: Tx, alert_id: str, rule: str, subject: str,
                     organ_id: str | None, message_vi: str, message_en: str, details_json: str,
                     ts: int) -> bool:
    """False when another hub process opened the same alert first (the partial unique index)."""
    return conn.execute(
        "INSERT INTO alerts (alert_id, rule, subject, organ_id, message_vi, message_en, "
        "details_json, raised_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (alert_id, rule, subject, organ_id, message_vi, message_en, details_json, ts)
    ).rowcount == 1


def set_log_index_txn(conn: Tx, alert_id: str, index: int) -> None:
    conn.execute("UPDATE alerts SET log_index = ? WHERE alert_id = ?", (index, alert_id))


def close_alert_txn(conn: Tx, alert_id: str, ts: int) -> bool:
    return conn.execute("UPDATE alerts SET closed_ts = ? WHERE alert_id = ? AND closed_ts IS "
                        "NULL", (ts, alert_id)).rowcount == 1


def record_notifications_txn(conn: Tx, delivered: Sequence[str],
                             failed: Sequence[str], ts: int) -> None:
    conn.executemany("UPDATE alerts SET notified_ts = ?, notify_attempts = notify_attempts + 1 "
                     "WHERE alert_id = ?", [(ts, a) for a in delivered])
    conn.executemany("UPDATE alerts SET notify_attempts = notify_attempts + 1 WHERE "
                     "alert_id = ?", [(a,) for a in failed])


async def open_details(db: Database) -> dict[tuple[str, str], str]:
    """(rule, subject) -> details_json of every open alert."""
    return {(r[0], r[1]): r[2] for r in await db.fetchall(
        "SELECT rule, subject, details_json FROM alerts WHERE closed_ts IS NULL")}


async def open_keys(db: Database) -> set[tuple[str, str]]:
    return {(r["rule"], r["subject"]) for r in await db.fetchall(
        "SELECT rule, subject FROM alerts WHERE closed_ts IS NULL")}


async def unnotified(db: Database, limit: int) -> list[Any]:
    """Open alerts the webhook has not accepted yet, oldest first."""
    return await db.fetchall(f"SELECT {COLUMNS} FROM alerts WHERE closed_ts IS NULL AND "
                             "notified_ts IS NULL ORDER BY raised_ts, alert_id LIMIT ?",
                             (limit,))


async def alerts(db: Database, *, state: str | None, organ_id: str | None,
                 limit: int) -> list[Any]:
    where = ["1 = 1"]
    params: list[Any] = []
    if state == "open":
        where.append("closed_ts IS NULL")
    elif state == "closed":
        where.append("closed_ts IS NOT NULL")
    if organ_id is not None:
        where.append("organ_id = ?")
        params.append(organ_id)
    return await db.fetchall(f"SELECT {COLUMNS} FROM alerts WHERE {' AND '.join(where)} "
                             "ORDER BY raised_ts DESC, alert_id DESC LIMIT ?",
                             (*params, limit))


async def classified_refusals(db: Database, since: int) -> list[Any]:
    """Per sender: how many classified refusals since `since`, the first and the last."""
    return await db.fetchall("SELECT sender_id, COUNT(*) AS refusals, MIN(created_ts) AS "
                             "first_ts, MAX(created_ts) AS last_ts FROM refusals WHERE code = "
                             "'DX_CLASSIFIED' AND created_ts >= ? GROUP BY sender_id "
                             "ORDER BY sender_id", (since,))


def update_open_alert_txn(conn: Tx, alert_id: str, message_vi: str,
                          message_en: str, details_json: str) -> None:
    """A grouped alert counts on: same alert, same webhook notification, new figures."""
    conn.execute("UPDATE alerts SET message_vi = ?, message_en = ?, details_json = ? WHERE "
                 "alert_id = ? AND closed_ts IS NULL",
                 (message_vi, message_en, details_json, alert_id))


async def unemailed(db: Database, limit: int) -> list[Any]:
    """Open alerts not yet accepted by the SMTP server, oldest first."""
    return await db.fetchall(f"SELECT {COLUMNS} FROM alerts WHERE closed_ts IS NULL AND "
                             "emailed_ts IS NULL ORDER BY raised_ts, alert_id LIMIT ?",
                             (limit,))


def record_emails_txn(conn: Tx, sent: list[str], ts: int) -> None:
    conn.executemany("UPDATE alerts SET emailed_ts = ? WHERE alert_id = ?",
                     [(ts, a) for a in sent])
