"""Document search for operators: parameterised SQL over messages, deliveries and units.

Every condition is optional and ANDed; text conditions match substrings (LIKE with escaped
wildcards), unit conditions match a code exactly or a unit name in part. Results are newest
first and bounded by `limit`; the caller asks for one more row to know whether there are more.
Metadata only: the payload is never read here.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Any

from docexchange.store.engine import Database
from docexchange.store.tx import Tx

MAX_LIMIT = 500


@dataclass(frozen=True)
class DocumentQuery:
    document_id: str = ""
    code: str = ""            # số/ký hiệu: matches "number/notation" in part
    sender: str = ""          # OrganId, or part of the unit's name
    recipient: str = ""       # OrganId, or part of the unit's name
    from_ts: int | None = None  # accepted at or after (UTC ms)
    until_ts: int | None = None  # accepted before (UTC ms)
    state: str = ""           # at least one delivery in this state
    limit: int = 100


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _unit_match(column: str, text: str) -> tuple[str, list[Any]]:
    clause = (f"({column} = ? OR {column} IN (SELECT organ_id FROM units WHERE name LIKE ? "
              "ESCAPE '\\'))")
    return clause, [text, _like(text)]


def _where(q: DocumentQuery) -> tuple[list[str], list[Any]]:
    clauses: list[str] = ["m.kind = 'document'"]
    params: list[Any] = []
    if q.document_id:
        clauses.append("m.document_id LIKE ? ESCAPE '\\'")
        params.append(_like(q.document_id))
    if q.code:
        clauses.append("(m.code_number || '/' || m.code_notation) LIKE ? ESCAPE '\\'")
        params.append(_like(q.code))
    if q.sender:
        clause, values = _unit_match("m.sender_id", q.sender)
        clauses.append(clause)
        params.extend(values)
    if q.recipient:
        clause, values = _unit_match("r.recipient_id", q.recipient)
        clauses.append(f"EXISTS (SELECT 1 FROM deliveries r WHERE r.message_id = m.message_id "
                       f"AND {clause})")
        params.extend(values)
    if q.from_ts is not None:
        clauses.append("m.accepted_ts >= ?")
        params.append(q.from_ts)
    if q.until_ts is not None:
        clauses.append("m.accepted_ts < ?")
        params.append(q.until_ts)
    if q.state:
        clauses.append("EXISTS (SELECT 1 FROM deliveries s WHERE s.message_id = m.message_id "
                       "AND s.state = ?)")
        params.append(q.state)
    return clauses, params


async def search_documents(db: Database, q: DocumentQuery) -> list[Any]:
    """Matching documents, newest first, with their recipient and received counts."""
    clauses, params = _where(q)
    limit = max(1, min(q.limit, MAX_LIMIT))
    return await db.fetchall(
        "SELECT m.message_id, m.document_id, m.code_number, m.code_notation, m.subject, "
        "m.sender_id, m.business_type, m.priority, m.accepted_ts, "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.message_id = m.message_id) AS recipients, "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.message_id = m.message_id AND "
        "d.state NOT IN ('pending', 'fetched')) AS received "
        f"FROM messages m WHERE {' AND '.join(clauses)} "
        "ORDER BY m.accepted_ts DESC, m.message_id DESC LIMIT ?", (*params, limit))


# -- free-text search: subjects (trích yếu) and numbers, accents and case ignored ----------

def fold(text: str | None) -> str:
    """Vietnamese text without its accents, in lower case: "Triển khai" -> "trien khai".

    đ/Đ is a letter of its own, not a base letter with a mark, so it is mapped by hand;
    NFD splits every other accented letter into its base and combining marks, which go.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_TEXT_SEARCH = (
    "SELECT m.message_id, m.document_id, m.code_number, m.code_notation, m.subject, "
    "m.sender_id, m.priority, m.accepted_ts, "
    "(SELECT COUNT(*) FROM deliveries d WHERE d.message_id = m.message_id) AS recipients, "
    "(SELECT COUNT(*) FROM deliveries d WHERE d.message_id = m.message_id AND "
    "d.state NOT IN ('pending', 'fetched')) AS received "
    "FROM messages m WHERE m.kind = 'document' AND {words} "
    "ORDER BY m.accepted_ts DESC, m.message_id DESC LIMIT ?")


async def search_text(db: Database, words: str, limit: int = 100) -> list[Any]:
    """Documents whose subject or số/ký hiệu contains every word of `words`, accents and
    case ignored, newest first.

    Neither engine folds Vietnamese accents by itself. On SQLite the folding function is
    registered on the read connection for this one query; on PostgreSQL (no extension
    assumed) the same `fold` runs here over the documents' texts, newest first, stopping at
    `limit` matches. Both are scans, fine at a province's volume; a folded, indexed column
    is the step after."""
    terms = [fold(w) for w in words.split() if fold(w)]
    if not terms:
        return []
    bound = max(1, min(limit, MAX_LIMIT))
    if db.engine == "postgresql":
        return await db.read("search_documents_text", lambda tx: _scan_folded(tx, terms, bound))
    clause = " AND ".join(
        "instr(dx_fold(m.subject || ' ' || m.code_number || '/' || m.code_notation), ?) > 0"
        for _ in terms)
    sql = _TEXT_SEARCH.format(words=clause)

    def run(conn: sqlite3.Connection) -> list[Any]:
        conn.create_function("dx_fold", 1, fold, deterministic=True)
        cursor = conn.cursor()
        cursor.row_factory = sqlite3.Row  # this cursor only: the pooled connection stays
        return list(cursor.execute(sql, (*terms, bound)).fetchall())
    return await db.read("search_documents_text", run)


_SCAN_CHUNK = 1000


def _scan_folded(tx: Tx, terms: list[str], bound: int) -> list[Any]:
    """The rows of `_TEXT_SEARCH` whose folded text holds every term, found in Python."""
    found: list[str] = []
    before: tuple[int, str] | None = None
    while len(found) < bound:
        after = "AND (m.accepted_ts, m.message_id) < (?, ?) " if before else ""
        chunk = tx.execute(
            "SELECT m.message_id, m.accepted_ts, m.subject || ' ' || m.code_number || '/' || "
            f"m.code_notation FROM messages m WHERE m.kind = 'document' {after}"
            "ORDER BY m.accepted_ts DESC, m.message_id DESC LIMIT ?",
            (*(before or ()), _SCAN_CHUNK)).fetchall()
        for message_id, _, text in chunk:
            folded = fold(text)
            if all(term in folded for term in terms):
                found.append(message_id)
        if len(chunk) < _SCAN_CHUNK:
            break
        before = (chunk[-1][1], chunk[-1][0])
    if not found:
        return []
    found = found[:bound]
    marks = ", ".join("?" for _ in found)
    sql = _TEXT_SEARCH.format(words=f"m.message_id IN ({marks})")
    return list(tx.execute(sql, (*found, bound)).fetchall())
