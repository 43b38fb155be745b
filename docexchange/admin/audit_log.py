"""Reading the evidence log for people: its events filtered for the audit page, and the
export run inside one read snapshot for the API, the dashboard and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from docexchange.evidence.export import ExportScope, Progress, Record, export_records
from docexchange.store import monitor as sql
from docexchange.store.tx import Tx

if TYPE_CHECKING:
    from docexchange.hub import Hub

T = TypeVar("T")


async def log_events(hub: Hub, *, organ_id: str | None, event: str | None,
                     from_ts: int | None, until_ts: int | None, limit: int) -> list[Any]:
    """Leaves newest first, filtered by a unit they concern, their kind and
    [from_ts, until_ts)."""
    return await sql.log_events(hub.db, organ_id=organ_id, event=event, from_ts=from_ts,
                                until_ts=until_ts, limit=limit)


async def log_event_kinds(hub: Hub) -> list[str]:
    """Every kind of event the log holds, for the audit page's filter."""
    return await sql.log_event_kinds(hub.db)


async def run_export(hub: Hub, scope: ExportScope, consume: Callable[[Iterator[Record]], T],
                     progress: Progress | None = None) -> T:
    """Hand the export's records, in order, to `consume` (a writer) inside one read
    transaction, so the export is one consistent state of the log; stamped with the hub's
    clock."""
    created_ts = hub.clock.now_ms()

    def read(conn: Tx) -> T:
        return consume(export_records(conn, scope, created_ts, progress))
    return await hub.db.read("audit_export", read)
