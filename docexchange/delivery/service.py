"""Inbox, fetch, acknowledge and timeline: what a recipient (and a sender) does after a send.

A unit only ever sees its own deliveries: anything else is reported as not found (404), so
that probing cannot even tell whether a message exists.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from docexchange.errors import DocExchangeError
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.delivery_facts import DeliveryFacts
from docexchange.exchange.receipts import iso_ms
from docexchange.exchange.retired import check_within_grace
from docexchange.exchange.state_machine import is_received
from docexchange.exchange.status_messages import hub_arrival_packet, store_status_txn
from docexchange.store import messages as sql
from docexchange.store.tx import Tx

#: the English word of each thing `not_found` names in Vietnamese
_IN_ENGLISH = {"văn bản": "document", "lượt chuyển": "delivery"}


def not_found(what: str, ident: str) -> DocExchangeError:
    """``what`` in Vietnamese ("văn bản", "lượt chuyển"); the English sentence names it in
    English."""
    return DocExchangeError("DX_NOT_FOUND", f"Không tìm thấy {what} {ident}.",
                            f"No {_IN_ENGLISH[what]} {ident} for this unit.", id=ident)


def inbox_item(row: Any) -> dict[str, Any]:
    return {"delivery_id": row["delivery_id"], "message_id": row["message_id"],
            "kind": row["kind"], "sender": row["sender_id"], "document_id": row["document_id"],
            "business_type": row["business_type"] if row["kind"] == "document" else None,
            "status_code": row["status_code"], "subject": row["subject"],
            "priority": row["priority"], "state": row["state"],
            "accepted_at": iso_ms(row["accepted_ts"]), "sha256": row["sha256"],
            "size": row["size"], "related_message_id": row["related_message_id"]}


async def inbox(ctx: ExchangeContext, caller: str, wait: float, limit: int
                ) -> list[dict[str, Any]]:
    """Pending deliveries, urgent first; waits up to `wait` seconds for the first one."""
    rows = await pending_rows(ctx, caller, wait, lambda: sql.inbox(ctx.db, caller, limit))
    return [inbox_item(r) for r in rows]


async def pending_rows(ctx: ExchangeContext, caller: str, wait: float,
                       read: Callable[[], Awaitable[list[Any]]]) -> list[Any]:
    """`read()`'s inbox rows, waiting up to `wait` seconds for the first one (long poll)."""
    check_within_grace(ctx, caller)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        with ctx.notifier.listen(caller) as woken:
            rows = await read()
            remaining = deadline - loop.time()
            if rows or remaining <= 0:
                for row in rows:  # what the ack will need, without reading it again
                    ctx.delivery_facts.remember(row["delivery_id"],
                                                DeliveryFacts.of(row, caller))
                return rows
            try:
                await asyncio.wait_for(woken.wait(), min(remaining, 1.0))
            except TimeoutError:
                pass  # re-check the database: another hub process may have written


async def fetch_document(ctx: ExchangeContext, caller: str, message_id: str
                         ) -> tuple[bytes, Any]:
    """The sender's exact bytes, for the sender and the recipients only. One read brings the
    message, the caller's delivery and the inline bytes."""
    check_within_grace(ctx, caller)
    message = await sql.message_for_reader(ctx.db, message_id, caller)
    if message is None or (message["sender_id"] != caller and
                           message["reader_delivery_id"] is None):
        raise not_found("văn bản", message_id)
    inline = message["inline_data"]
    data = bytes(inline) if inline is not None else await ctx.payloads.get(message["sha256"])
    check_integrity(data, message["sha256"])
    delivery_id = message["reader_delivery_id"]
    if delivery_id is not None:
        ctx.delivery_facts.remember(delivery_id, DeliveryFacts.of(message, caller))
        if message["reader_state"] == "pending":
            await ctx.db.write("mark_fetched", lambda c: _fetched_txn(
                ctx, c, delivery_id, message_id, caller))
    return data, message


def check_integrity(data: bytes, sha256: str) -> None:
    """The stored bytes still hash to what was accepted; else a 500 that says nothing more."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DocExchangeError("DX_INTERNAL", "Dữ liệu lưu trữ bị hỏng.",
                               "Stored payload failed its integrity check.")


def _fetched_txn(ctx: ExchangeContext, conn: Tx, delivery_id: str, message_id: str,
                 caller: str) -> None:
    ts = ctx.clock.now_ms()
    changed = sql.mark_fetched_txn(conn, delivery_id, ts)
    if changed:
        sql.insert_event_txn(conn, delivery_id, "fetched", caller, ts)
        ctx.evidence.append_txn(conn, "delivery_fetched", {
            "delivery_id": delivery_id, "message_id": message_id,
            "unit": caller}, units=(caller,), message_id=message_id)


async def acknowledge(ctx: ExchangeContext, caller: str, delivery_id: str) -> dict[str, Any]:
    """Mark a delivery received; for a document the hub issues status 01 to its sender."""
    check_within_grace(ctx, caller)
    row: Any = ctx.delivery_facts.take(delivery_id)  # seen by this unit's inbox or fetch
    if row is None:
        row = await sql.delivery_with_message(ctx.db, delivery_id)
    if row is None or row["recipient_id"] != caller:
        raise not_found("lượt chuyển", delivery_id)
    arrival = arrival_status(ctx, caller, row)
    result, notify = await ctx.db.write("acknowledge", lambda c: ack_row_txn(
        ctx, c, caller, delivery_id, sql.delivery_txn(c, delivery_id), arrival))
    if result is None:  # the row's recipient is not (or no longer) the caller
        raise not_found("lượt chuyển", delivery_id)
    ctx.notify(notify)
    return result


def arrival_status(ctx: ExchangeContext, caller: str, row: Any) -> tuple[bytes, str] | None:
    """The status 01 packet (and its SHA-256) an ack of a document issues, built before the
    transaction: the writer thread only stores it."""
    if row["kind"] != "document":
        return None
    packet = hub_arrival_packet(ctx, caller, row)
    return packet, hashlib.sha256(packet).hexdigest()


def ack_row_txn(ctx: ExchangeContext, conn: Tx, caller: str, delivery_id: str, d: Any,
                arrival: tuple[bytes, str] | None, *,
                events: list[tuple[str, int]] | None = None
                ) -> tuple[dict[str, Any] | None, list[str]]:
    """Acknowledge the delivery row `d` (read in this transaction); None when it is not the
    caller's. Returns the answer and the units to wake. With `events`, the 'acknowledged'
    event is left to the caller (appended there: one INSERT for a batch)."""
    if d is None or d["recipient_id"] != caller:  # what was remembered is checked here
        return None, []
    if d["acked_ts"] is not None:
        return {"delivery_id": delivery_id, "state": d["state"],
                "acked_at": iso_ms(d["acked_ts"]), "duplicate": True}, []
    ts = ctx.clock.now_ms()
    state = d["state"] if is_received(d["state"]) else "received"
    changes: dict[str, Any] = {"acked_ts": ts, "state": state}
    notify: list[str] = []
    status_id = None
    if arrival is not None and not is_received(d["state"]):
        packet, sha = arrival
        ctx.payloads.stage_txn(conn, sha, packet, None)
        status_id = store_status_txn(ctx, conn, caller, d["document_id"], "01",
                                      d["message_id"], sha, len(packet), [d["sender_id"]],
                                      "Đã đến", "absent")
        changes.update(last_status_code="01", last_status_ts=ts)
        notify.append(d["sender_id"])
    sql.update_delivery_txn(conn, delivery_id, ts, **changes)  # one UPDATE for both
    if events is None:
        sql.insert_event_txn(conn, delivery_id, "acknowledged", caller, ts)
    else:
        events.append((delivery_id, ts))
    ctx.evidence.append_txn(conn, "delivery_acknowledged", {
        "delivery_id": delivery_id, "message_id": d["message_id"], "unit": caller,
        "status_message_id": status_id}, units=(caller, d["sender_id"]),
        message_id=d["message_id"])
    return {"delivery_id": delivery_id, "state": state, "acked_at": iso_ms(ts),
            "duplicate": False, "status_message_id": status_id}, notify


async def timeline(ctx: ExchangeContext, caller: str, message_id: str) -> dict[str, Any]:
    """Per recipient, every state with its time. The sender sees all; a recipient its own."""
    message = await sql.message(ctx.db, message_id)
    if message is None:
        raise not_found("văn bản", message_id)
    deliveries = await sql.deliveries_of(ctx.db, message_id)
    if message["sender_id"] != caller:
        deliveries = [d for d in deliveries if d["recipient_id"] == caller]
        if not deliveries:
            raise not_found("văn bản", message_id)
    return await _timeline_of(ctx, message, deliveries)


async def operator_timeline(ctx: ExchangeContext, message_id: str) -> dict[str, Any]:
    """The whole timeline, every recipient, for the province's operators (dashboard): the
    unit rule above is untouched, operators are authenticated by their own session."""
    message = await sql.message(ctx.db, message_id)
    if message is None:
        raise not_found("văn bản", message_id)
    return await _timeline_of(ctx, message, await sql.deliveries_of(ctx.db, message_id))


def _unit_at(ctx: ExchangeContext, organ_id: str, ts: int) -> dict[str, Any] | None:
    """Name, code and parent the unit had when the document was accepted (history keeps the
    names of the time, whatever reorganisations came later)."""
    day = dt.datetime.fromtimestamp(ts / 1000, ctx.config.zone).date()
    return ctx.directory.described_on(organ_id, day)


async def _timeline_of(ctx: ExchangeContext, message: Any, deliveries: list[Any]
                       ) -> dict[str, Any]:
    message_id = message["message_id"]
    events: dict[str, list[dict[str, Any]]] = {}
    for e in await sql.events_of(ctx.db, message_id):
        events.setdefault(e["delivery_id"], []).append({
            "event": e["event"], "status_code": e["status_code"] or None,
            "status_time": e["status_time"] or None, "at": iso_ms(e["created_ts"]),
            "actor": e["actor_id"], "note": e["note"], "signature": e["signature"]})
    return {"message_id": message_id, "document_id": message["document_id"],
            "kind": message["kind"], "sender": message["sender_id"],
            "signature": message["signature"], "signed_by": message["signer_key_id"],
            "deliveries": [{
                "delivery_id": d["delivery_id"], "recipient": d["recipient_id"],
                # a delivery that followed a reorganisation was addressed to routed_from
                "recipient_at_send": _unit_at(ctx, d["routed_from"] or d["recipient_id"],
                                              message["accepted_ts"]),
                "routed_from": d["routed_from"],
                "state": d["state"], "recall": d["recall"] or None,
                "fetched_at": iso_ms(d["fetched_ts"]), "acked_at": iso_ms(d["acked_ts"]),
                "last_status_code": d["last_status_code"],
                "events": events.get(d["delivery_id"], [])} for d in deliveries]}
