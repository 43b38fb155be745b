"""The receipt a sender keeps: what the hub accepted, when, and where it sits in the log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def iso_ms(ts: int | None) -> str | None:
    """UTC milliseconds → ISO 8601 with milliseconds (API timestamps)."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts / 1000, dt.UTC).isoformat(timespec="milliseconds")


def document_receipt(row: Any, deliveries: list[Any]) -> dict[str, Any]:
    """Built from stored rows only, so a repeated send returns exactly the first receipt."""
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
        "log_index": row["log_index"],
    }
