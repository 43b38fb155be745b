"""Free-text document search for operators: the words of a subject (trích yếu) or a number,
accents and case ignored ("trien khai" finds "triển khai"). Backs GET /api/v1/ops/documents
and the dashboard's search box; metadata only, never a body."""

from __future__ import annotations

from typing import Any

from docexchange.exchange.receipts import iso_ms
from docexchange.hub import Hub
from docexchange.store import messages as messages_store
from docexchange.store.search import DocumentQuery, search_documents, search_text

__all__ = ["DocumentQuery", "document_metadata", "find_documents", "search_by_fields"]

MAX_WORDS_CHARS = 200


async def find_documents(hub: Hub, words: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Documents containing every word, newest first (at most `limit`)."""
    rows = await search_text(hub.db, words[:MAX_WORDS_CHARS], limit)
    return [_item(hub, r) for r in rows]


def _item(hub: Hub, r: Any) -> dict[str, Any]:
    sender = hub.directory.get(r["sender_id"])
    return {"message_id": r["message_id"], "document_id": r["document_id"],
            "code": f"{r['code_number']}/{r['code_notation']}", "subject": r["subject"],
            "sender": r["sender_id"], "sender_name": sender.name if sender else r["sender_id"],
            "priority": r["priority"], "accepted_at": iso_ms(r["accepted_ts"]),
            "accepted_ts": r["accepted_ts"], "recipients": r["recipients"],
            "received": r["received"]}


async def search_by_fields(hub: Hub, query: DocumentQuery) -> list[Any]:
    """The dashboard's detailed search (document id, number, sender, days, words)."""
    return await search_documents(hub.db, query)


async def document_metadata(hub: Hub, message_id: str) -> Any:
    """A stored message's metadata row (never its body), or None."""
    return await messages_store.message(hub.db, message_id)
