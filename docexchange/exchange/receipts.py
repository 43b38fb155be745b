"""The receipt a sender keeps: what the hub accepted, when, and where it sits in the log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from docexchange.errors import DocExchangeError
from docexchange.evidence.proofs import receipt_proof
from docexchange.store import messages as sql
from docexchange.store.engine import Database


def iso_ms(ts: int | None) -> str | None:
    """UTC milliseconds → ISO 8601 with milliseconds (API timestamps)."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts / 1000, dt.UTC).isoformat(timespec="milliseconds")


def document_receipt(row: Any, deliveries: list[Any],
                     evidence: dict[str, Any] | None = None) -> dict[str, Any]:
    """Built from stored rows only, so a repeated send returns the first receipt; only the
    evidence part (``LeafProof.to_json()``: leaf, leaf_index, inclusion_proof, tree_head)
    is fresh, proving the same leaf against a newer signed head."""
    resolution = json.loads(row["recipients_json"])
    return {
        "message_id": row["message_id"],
        "document_id": row["document_id"],
        "business_type": row["business_type"],
        "sha256": row["sha256"],
        "size": row["size"],
        "accepted_at": iso_ms(row["accepted_ts"]),
        "recipients": [{"organ_id": d["recipient_id"], "delivery_id": d["delivery_id"]}
                       for d in deliveries],
        "routing": resolution,
        "related_message_id": row["related_message_id"],
        "signed_by": row["signer_key_id"],
        "signature": row["signature"],
        "log_index": row["log_index"],
        **(evidence or {}),
    }


async def stored_receipt(db: Database, caller: str, message_id: str) -> dict[str, Any]:
    """The receipt of a message again, with a fresh proof against the latest signed head.

    Only the sender and the recipients may have it; for anyone else the message does not
    exist (DX_NOT_FOUND), as everywhere else in the API.
    """
    row = await sql.message(db, message_id)
    deliveries = await sql.deliveries_of(db, message_id) if row else []
    if row is None or (row["sender_id"] != caller
                       and caller not in {d["recipient_id"] for d in deliveries}):
        raise DocExchangeError("DX_NOT_FOUND", f"Không tìm thấy văn bản {message_id}.",
                               f"No message {message_id} for this unit.", id=message_id)
    if row["log_index"] is None:
        raise DocExchangeError("DX_NOT_FOUND", "Văn bản này không có biên nhận.",
                               "This message has no receipt.", id=message_id)
    proof = await receipt_proof(db, row["log_index"], same_batch=False)
    return document_receipt(row, deliveries, proof.to_json())
