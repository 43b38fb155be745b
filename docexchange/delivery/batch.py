"""The inbox in batches: packets in the listing, and many acknowledgements in one request.

Per document, a recipient costs the hub three requests (inbox share, fetch, ack) and two
write transactions (fetched, acknowledged), each waiting for a group commit. A DMS that takes
its inbox with `packets=inline` and acknowledges with one `POST /deliveries/ack` costs two
requests and two transactions per *listing*, whatever the number of documents in it (as a
queue's ReceiveMessage with MaxNumberOfMessages and DeleteMessageBatch). Both keep the
per-document semantics exactly: the same state changes, events and evidence leaves, the same
status 01 to each sender, a unit only ever sees its own deliveries.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from docexchange.delivery.service import (
    ack_row_txn,
    arrival_status,
    check_integrity,
    inbox_item,
    pending_rows,
)
from docexchange.errors import DocExchangeError
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.delivery_facts import DeliveryFacts
from docexchange.exchange.retired import check_within_grace
from docexchange.store import messages as sql
from docexchange.store.tx import Tx

#: most delivery ids in one batch acknowledgement (one transaction holds them all)
MAX_ACK_BATCH = 1000


async def inbox_with_packets(ctx: ExchangeContext, caller: str, wait: float, limit: int
                             ) -> list[dict[str, Any]]:
    """The inbox; each item whose packet is at most `exchange.inbox_inline_packet_bytes`
    carries its exact bytes (`packet`, base64), checked against the stored SHA-256 first.
    Those still pending are marked fetched in ONE write transaction (event and evidence leaf
    each, as a fetch does) before the answer; they stay listed until acknowledged. A packet
    failing its check fails the whole listing (DX_INTERNAL) with nothing marked."""
    up_to = ctx.config.exchange.inbox_inline_packet_bytes
    rows = await pending_rows(ctx, caller, wait, lambda: sql.inbox_with_packets(
        ctx.db, caller, limit, up_to))
    items: list[dict[str, Any]] = []
    handed: list[tuple[str, str]] = []  # (delivery id, message id) of pending ones
    for row in rows:
        item = inbox_item(row)
        if row["size"] <= up_to:
            data = await _packet_of(ctx, row)
            item["packet"] = base64.b64encode(data).decode("ascii")
            if row["state"] == "pending":
                handed.append((row["delivery_id"], row["message_id"]))
                item["state"] = "fetched"
        items.append(item)
    if handed:
        await ctx.db.write("mark_fetched_many", lambda c: _fetched_many_txn(
            ctx, c, caller, handed))
    return items


async def _packet_of(ctx: ExchangeContext, row: Any) -> bytes:
    inline = row["inline_data"]
    data = bytes(inline) if inline is not None else await ctx.payloads.get(row["sha256"])
    check_integrity(data, row["sha256"])
    return data


def _fetched_many_txn(ctx: ExchangeContext, conn: Tx, caller: str,
                      handed: Sequence[tuple[str, str]]) -> None:
    ts = ctx.clock.now_ms()
    message_of = dict(handed)
    changed = sql.mark_fetched_many_txn(conn, caller, list(message_of), ts)
    sql.insert_events_txn(conn, "fetched", caller, [(i, ts) for i in changed])
    for delivery_id in changed:
        ctx.evidence.append_txn(conn, "delivery_fetched", {
            "delivery_id": delivery_id, "message_id": message_of[delivery_id],
            "unit": caller}, units=(caller,), message_id=message_of[delivery_id])


def ack_ids(body: Any) -> list[str]:
    """The `delivery_ids` of a batch acknowledgement's JSON body, or DX_BAD_REQUEST."""
    ids = body.get("delivery_ids") if isinstance(body, dict) else None
    if (not isinstance(ids, list) or not 1 <= len(ids) <= MAX_ACK_BATCH
            or not all(isinstance(i, str) and 0 < len(i) <= 200 for i in ids)):
        raise DocExchangeError(
            "DX_BAD_REQUEST",
            "Nội dung phải là {\"delivery_ids\": [...]} với 1 đến "
            f"{MAX_ACK_BATCH} mã lượt chuyển (chuỗi).",
            f"The body must be {{\"delivery_ids\": [...]}} with 1 to {MAX_ACK_BATCH} delivery "
            "ids (strings).", errors=[{"field": "delivery_ids", "reason": "1 to "
                                       f"{MAX_ACK_BATCH} non-empty strings"}])
    return ids


async def acknowledge_many(ctx: ExchangeContext, caller: str, delivery_ids: Sequence[str]
                           ) -> list[dict[str, Any]]:
    """Acknowledge every delivery of `delivery_ids` in ONE write transaction; one result per
    id, in request order: the single ack's answer, or `error` (DX_NOT_FOUND) for an id that
    is not the caller's delivery (whether it exists for another unit is not told). A repeated
    id is answered as the duplicate it is. Senders are woken as by single acks."""
    check_within_grace(ctx, caller)
    unique = list(dict.fromkeys(delivery_ids))
    facts = await _facts(ctx, caller, unique)
    arrivals = {i: arrival_status(ctx, caller, row) for i, row in facts.items()}
    answers, notify = await ctx.db.write("acknowledge_many", lambda c: _ack_many_txn(
        ctx, c, caller, list(arrivals), arrivals))
    ctx.notify(notify)
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    for delivery_id in delivery_ids:
        answer = answers.get(delivery_id)
        if answer is None:
            results.append(_not_found_item(delivery_id))
        elif delivery_id in seen:
            results.append({"delivery_id": delivery_id, "state": answer["state"],
                            "acked_at": answer["acked_at"], "duplicate": True})
        else:
            results.append(answer)
        seen.add(delivery_id)
    return results


async def _facts(ctx: ExchangeContext, caller: str, ids: list[str]) -> dict[str, Any]:
    """What each ack needs before its transaction: remembered by the inbox, else one read for
    all the others. Ids that are not the caller's are left out (the transaction re-checks
    the rest on their rows)."""
    facts: dict[str, Any] = {}
    missing = []
    for delivery_id in ids:
        row = ctx.delivery_facts.take(delivery_id)
        if row is None:
            missing.append(delivery_id)
        else:
            facts[delivery_id] = row
    if missing:
        for row in await sql.deliveries_with_messages(ctx.db, missing):
            facts[row["delivery_id"]] = DeliveryFacts.of(row, row["recipient_id"])
    return {i: row for i, row in facts.items() if row["recipient_id"] == caller}


def _ack_many_txn(ctx: ExchangeContext, conn: Tx, caller: str, ids: list[str],
                  arrivals: dict[str, tuple[bytes, str] | None]
                  ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    rows = sql.deliveries_many_txn(conn, ids)
    answers: dict[str, dict[str, Any]] = {}
    notify: list[str] = []
    events: list[tuple[str, int]] = []  # one INSERT for all: no round trip per ack
    for delivery_id in ids:
        answer, woken = ack_row_txn(ctx, conn, caller, delivery_id, rows.get(delivery_id),
                                    arrivals[delivery_id], events=events)
        if answer is not None:
            answers[delivery_id] = answer
            notify += woken
    sql.insert_events_txn(conn, "acknowledged", caller, events)
    return answers, notify


def _not_found_item(delivery_id: str) -> dict[str, Any]:
    error = DocExchangeError("DX_NOT_FOUND", f"Không tìm thấy lượt chuyển {delivery_id}.",
                             f"No delivery {delivery_id} for this unit.")
    return {"delivery_id": delivery_id, "error": {
        "code": error.code, "status": error.status, "detail_vi": error.message_vi,
        "detail_en": error.message_en}}
