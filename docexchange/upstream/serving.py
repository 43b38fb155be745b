"""Packets crossing between hubs, in both directions, through the normal exchange.

`relay_in` takes a packet another hub brings (a [[downstream]] through the relay API, or an
[[upstream]] through our poller): the hub may only bring packets From codes it serves and
never From our own units; the packet is then accepted exactly as if its sender had sent it
here (same checks, evidence, receipts, routing), with the sender's OrganId as the caller.
The held_* functions are what a downstream hub polls: deliveries to the codes it serves.
"""

from __future__ import annotations

from typing import Any

from docexchange.delivery.service import inbox_item, not_found
from docexchange.edxml.model import DocumentPacket
from docexchange.errors import DocExchangeError
from docexchange.exchange.accept import accept_document
from docexchange.exchange.incoming import RequestBody
from docexchange.exchange.relay_routes import RELAY_ORIGIN
from docexchange.exchange.status_intake import accept_status
from docexchange.hub import Hub
from docexchange.store import messages as msql
from docexchange.store import relay as sql
from docexchange.store.tx import Tx


def _not_served(hub_name: str, code: str) -> DocExchangeError:
    return DocExchangeError(
        "DX_SENDER_MISMATCH",
        f"Hệ thống {hub_name} không được chuyển tiếp gói tin của đơn vị {code}.",
        f"Hub {hub_name} may not relay packets from unit {code}.",
        errors=[{"element": "From/OrganId", "value": code}])


async def relay_in(hub: Hub, hub_name: str, body: RequestBody) -> tuple[dict[str, Any], bool]:
    """Accept one relayed packet; returns (receipt or status outcome, duplicate)."""
    packet = (await hub.exchange.inspect(body)).packet
    document = isinstance(packet, DocumentPacket)
    sender = packet.sender_id if isinstance(packet, DocumentPacket) else packet.from_.organ_id
    if not hub.exchange.relay_routes.speaks_for(hub_name, sender):
        raise _not_served(hub_name, sender)
    token = RELAY_ORIGIN.set(hub_name)
    try:
        if document:
            accepted = await accept_document(hub.exchange, sender, body)
            return {**accepted.receipt, "duplicate": accepted.duplicate}, accepted.duplicate
        outcome = await accept_status(hub.exchange, sender, body)
        return outcome.to_json(), outcome.duplicate
    finally:
        RELAY_ORIGIN.reset(token)


def downstream_of(hub: Hub, account: str) -> str:
    """The [[downstream]] hub an authenticated account is; others are forbidden here."""
    name = hub.exchange.relay_routes.downstream_account(account)
    if name is None:
        raise DocExchangeError("DX_FORBIDDEN", "Tài khoản này không phải một hệ thống chuyển "
                               "tiếp ([[downstream]]).", "This account is not a relaying hub "
                               "([[downstream]]).")
    return name


async def held_for(hub: Hub, name: str, limit: int) -> list[dict[str, Any]]:
    routes = hub.exchange.relay_routes
    rows = await sql.remote_pending(hub.db, max(limit * 4, 200))
    found = [r for r in rows if routes.downstream_for(r["recipient_id"]) == name][:limit]
    items = []
    for r in found:
        item = inbox_item({**dict(r), "priority": 0, "accepted_ts": r["created_ts"],
                           "business_type": 0, "related_message_id": None})
        items.append({**item, "recipient": r["recipient_id"]})
    return items


async def fetch_held(hub: Hub, name: str, message_id: str) -> tuple[bytes, Any]:
    routes = hub.exchange.relay_routes
    message = await msql.message(hub.db, message_id)
    codes = await sql.remote_recipients(hub.db, message_id) if message else []
    if message is None or not any(routes.downstream_for(c) == name for c in codes):
        raise not_found("văn bản", message_id)
    return await hub.exchange.payloads.get(message["sha256"]), message


async def ack_held(hub: Hub, name: str, delivery_id: str) -> dict[str, Any]:
    """The downstream hub stored the packet: the delivery leaves its list ('relayed')."""
    row = await sql.remote_delivery(hub.db, delivery_id)
    if row is None or hub.exchange.relay_routes.downstream_for(row["recipient_id"]) != name:
        raise not_found("lượt chuyển", delivery_id)

    def txn(conn: Tx) -> bool:
        ts = hub.clock.now_ms()
        if not msql.insert_event_txn(conn, delivery_id, "relayed", name, ts,
                                     note=f"taken by downstream hub {name}"):
            return True
        sql.mark_handed_over_txn(conn, delivery_id, ts, acked=True)
        hub.evidence.append_txn(conn, "relayed_downstream", {
            "delivery_id": delivery_id, "message_id": row["message_id"], "hub": name,
            "recipient": row["recipient_id"]}, units=(), message_id=row["message_id"])
        return False
    duplicate = await hub.db.write("relay_ack", txn)
    return {"delivery_id": delivery_id, "state": "relayed", "duplicate": duplicate}
