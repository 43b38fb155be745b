"""What never changes about a delivery, remembered between a recipient's inbox, fetch and ack.

An ack needs the delivery's message fields (kind, sender, DocumentId, number) to build the
status 01 before its transaction; reading them cost a database round trip per ack although the
inbox listing or the fetch just read them. They are immutable (a message's fields never change,
and only a delivery's recipient can, when a reorganisation moves an unfetched one), so a copy
is safe to keep: the ack's transaction still checks the recipient on the row it updates, and
a miss here only means one read. Bounded: the table is emptied when full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeliveryFacts:
    recipient_id: str
    kind: str
    message_id: str
    sender_id: str
    document_id: str
    code_number: str | None
    code_notation: str | None

    def __getitem__(self, name: str) -> Any:  # read like the row it replaces
        return getattr(self, name)

    @classmethod
    def of(cls, row: Any, recipient_id: str) -> DeliveryFacts:
        return cls(recipient_id, row["kind"], row["message_id"], row["sender_id"],
                   row["document_id"], row["code_number"], row["code_notation"])


class DeliveryFactsCache:
    def __init__(self, max_entries: int = 50_000) -> None:
        self._max = max_entries
        self._facts: dict[str, DeliveryFacts] = {}

    def remember(self, delivery_id: str, facts: DeliveryFacts) -> None:
        if len(self._facts) >= self._max:
            self._facts.clear()
        self._facts[delivery_id] = facts

    def take(self, delivery_id: str) -> DeliveryFacts | None:
        """The facts, forgotten here: an acknowledged delivery is not acknowledged twice
        (a repeat reads the database, and is answered as a duplicate)."""
        return self._facts.pop(delivery_id, None)
