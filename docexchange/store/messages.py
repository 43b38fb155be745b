"""SQL for messages (documents and status packets), deliveries and their events."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docexchange.ids import new_ulid
from docexchange.store.engine import Database
from docexchange.store.multirow import insert_rows_txn
from docexchange.store.tx import Tx

MESSAGE_COLUMNS = ("message_id, kind, sender_id, document_id, business_type, sha256, size, "
                   "subject, code_number, code_notation, priority, due_date, status_code, "
                   "related_message_id, signer_key_id, signature, accepted_ts, recipients_json, "
                   "log_index")

_MESSAGE_COLUMN_NAMES = tuple(MESSAGE_COLUMNS.split(", "))


@dataclass(frozen=True)
class NewMessage:
    message_id: str
    kind: str
    sender_id: str
    document_id: str
    business_type: int
    sha256: str
    size: int
    subject: str
    code_number: str
    code_notation: str
    priority: int
    due_date: str | None
    status_code: str | None
    related_message_id: str | None
    signer_key_id: str | None
    signature: str                   # verified | absent | unverified (exchange/checks.py)
    accepted_ts: int
    recipients_json: str
    log_index: int | None = None     # its leaf, when the message has one (a document)

    def values(self) -> tuple[Any, ...]:
        """In the order of MESSAGE_COLUMNS."""
        return (self.message_id, self.kind, self.sender_id, self.document_id,
                self.business_type, self.sha256, self.size, self.subject, self.code_number,
                self.code_notation, self.priority, self.due_date, self.status_code,
                self.related_message_id, self.signer_key_id, self.signature, self.accepted_ts,
                self.recipients_json, self.log_index)

    def as_row(self) -> dict[str, Any]:
        """The row as `message_txn` would read it back (no read needed after the insert)."""
        return dict(zip(_MESSAGE_COLUMN_NAMES, self.values(), strict=True))


_INSERT_MESSAGE = (f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES "
                   "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


def insert_message_txn(conn: Tx, m: NewMessage) -> None:
    conn.execute(_INSERT_MESSAGE, m.values())


def insert_document_if_new_txn(conn: Tx, m: NewMessage) -> bool:
    """Insert a document unless (sender, DocumentId, business type) is stored already (the
    unique index `messages_document`); False for a repeat. The insert is the duplicate check:
    a first send costs no lookup."""
    return conn.execute(_INSERT_MESSAGE + " ON CONFLICT DO NOTHING", m.values()).rowcount == 1


def set_message_log_index_txn(conn: Tx, message_id: str, index: int) -> None:
    conn.execute("UPDATE messages SET log_index = ? WHERE message_id = ?", (index, message_id))


def insert_deliveries_txn(conn: Tx, message_id: str, recipients: Sequence[str],
                          priority: int, ts: int) -> list[dict[str, Any]]:
    """One pending delivery per recipient, in one statement; returns the rows as written,
    ordered by recipient as `deliveries_of_txn` orders them (the columns not written hold
    their defaults and are left out)."""
    rows = [{"delivery_id": new_ulid(), "message_id": message_id, "recipient_id": organ_id,
             "state": "pending", "priority": priority, "created_ts": ts, "updated_ts": ts}
            for organ_id in recipients]
    insert_rows_txn(conn, "INSERT INTO deliveries (delivery_id, message_id, recipient_id, "
                    "state, priority, created_ts, updated_ts) VALUES",
                    [tuple(row.values()) for row in rows])
    return sorted(rows, key=lambda row: row["recipient_id"])


def insert_created_events_txn(conn: Tx, events: Sequence[tuple[str, str, int, str]]) -> None:
    """'created' events, (delivery id, actor, time, note) each, in one statement."""
    insert_rows_txn(conn, "INSERT INTO delivery_events (delivery_id, event, actor_id, "
                    "created_ts, note) VALUES",
                    [(delivery_id, "created", actor, ts, note)
                     for delivery_id, actor, ts, note in events], "ON CONFLICT DO NOTHING")


def insert_event_txn(conn: Tx, delivery_id: str, event: str, actor_id: str,
                     ts: int, *, status_code: str = "", status_time: str = "",
                     message_id: str | None = None, note: str = "") -> bool:
    """Record one delivery event; False when the very same event was recorded before."""
    cursor = conn.execute(
        "INSERT INTO delivery_events (delivery_id, event, status_code, status_time, "
        "actor_id, message_id, note, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (delivery_id, event, status_code, status_time, actor_id, message_id, note, ts))
    return cursor.rowcount == 1


def find_document_txn(conn: Tx, sender_id: str, document_id: str,
                      business_type: int) -> Any:
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE kind = 'document' AND "
                            "sender_id = ? AND document_id = ? AND business_type = ?",
                            (sender_id, document_id, business_type)).fetchone()
    finally:
        conn.row_factory = None


def message_txn(conn: Tx, message_id: str) -> Any:
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE message_id = ?",
                            (message_id,)).fetchone()
    finally:
        conn.row_factory = None


def deliveries_of_txn(conn: Tx, message_id: str) -> list[Any]:
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute("SELECT * FROM deliveries WHERE message_id = ? ORDER BY "
                                 "recipient_id", (message_id,)))
    finally:
        conn.row_factory = None


def delivery_txn(conn: Tx, delivery_id: str) -> Any:
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT d.*, m.kind, m.sender_id, m.document_id, m.business_type "
                            "FROM deliveries d JOIN messages m USING (message_id) "
                            "WHERE d.delivery_id = ?", (delivery_id,)).fetchone()
    finally:
        conn.row_factory = None


def update_delivery_txn(conn: Tx, delivery_id: str, ts: int,
                        **changes: Any) -> None:
    sets = ", ".join(f"{column} = ?" for column in changes)
    conn.execute(f"UPDATE deliveries SET {sets}, updated_ts = ? WHERE delivery_id = ?",
                 (*changes.values(), ts, delivery_id))


def insert_refusal_txn(conn: Tx, refusal_id: str, sender_id: str, sha256: str,
                       code: str, elements: Sequence[str], ts: int) -> None:
    """A refusal names the elements at fault, never their values: the `reason` column holds
    the JSON list of element paths (the refused content must not be kept anywhere)."""
    conn.execute("INSERT INTO refusals (refusal_id, sender_id, sha256, code, reason, created_ts) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 (refusal_id, sender_id, sha256, code, json.dumps(list(elements)), ts))


def document_for_recipient_txn(conn: Tx, sender_id: str, document_id: str,
                               recipient_id: str, newest: bool) -> Any:
    """The document a recipient's status answers: the one `sender_id` sent to `recipient_id`
    under `document_id` (identity is sender + DocumentId, FIELD-PACKETS.md §4-5), never a
    packet of another sender that reused the DocumentId. `newest` picks that sender's latest
    packet (15/16 answer a recall or an update); otherwise the original comes first."""
    conn.row_factory = sqlite3.Row
    order = "m.accepted_ts DESC" if newest else "m.business_type ASC, m.accepted_ts ASC"
    try:
        return conn.execute(
            "SELECT m.message_id, m.sender_id, m.business_type, d.delivery_id, d.state "
            "FROM messages m JOIN deliveries d USING (message_id) WHERE m.kind = 'document' AND "
            "m.sender_id = ? AND m.document_id = ? AND d.recipient_id = ? "
            f"ORDER BY {order}, m.message_id LIMIT 1",
            (sender_id, document_id, recipient_id)).fetchone()
    finally:
        conn.row_factory = None


def delivered_to_txn(conn: Tx, document_id: str, recipient_id: str) -> bool:
    """True if some document with this DocumentId was delivered to the unit."""
    return conn.execute(
        "SELECT 1 FROM messages m JOIN deliveries d USING (message_id) WHERE m.kind = "
        "'document' AND m.document_id = ? AND d.recipient_id = ? LIMIT 1",
        (document_id, recipient_id)).fetchone() is not None


def document_of_sender_txn(conn: Tx, document_id: str, sender_id: str) -> Any:
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT message_id FROM messages WHERE kind = 'document' AND "
                            "document_id = ? AND sender_id = ? ORDER BY business_type ASC, "
                            "accepted_ts ASC LIMIT 1", (document_id, sender_id)).fetchone()
    finally:
        conn.row_factory = None


# -- reads ----------------------------------------------------------------------------------

async def message(db: Database, message_id: str) -> Any:
    return await db.fetchone(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE message_id = ?",
                             (message_id,))


async def message_for_reader(db: Database, message_id: str, reader: str) -> Any:
    """A message with, in one read, the reader's delivery of it (`reader_delivery_id` and
    `reader_state`, NULL when the reader is no recipient) and its bytes when stored inline
    (`inline_data`, NULL when they are in the blob store): what a fetch needs."""
    return await db.fetchone(
        f"SELECT {_M_COLUMNS}, d.delivery_id AS reader_delivery_id, d.state AS reader_state, "
        "p.data AS inline_data FROM messages m LEFT JOIN deliveries d ON d.message_id = "
        "m.message_id AND d.recipient_id = ? LEFT JOIN payloads p ON p.sha256 = m.sha256 "
        "WHERE m.message_id = ?", (reader, message_id))


_M_COLUMNS = ", ".join(f"m.{column.strip()}" for column in MESSAGE_COLUMNS.split(","))


_INBOX_COLUMNS = (
    "d.delivery_id, d.message_id, d.state, d.priority, m.kind, m.sender_id, "
    "m.document_id, m.business_type, m.status_code, m.subject, m.accepted_ts, m.sha256, "
    "m.size, m.related_message_id, m.code_number, m.code_notation")
_INBOX_ORDER = ("WHERE d.recipient_id = ? AND d.acked_ts IS NULL "
                "ORDER BY d.priority DESC, d.created_ts ASC, d.delivery_id ASC LIMIT ?")


async def inbox(db: Database, recipient_id: str, limit: int) -> list[Any]:
    return await db.fetchall(
        f"SELECT {_INBOX_COLUMNS} FROM deliveries d JOIN messages m USING (message_id) "
        f"{_INBOX_ORDER}", (recipient_id, limit))


async def inbox_with_packets(db: Database, recipient_id: str, limit: int,
                             up_to: int) -> list[Any]:
    """The inbox, each row with `inline_data`: the bytes of a packet of at most `up_to`
    bytes stored inline (NULL when larger, or when its bytes are in the blob store)."""
    return await db.fetchall(
        f"SELECT {_INBOX_COLUMNS}, p.data AS inline_data FROM deliveries d "
        "JOIN messages m USING (message_id) LEFT JOIN payloads p ON m.size <= ? AND "
        f"p.sha256 = m.sha256 {_INBOX_ORDER}", (up_to, recipient_id, limit))


async def deliveries_of(db: Database, message_id: str) -> list[Any]:
    return await db.fetchall("SELECT * FROM deliveries WHERE message_id = ? ORDER BY "
                             "recipient_id", (message_id,))


async def delivery_for(db: Database, message_id: str, recipient_id: str) -> Any:
    return await db.fetchone("SELECT * FROM deliveries WHERE message_id = ? AND "
                             "recipient_id = ?", (message_id, recipient_id))


async def events_of(db: Database, message_id: str) -> list[Any]:
    """Events of a message's deliveries. A status event's text is read from its status
    message (stored once, whatever the number of recipients); older rows kept their note."""
    return await db.fetchall(
        "SELECT e.delivery_id, e.event, e.status_code, e.status_time, e.actor_id, "
        "CASE WHEN e.note = '' AND s.kind = 'status' THEN s.subject ELSE e.note END AS note, "
        "s.signature AS signature, e.created_ts FROM delivery_events e "
        "JOIN deliveries d USING (delivery_id) LEFT JOIN messages s ON s.message_id = "
        "e.message_id WHERE d.message_id = ? ORDER BY e.event_id", (message_id,))


# -- moved from the services: the statements they ran themselves --------------------------

def status_seen_txn(conn: Tx, delivery_id: str, code: str, stamp: str) -> bool:
    """The same status (code and time) was already recorded on this delivery."""
    return conn.execute("SELECT 1 FROM delivery_events WHERE delivery_id = ? AND event = "
                        "'status' AND status_code = ? AND status_time = ?",
                        (delivery_id, code, stamp)).fetchone() is not None


def recall_seen_txn(conn: Tx, message_id: str, stamp: str) -> bool:
    """A recall (13) with this time was already recorded on a delivery of the message."""
    return conn.execute(
        "SELECT 1 FROM delivery_events e JOIN deliveries d USING (delivery_id) WHERE "
        "d.message_id = ? AND e.event = 'status' AND e.status_code = '13' AND e.status_time = ?",
        (message_id, stamp)).fetchone() is not None


def mark_fetched_txn(conn: Tx, delivery_id: str, ts: int) -> bool:
    """pending → fetched; False when the delivery was already past pending."""
    return conn.execute("UPDATE deliveries SET state = 'fetched', fetched_ts = ?, "
                        "updated_ts = ? WHERE delivery_id = ? AND state = 'pending'",
                        (ts, ts, delivery_id)).rowcount > 0


def mark_fetched_many_txn(conn: Tx, recipient_id: str, delivery_ids: Sequence[str],
                          ts: int) -> list[str]:
    """pending → fetched for each of `delivery_ids` still pending and still the recipient's
    (a reorganisation may have moved it since it was listed); returns those it changed. Two
    statements for the lot: the engine's writer lock keeps every other writer out between
    the read and the update."""
    changed: list[str] = []
    for start in range(0, len(delivery_ids), _IN_CHUNK):
        chunk = list(delivery_ids[start:start + _IN_CHUNK])
        marks = ", ".join("?" * len(chunk))
        pending = [row[0] for row in conn.execute(
            f"SELECT delivery_id FROM deliveries WHERE delivery_id IN ({marks}) AND "
            "state = 'pending' AND recipient_id = ?", (*chunk, recipient_id)).fetchall()]
        if pending:
            marks = ", ".join("?" * len(pending))
            conn.execute(f"UPDATE deliveries SET state = 'fetched', fetched_ts = ?, "
                         f"updated_ts = ? WHERE delivery_id IN ({marks}) AND "
                         "state = 'pending'", (ts, ts, *pending))
        changed += pending
    return changed


def insert_events_txn(conn: Tx, event: str, actor_id: str,
                      stamped: Sequence[tuple[str, int]]) -> None:
    """The same plain event (no status) on many deliveries, (delivery id, time) each, in one
    statement."""
    insert_rows_txn(conn, "INSERT INTO delivery_events (delivery_id, event, actor_id, "
                    "created_ts) VALUES", [(delivery_id, event, actor_id, ts)
                                           for delivery_id, ts in stamped],
                    "ON CONFLICT DO NOTHING")


def deliveries_many_txn(conn: Tx, delivery_ids: Sequence[str]) -> dict[str, Any]:
    """`delivery_txn` for many ids at once (one statement per 900), by delivery id."""
    found: dict[str, Any] = {}
    conn.row_factory = sqlite3.Row
    try:
        for start in range(0, len(delivery_ids), _IN_CHUNK):
            chunk = list(delivery_ids[start:start + _IN_CHUNK])
            marks = ", ".join("?" * len(chunk))
            for row in conn.execute(
                    "SELECT d.*, m.kind, m.sender_id, m.document_id, m.business_type FROM "
                    "deliveries d JOIN messages m USING (message_id) WHERE d.delivery_id "
                    f"IN ({marks})", chunk).fetchall():
                found[row["delivery_id"]] = row
    finally:
        conn.row_factory = None
    return found


#: ids per `IN (...)` list, under SQLite's oldest bound on bound parameters (999)
_IN_CHUNK = 900


async def deliveries_with_messages(db: Database, delivery_ids: Sequence[str]) -> list[Any]:
    """`delivery_with_message` for many ids, one read per 900."""
    rows: list[Any] = []
    for start in range(0, len(delivery_ids), _IN_CHUNK):
        chunk = list(delivery_ids[start:start + _IN_CHUNK])
        marks = ", ".join("?" * len(chunk))
        rows += await db.fetchall(
            "SELECT d.delivery_id, d.recipient_id, m.kind, m.message_id, m.sender_id, "
            "m.document_id, m.code_number, m.code_notation FROM deliveries d JOIN messages m "
            f"USING (message_id) WHERE d.delivery_id IN ({marks})", chunk)
    return rows


async def delivery_with_message(db: Database, delivery_id: str) -> Any:
    """A delivery's recipient with its message's kind, sender and document fields."""
    return await db.fetchone("SELECT d.recipient_id, m.kind, m.message_id, m.sender_id, "
                             "m.document_id, m.code_number, m.code_notation FROM deliveries "
                             "d JOIN messages m USING (message_id) WHERE d.delivery_id = ?",
                             (delivery_id,))


def insert_message_group_txn(conn: Tx, message_id: str, group_id: str,
                             members_json: str) -> None:
    """A group's expansion at send time, kept with the message."""
    conn.execute("INSERT INTO message_groups (message_id, group_id, members_json) "
                 "VALUES (?, ?, ?)", (message_id, group_id, members_json))
