"""A unit's connectivity status and the rule that names its state (docs/operations.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docexchange.accounts.activity import Activity
from docexchange.exchange.receipts import iso_ms
from docexchange.unit import Unit

STATES = ("connected", "idle", "disconnected", "never")


def classify(last_contact_ts: int | None, now: int, connected_window_s: int,
             stale_window_s: int) -> str:
    """connected: contact within the connected window; idle: within the stale window;
    disconnected: older; never: no authenticated contact yet. A contact "after" `now` (a fake
    clock in the past) counts as current."""
    if last_contact_ts is None:
        return "never"
    age_ms = now - last_contact_ts
    if age_ms <= connected_window_s * 1000:
        return "connected"
    if age_ms <= stale_window_s * 1000:
        return "idle"
    return "disconnected"


@dataclass(frozen=True)
class UnitStatus:
    organ_id: str
    name: str
    kind: str
    parent_id: str | None
    state: str
    first_contact_ts: int | None
    last_contact_ts: int | None
    last_send_ts: int | None
    last_poll_ts: int | None
    last_ack_ts: int | None
    backlog: int
    oldest_backlog_ts: int | None
    credential_expiry_ts: int | None

    @classmethod
    def build(cls, unit: Unit, state: str, activity: Activity | None, backlog: int,
              oldest_backlog_ts: int | None, credential_expiry_ts: int | None) -> UnitStatus:
        a = activity or Activity()
        return cls(unit.organ_id, unit.name, unit.kind, unit.parent_id, state,
                   a.first_contact_ts, a.last_contact_ts, a.last_send_ts, a.last_poll_ts,
                   a.last_ack_ts, backlog, oldest_backlog_ts, credential_expiry_ts)

    def to_json(self) -> dict[str, Any]:
        """API shape: times as ISO 8601 UTC (`*_at`), like the rest of the API."""
        return {"organ_id": self.organ_id, "name": self.name, "kind": self.kind,
                "parent": self.parent_id, "state": self.state,
                "first_contact_at": iso_ms(self.first_contact_ts),
                "last_contact_at": iso_ms(self.last_contact_ts),
                "last_send_at": iso_ms(self.last_send_ts),
                "last_poll_at": iso_ms(self.last_poll_ts),
                "last_ack_at": iso_ms(self.last_ack_ts), "backlog": self.backlog,
                "oldest_backlog_at": iso_ms(self.oldest_backlog_ts),
                "credential_expiry_at": iso_ms(self.credential_expiry_ts)}
