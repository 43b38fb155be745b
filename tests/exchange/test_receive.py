"""Receiving: inbox order and long-poll, ack → status 01, statuses and their state machine,
isolation between units, concurrent acks and statuses."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document, status

OTHER = "000.00.02.H45"  # a department that is neither sender nor recipient


async def _send(client: TestClient, env: HubEnv, sender: str, data: bytes) -> dict[str, Any]:
    resp = await client.post("/api/v1/documents", data=data, headers={**env.auth(sender), **XML})
    body = await resp.json()
    assert resp.status == 202, body
    return dict(body)


async def _inbox(client: TestClient, env: HubEnv, unit: str, wait: int = 0) -> list[Any]:
    resp = await client.get(f"/api/v1/inbox?wait={wait}", headers=env.auth(unit))
    assert resp.status == 200
    return list((await resp.json())["items"])


async def _status(client: TestClient, env: HubEnv, unit: str, data: bytes) -> Any:
    return await client.post("/api/v1/statuses", data=data, headers={**env.auth(unit), **XML})


def _delivery(receipt: dict[str, Any], unit: str) -> str:
    return next(r["delivery_id"] for r in receipt["recipients"] if r["organ_id"] == unit)


async def test_inbox_puts_urgent_first(client: TestClient, hub_env: HubEnv) -> None:
    normal = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    urgent = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU], priority=3))
    items = await _inbox(client, hub_env, SO_NOI_VU)
    assert [i["message_id"] for i in items] == [urgent["message_id"], normal["message_id"]]
    assert items[0]["kind"] == "document" and items[0]["priority"] == 3


async def test_long_poll_answers_when_a_document_arrives(client: TestClient,
                                                         hub_env: HubEnv) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    waiting = asyncio.create_task(_inbox(client, hub_env, SO_NOI_VU, wait=20))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    items = await asyncio.wait_for(waiting, 10)
    assert [i["message_id"] for i in items] == [receipt["message_id"]]
    assert loop.time() - started < 10


async def test_long_poll_returns_empty_after_wait(client: TestClient, hub_env: HubEnv) -> None:
    assert await _inbox(client, hub_env, SO_NOI_VU, wait=1) == []
    resp = await client.get("/api/v1/inbox?wait=-1", headers=hub_env.auth(SO_NOI_VU))
    assert resp.status == 400 and (await resp.json())["code"] == "DX_BAD_REQUEST"


async def test_ack_issues_status_01_to_the_sender(client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    delivery = _delivery(receipt, SO_NOI_VU)
    resp = await client.post(f"/api/v1/deliveries/{delivery}/ack", headers=hub_env.auth(SO_NOI_VU))
    body = await resp.json()
    assert resp.status == 200 and body["state"] == "received" and not body["duplicate"]
    assert await _inbox(client, hub_env, SO_NOI_VU) == []
    sender_items = await _inbox(client, hub_env, PROVINCE)
    assert [(i["kind"], i["status_code"], i["sender"]) for i in sender_items] == [
        ("status", "01", SO_NOI_VU)]
    packet = await (await client.get(f"/api/v1/documents/{sender_items[0]['message_id']}",
                                     headers=hub_env.auth(PROVINCE))).read()
    assert b"<edXML:StatusCode>01</edXML:StatusCode>" in packet
    again = await (await client.post(f"/api/v1/deliveries/{delivery}/ack",
                                     headers=hub_env.auth(SO_NOI_VU))).json()
    assert again["duplicate"] is True
    assert len(await _inbox(client, hub_env, PROVINCE)) == 1


async def test_recipients_own_01_and_the_ack_count_once(client: TestClient,
                                                        hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    own = status(SO_NOI_VU, PROVINCE, receipt["document_id"], "01")
    assert (await _status(client, hub_env, SO_NOI_VU, own)).status == 202
    await client.post(f"/api/v1/deliveries/{_delivery(receipt, SO_NOI_VU)}/ack",
                      headers=hub_env.auth(SO_NOI_VU))
    later = status(SO_NOI_VU, PROVINCE, receipt["document_id"], "01",
                   dt.datetime(2026, 11, 28, 11, 0))
    assert (await (await _status(client, hub_env, SO_NOI_VU, later)).json())["duplicate"]
    codes = [i["status_code"] for i in await _inbox(client, hub_env, PROVINCE)]
    assert codes == ["01"]


async def test_business_statuses_route_to_the_sender_and_build_a_timeline(
        client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU, SONG_HINH]))
    doc_id = receipt["document_id"]
    await client.post(f"/api/v1/deliveries/{_delivery(receipt, SO_NOI_VU)}/ack",
                      headers=hub_env.auth(SO_NOI_VU))
    for hour, code in ((11, "03"), (12, "05"), (13, "06")):
        resp = await _status(client, hub_env, SO_NOI_VU, status(
            SO_NOI_VU, PROVINCE, doc_id, code, dt.datetime(2026, 11, 28, hour)))
        assert resp.status == 202, await resp.json()
    repeat = await _status(client, hub_env, SO_NOI_VU, status(
        SO_NOI_VU, PROVINCE, doc_id, "06", dt.datetime(2026, 11, 28, 13)))
    assert repeat.status == 200 and (await repeat.json())["duplicate"] is True
    codes = [i["status_code"] for i in await _inbox(client, hub_env, PROVINCE)]
    assert codes == ["01", "03", "05", "06"]
    timeline = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                       headers=hub_env.auth(PROVINCE))).json()
    by_unit = {d["recipient"]: d for d in timeline["deliveries"]}
    assert by_unit[SO_NOI_VU]["state"] == "completed"
    assert [e["status_code"] or e["event"] for e in by_unit[SO_NOI_VU]["events"]] == [
        "created", "acknowledged", "03", "05", "06"]
    assert by_unit[SONG_HINH]["state"] == "pending"


async def test_illegal_transition_is_409(client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    doc_id = receipt["document_id"]
    await _status(client, hub_env, SO_NOI_VU, status(SO_NOI_VU, PROVINCE, doc_id, "05"))
    back = await _status(client, hub_env, SO_NOI_VU, status(
        SO_NOI_VU, PROVINCE, doc_id, "03", dt.datetime(2026, 11, 28, 12)))
    assert back.status == 409 and (await back.json())["code"] == "DX_BAD_TRANSITION"
    stray = await _status(client, hub_env, SO_NOI_VU, status(
        SO_NOI_VU, PROVINCE, doc_id, "15", dt.datetime(2026, 11, 28, 12)))
    assert stray.status == 409


async def test_refused_document_is_closed(client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    doc_id = receipt["document_id"]
    refused = await _status(client, hub_env, SO_NOI_VU, status(
        SO_NOI_VU, PROVINCE, doc_id, "02", note="Gửi nhầm đơn vị"))
    assert refused.status == 202
    later = await _status(client, hub_env, SO_NOI_VU, status(
        SO_NOI_VU, PROVINCE, doc_id, "05", dt.datetime(2026, 11, 28, 12)))
    assert later.status == 409


async def test_recall_goes_to_every_recipient_and_can_be_accepted(
        client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU, SONG_HINH]))
    doc_id = receipt["document_id"]
    not_sender = await _status(client, hub_env, SO_NOI_VU,
                               status(SO_NOI_VU, PROVINCE, doc_id, "13"))
    refused = await not_sender.json()
    assert not_sender.status == 403 and refused["code"] == "DX_FORBIDDEN"
    assert "Only the original sender may recall" in refused["detail_en"]
    assert "Chỉ đơn vị gửi văn bản gốc mới được thu hồi" in refused["detail_vi"]
    recall = await _status(client, hub_env, PROVINCE, status(PROVINCE, PROVINCE, doc_id, "13"))
    assert recall.status == 202, await recall.json()
    for unit in (SO_NOI_VU, SONG_HINH):
        items = await _inbox(client, hub_env, unit)
        assert ("status", "13") in [(i["kind"], i["status_code"]) for i in items]
    accept = await _status(client, hub_env, SO_NOI_VU, status(
        SO_NOI_VU, PROVINCE, doc_id, "15", dt.datetime(2026, 11, 28, 12)))
    assert accept.status == 202
    timeline = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                       headers=hub_env.auth(PROVINCE))).json()
    states = {d["recipient"]: (d["state"], d["recall"]) for d in timeline["deliveries"]}
    assert states[SO_NOI_VU] == ("recalled", "accepted")
    assert states[SONG_HINH] == ("pending", "requested")


async def test_status_for_a_document_not_delivered_to_the_unit(client: TestClient,
                                                               hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    resp = await _status(client, hub_env, OTHER,
                         status(OTHER, PROVINCE, receipt["document_id"], "03"))
    assert resp.status == 422 and (await resp.json())["code"] == "DX_UNKNOWN_REFERENCE"
    spoof = await _status(client, hub_env, OTHER,
                          status(SO_NOI_VU, PROVINCE, receipt["document_id"], "03"))
    assert spoof.status == 403 and (await spoof.json())["code"] == "DX_SENDER_MISMATCH"


async def test_units_never_see_each_others_deliveries(client: TestClient,
                                                      hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    delivery = _delivery(receipt, SO_NOI_VU)
    other = hub_env.auth(OTHER)
    assert await _inbox(client, hub_env, OTHER) == []
    for path in (f"/api/v1/documents/{receipt['message_id']}",
                 f"/api/v1/documents/{receipt['message_id']}/deliveries",
                 "/api/v1/documents/01ARZ3NDEKTSV4RRFFQ69G5FAV"):
        resp = await client.get(path, headers=other)
        problem = await resp.json()
        assert resp.status == 404 and problem["code"] == "DX_NOT_FOUND"
        assert problem["detail_en"].startswith("No document ")  # English names it in English
    resp = await client.post(f"/api/v1/deliveries/{delivery}/ack", headers=other)
    problem = await resp.json()
    assert resp.status == 404 and problem["detail_en"] == f"No delivery {delivery} for this unit."
    assert problem["detail_vi"] == f"Không tìm thấy lượt chuyển {delivery}."
    # the sender cannot ack on the recipient's behalf either
    resp = await client.post(f"/api/v1/deliveries/{delivery}/ack", headers=hub_env.auth(PROVINCE))
    assert resp.status == 404
    timeline = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                       headers=hub_env.auth(SO_NOI_VU))).json()
    assert [d["recipient"] for d in timeline["deliveries"]] == [SO_NOI_VU]


async def test_fetch_marks_the_delivery_fetched(client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    await client.get(f"/api/v1/documents/{receipt['message_id']}", headers=hub_env.auth(SO_NOI_VU))
    timeline = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                       headers=hub_env.auth(PROVINCE))).json()
    delivery = timeline["deliveries"][0]
    assert delivery["state"] == "fetched" and delivery["fetched_at"]


async def test_concurrent_acks_and_statuses_give_one_event_each(client: TestClient,
                                                                hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    delivery = _delivery(receipt, SO_NOI_VU)
    doc_id = receipt["document_id"]
    def acks() -> list[Any]:
        return [client.post(f"/api/v1/deliveries/{delivery}/ack",
                            headers=hub_env.auth(SO_NOI_VU)) for _ in range(10)]
    statuses = [_status(client, hub_env, SO_NOI_VU, status(
        SO_NOI_VU, PROVINCE, doc_id, "03", dt.datetime(2026, 11, 28, 11))) for _ in range(10)]
    # acks first (a 03 arriving before any ack would itself mark the delivery received, and
    # which request reaches the writer first is up to the engine's timing), then more acks
    # racing the statuses
    first = [await r.json() for r in await asyncio.gather(*acks())]
    responses = await asyncio.gather(*acks(), *statuses)
    bodies = [await r.json() for r in responses]
    assert sum(not b["duplicate"] for b in first) == 1
    assert all(b["duplicate"] for b in bodies[:10])
    assert sum(not b["duplicate"] for b in bodies[10:]) == 1
    timeline = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                       headers=hub_env.auth(PROVINCE))).json()
    events = [e["status_code"] or e["event"] for e in timeline["deliveries"][0]["events"]]
    assert sorted(events) == sorted(["created", "acknowledged", "03"])
    codes = sorted(i["status_code"] for i in await _inbox(client, hub_env, PROVINCE))
    assert codes == ["01", "03"]


async def test_a_status_refused_inside_its_transaction_is_recorded(client: TestClient,
                                                                   hub_env: HubEnv) -> None:
    """Documents and statuses share one intake (exchange/intake.py): a status refused only
    once the transaction looks for its document is recorded like any refusal, as a document
    refused there always was (its hash, sender and code; no message, no blob)."""
    receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    data = status(OTHER, PROVINCE, receipt["document_id"], "03")
    resp = await _status(client, hub_env, OTHER, data)
    assert resp.status == 422 and (await resp.json())["code"] == "DX_UNKNOWN_REFERENCE"
    hub = client.app[__import__("docexchange.appkeys").appkeys.HUB_KEY]
    refusal = await hub.db.fetchone("SELECT sender_id, sha256, code FROM refusals")
    assert tuple(refusal) == (OTHER, hashlib.sha256(data).hexdigest(), "DX_UNKNOWN_REFERENCE")
    assert await hub.db.fetchone("SELECT 1 FROM messages WHERE kind = 'status'") is None
    assert await hub.db.fetchone(
        "SELECT 1 FROM log_leaves WHERE event = 'packet_refused'") is not None
