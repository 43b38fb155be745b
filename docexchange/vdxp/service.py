"""What the VDXP operations ask of the hub, in the protocol's terms, on the shared exchange.

One hub, two doors: documents and statuses enter through `accept_document`/`accept_status`,
leave through the same deliveries, fetches and acknowledgements as on the native API. A VDXP
docId is the hub's message id (a ULID: safe as a file name, the same for sender and
recipients, and the name the native CLI saves a packet under).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from docexchange.delivery import service as delivery
from docexchange.errors import DocExchangeError
from docexchange.exchange.status_intake import StatusOutcome
from docexchange.hub import Hub
from docexchange.store import messages as messages_store
from docexchange.store import vdxp as vdxp_store
from docexchange.store.tx import Tx
from docexchange.vdxp.wire import SAFE_DOC_ID

KINDS = {"edoc": "document", "status": "status"}
STATE_TEXT = {"pending": "Chờ nhận", "fetched": "Đã tải về", "received": "Đã đến",
              "registered": "Đã vào sổ", "assigned": "Đã phân công",
              "processing": "Đang xử lý", "completed": "Hoàn thành", "refused": "Từ chối",
              "recalled": "Đã thu hồi"}
TRANSPORT_EVENTS = {"fail": "transport_fail", "processing": "transport_processing"}


def kind_of(messagetype: str) -> str:
    if messagetype not in KINDS:
        raise DocExchangeError(
            "DX_BAD_REQUEST", f"messagetype phải là edoc hoặc status, không phải '{messagetype}'.",
            f"messagetype must be edoc or status, not '{messagetype}'.")
    return KINDS[messagetype]


def _local(hub: Hub, ts: int | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts / 1000, hub.config.zone).isoformat(timespec="seconds")


def strings(**fields: Any) -> dict[str, str]:
    """A list item: absent fields omitted (a JSON null makes the SDK drop the whole list)."""
    return {k: str(v) for k, v in fields.items() if v is not None}


async def received_items(hub: Hub, caller: str, messagetype: str) -> list[dict[str, str]]:
    rows = await vdxp_store.received(hub.db, caller, kind_of(messagetype),
                                     hub.config.vdxp.list_limit)
    return [strings(docId=r["message_id"], serviceType="eDoc", messageType=messagetype,
                    created_time=_local(hub, r["created_ts"]),
                    updated_time=_local(hub, r["updated_ts"]), to=caller,
                    status=r["state"], status_desc=STATE_TEXT.get(r["state"]),
                    **{"from": r["sender_id"]}) for r in rows]


def _doc_id(doc_id: str) -> str:
    if not SAFE_DOC_ID.fullmatch(doc_id):
        raise delivery.not_found("văn bản", doc_id[:64])
    return doc_id


async def edoc_base64(hub: Hub, caller: str, doc_id: str) -> str:
    data, _ = await delivery.fetch_document(hub.exchange, caller, _doc_id(doc_id))
    return base64.b64encode(data).decode("ascii")


async def confirm(hub: Hub, caller: str, doc_id: str, status: str) -> None:
    """`done` acknowledges (status 01 to the sender of a document; the item leaves the list);
    `fail` and `processing` go on the delivery's timeline, once each. Repeats answer alike."""
    row = await messages_store.delivery_for(hub.db, _doc_id(doc_id), caller)
    if row is None:
        raise delivery.not_found("văn bản", doc_id)
    if status == "done":
        await delivery.acknowledge(hub.exchange, caller, row["delivery_id"])
        hub.activity.note(caller, "ack")
        return
    if status not in TRANSPORT_EVENTS:
        raise DocExchangeError(
            "DX_BAD_REQUEST", f"status phải là done, fail hoặc processing, không phải '{status}'.",
            f"status must be done, fail or processing, not '{status}'.")
    event = TRANSPORT_EVENTS[status]

    def txn(conn: Tx) -> None:
        if vdxp_store.transport_event_txn(conn, row["delivery_id"], event, caller,
                                          hub.clock.now_ms()):
            hub.evidence.append_txn(conn, "delivery_transport_status", {
                "delivery_id": row["delivery_id"], "message_id": row["message_id"],
                "unit": caller, "status": status}, units=(caller,),
                message_id=row["message_id"])
    await hub.db.write("vdxp_transport_status", txn)


async def status_doc_id(hub: Hub, caller: str, outcome: StatusOutcome, sha256: str) -> str:
    """The DocId of a status packet: its stored message; for a repeat, the first one's."""
    if outcome.message_id is not None:
        return outcome.message_id
    related = await vdxp_store.delivery_message(hub.db, outcome.delivery_ids[0]) \
        if outcome.delivery_ids else None
    found = await vdxp_store.status_message_id(hub.db, caller, sha256, related,
                                               outcome.status_code)
    return found or ""


async def sent_items(hub: Hub, caller: str, doc_id: str) -> list[dict[str, str]]:
    rows = await vdxp_store.sent(hub.db, _doc_id(doc_id))
    if not rows or rows[0]["sender_id"] != caller:
        raise delivery.not_found("văn bản", doc_id)
    return [strings(
        serviceType="eDoc", messageType="edoc" if r["kind"] == "document" else "status",
        fromCode=r["sender_id"], toCode=r["recipient_id"], senderDocId=r["message_id"],
        receiverDocId=r["message_id"], title=r["subject"],
        notation=f"{r['code_number']}/{r['code_notation']}".strip("/") or None,
        sentTime=_local(hub, r["accepted_ts"]), receivedTime=_local(hub, r["acked_ts"]),
        sendStatus="sent", sendStatusDesc="Đã chuyển tới đơn vị nhận", receiveStatus=r["state"],
        receiveStatusDesc=STATE_TEXT.get(r["state"])) for r in rows]


def agencies(hub: Hub, *, all_units: bool) -> list[dict[str, Any]]:
    """getAgenciesList: the units valid today; getSynchronizeUnit: every unit, with `deleted`
    for the retired ones (their codes still resolve to successors)."""
    today = dt.datetime.now(hub.config.zone).date()
    items: list[dict[str, Any]] = []
    for u in sorted(hub.directory.all_units(), key=lambda u: u.organ_id):
        valid = u.is_valid_on(today)
        if not valid and not all_units:
            continue
        item: dict[str, Any] = strings(id=u.organ_id, pid=u.parent_id, code=u.organ_id,
                                       name=u.name, mail=u.email or None)
        if all_units:
            item.update(modifyDate=(u.valid_to or u.valid_from).isoformat(), version=1,
                        deleted=not valid, isAgency=True)
        items.append(item)
    return items
