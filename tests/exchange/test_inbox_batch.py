"""The inbox in batches: packets in the listing (`packets=inline`) and `POST /deliveries/ack`
(delivery/batch.py), with the per-document semantics kept exactly."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.config import load_config
from docexchange.delivery import service
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv, db_connect, db_rows
from tests.exchange.helpers import XML, document
from tests.exchange.test_durability import verify_log
from tests.hub_process import set_option

OTHER = "000.00.02.H45"  # a department that is neither sender nor recipient


async def _send(client: TestClient, env: HubEnv, to: list[str], **kw: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, to, **kw),
                             headers={**env.auth(PROVINCE), **XML})
    assert resp.status == 202, await resp.text()
    return dict(await resp.json())


def _delivery(receipt: dict[str, Any], unit: str) -> str:
    return next(r["delivery_id"] for r in receipt["recipients"] if r["organ_id"] == unit)


async def _listing(client: TestClient, env: HubEnv, unit: str, query: str = "packets=inline"
                   ) -> list[dict[str, Any]]:
    resp = await client.get(f"/api/v1/inbox?{query}", headers=env.auth(unit))
    assert resp.status == 200, await resp.text()
    return list((await resp.json())["items"])


async def _ack_many(client: TestClient, env: HubEnv, unit: str, ids: list[str]) -> Any:
    resp = await client.post("/api/v1/deliveries/ack", json={"delivery_ids": ids},
                             headers=env.auth(unit))
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["count"] == len(ids)
    return body["results"]


def _count(env: HubEnv, sql: str, params: tuple[Any, ...]) -> int:
    return int(db_rows(env, sql, params)[0][0])


def _fetched_leaves(env: HubEnv, delivery_id: str) -> int:
    leaves = db_rows(env, "SELECT data FROM log_leaves WHERE event = 'delivery_fetched'")
    return sum(json.loads(bytes(row[0]))["delivery_id"] == delivery_id for row in leaves)


def _events(env: HubEnv, delivery_id: str, event: str) -> int:
    return _count(env, "SELECT count(*) FROM delivery_events WHERE delivery_id = ? AND "
                  "event = ?", (delivery_id, event))


async def test_listing_with_packets_carries_the_bytes_and_marks_fetched_once(
        client: TestClient, hub_env: HubEnv) -> None:
    receipts = [await _send(client, hub_env, [SO_NOI_VU]) for _ in range(3)]
    hub = client.app[HUB_KEY]
    before = hub.db.stats.by_name["mark_fetched_many"]
    items = await _listing(client, hub_env, SO_NOI_VU)
    assert [i["message_id"] for i in items] == [r["message_id"] for r in receipts]
    for item, receipt in zip(items, receipts, strict=True):
        data = base64.b64decode(item["packet"], validate=True)
        assert hashlib.sha256(data).hexdigest() == item["sha256"] == receipt["sha256"]
        fetched = await client.get(f"/api/v1/documents/{item['message_id']}",
                                   headers=hub_env.auth(PROVINCE))  # the sender's copy
        assert await fetched.read() == data
        assert item["state"] == "fetched"
    assert hub.db.stats.by_name["mark_fetched_many"] == before + 1  # one transaction
    again = await _listing(client, hub_env, SO_NOI_VU)  # still listed until acknowledged
    assert [i["delivery_id"] for i in again] == [i["delivery_id"] for i in items]
    assert hub.db.stats.by_name["mark_fetched_many"] == before + 1  # nothing left to mark
    for item in items:
        assert _events(hub_env, item["delivery_id"], "fetched") == 1
        assert _fetched_leaves(hub_env, item["delivery_id"]) == 1
    timeline = await (await client.get(f"/api/v1/documents/{receipts[0]['message_id']}/"
                                       "deliveries", headers=hub_env.auth(PROVINCE))).json()
    assert timeline["deliveries"][0]["state"] == "fetched"
    assert timeline["deliveries"][0]["fetched_at"]


async def test_a_listing_without_the_parameter_is_unchanged(client: TestClient,
                                                           hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, [SO_NOI_VU])
    plain = await _listing(client, hub_env, SO_NOI_VU, "limit=100")
    assert "packet" not in plain[0] and plain[0]["state"] == "pending"
    assert _events(hub_env, _delivery(receipt, SO_NOI_VU), "fetched") == 0
    bad = await client.get("/api/v1/inbox?packets=all", headers=hub_env.auth(SO_NOI_VU))
    problem = await bad.json()
    assert bad.status == 400 and problem["code"] == "DX_BAD_REQUEST"
    assert bad.content_type == "application/problem+json"
    assert problem["detail_vi"] and problem["detail_en"]


async def test_a_packet_above_the_inline_size_has_none_and_is_not_marked(
        client: TestClient, hub_env: HubEnv) -> None:
    big = await _send(client, hub_env, [SO_NOI_VU], files=[("big.pdf", os.urandom(70_000))])
    small = await _send(client, hub_env, [SO_NOI_VU])
    assert client.app[HUB_KEY].config.exchange.inbox_inline_packet_bytes == 65536
    items = {i["message_id"]: i for i in await _listing(client, hub_env, SO_NOI_VU)}
    assert items[big["message_id"]]["size"] > 65536
    assert "packet" not in items[big["message_id"]]
    assert items[big["message_id"]]["state"] == "pending"
    assert "packet" in items[small["message_id"]]
    assert _events(hub_env, _delivery(big, SO_NOI_VU), "fetched") == 0
    assert _fetched_leaves(hub_env, _delivery(big, SO_NOI_VU)) == 0
    assert _events(hub_env, _delivery(small, SO_NOI_VU), "fetched") == 1


async def test_packets_in_the_blob_store_are_inlined_too(hub_env: HubEnv,
                                                         aiohttp_client: Any) -> None:
    set_option(hub_env.config_path, "inline_payload_bytes", 1024)  # every packet a blob file
    client = await aiohttp_client(create_app(load_config(hub_env.config_path)))
    receipt = await _send(client, hub_env, [SO_NOI_VU])
    [item] = await _listing(client, hub_env, SO_NOI_VU)
    assert hashlib.sha256(base64.b64decode(item["packet"])).hexdigest() == receipt["sha256"]


async def test_a_damaged_stored_packet_fails_the_listing_with_nothing_marked(
        client: TestClient, hub_env: HubEnv) -> None:
    first = await _send(client, hub_env, [SO_NOI_VU])
    second = await _send(client, hub_env, [SO_NOI_VU])
    with db_connect(hub_env) as conn:
        conn.execute("UPDATE payloads SET data = ? WHERE sha256 = ?",
                     (b"<damaged/>", second["sha256"]))
    resp = await client.get("/api/v1/inbox?packets=inline", headers=hub_env.auth(SO_NOI_VU))
    problem = await resp.json()
    assert resp.status == 500 and problem["code"] == "DX_INTERNAL"
    for receipt in (first, second):
        assert _events(hub_env, _delivery(receipt, SO_NOI_VU), "fetched") == 0
    assert "damaged" not in await resp.text()


async def test_units_only_see_and_ack_their_own(client: TestClient, hub_env: HubEnv) -> None:
    mine = await _send(client, hub_env, [SO_NOI_VU])
    theirs = await _send(client, hub_env, [SONG_HINH])
    assert await _listing(client, hub_env, OTHER) == []
    [item] = await _listing(client, hub_env, SO_NOI_VU)
    assert item["message_id"] == mine["message_id"]
    other_id = _delivery(theirs, SONG_HINH)
    results = await _ack_many(client, hub_env, SO_NOI_VU,
                              [other_id, _delivery(mine, SO_NOI_VU), "no-such-delivery"])
    assert results[1]["delivery_id"] == _delivery(mine, SO_NOI_VU)
    assert results[1]["state"] == "received" and results[1]["duplicate"] is False
    # another unit's delivery and an unknown id are answered alike: nothing tells them apart
    assert {k: v for k, v in results[0]["error"].items() if k not in ("detail_vi", "detail_en")
            } == {k: v for k, v in results[2]["error"].items()
                  if k not in ("detail_vi", "detail_en")} == {"code": "DX_NOT_FOUND",
                                                              "status": 404}
    assert results[0]["error"]["detail_vi"] and results[0]["error"]["detail_en"]
    rows = db_rows(hub_env, "SELECT state, acked_ts FROM deliveries WHERE delivery_id = ?",
                   (other_id,))
    assert [tuple(r) for r in rows] == [("pending", None)]
    assert _events(hub_env, other_id, "acknowledged") == 0
    assert [i["message_id"] for i in await _listing(client, hub_env, SONG_HINH, "")] == [
        theirs["message_id"]]


async def test_batch_ack_issues_one_status_01_per_document_and_the_log_verifies(
        client: TestClient, hub_env: HubEnv) -> None:
    receipts = [await _send(client, hub_env, [SO_NOI_VU, SONG_HINH]) for _ in range(3)]
    items = await _listing(client, hub_env, SO_NOI_VU)
    ids = [i["delivery_id"] for i in items]
    hub = client.app[HUB_KEY]
    before = hub.db.stats.by_name["acknowledge_many"]
    results = await _ack_many(client, hub_env, SO_NOI_VU, [*ids, ids[0]])  # a repeat too
    assert hub.db.stats.by_name["acknowledge_many"] == before + 1  # one transaction
    assert [r["delivery_id"] for r in results] == [*ids, ids[0]]
    assert all(r["state"] == "received" and r["duplicate"] is False for r in results[:3])
    assert results[3]["duplicate"] is True and results[3]["acked_at"] == results[0]["acked_at"]
    status_ids = [r["status_message_id"] for r in results[:3]]
    assert len(set(status_ids)) == 3 and all(status_ids)
    assert await _listing(client, hub_env, SO_NOI_VU, "") == []
    sender = await _listing(client, hub_env, PROVINCE, "")
    assert sorted(i["message_id"] for i in sender) == sorted(status_ids)
    assert {(i["kind"], i["status_code"], i["sender"]) for i in sender} == {
        ("status", "01", SO_NOI_VU)}
    assert sorted(i["related_message_id"] for i in sender) == sorted(
        r["message_id"] for r in receipts)
    for delivery_id in ids:
        assert _events(hub_env, delivery_id, "acknowledged") == 1
    again = await _ack_many(client, hub_env, SO_NOI_VU, ids)  # a retried batch
    assert all(r["duplicate"] for r in again)
    assert len(await _listing(client, hub_env, PROVINCE, "")) == 3  # no second 01
    await asyncio.to_thread(verify_log, hub_env, hub_env.root / "log.jsonl")
    for event in ("delivery_acknowledged", "delivery_fetched"):
        assert _count(hub_env, "SELECT count(*) FROM log_leaves WHERE event = ?", (event,)) == 3


async def test_batch_ack_answers_like_single_acks(client: TestClient, hub_env: HubEnv) -> None:
    one = await _send(client, hub_env, [SO_NOI_VU])
    two = await _send(client, hub_env, [SO_NOI_VU])
    single = await (await client.post(f"/api/v1/deliveries/{_delivery(one, SO_NOI_VU)}/ack",
                                      headers=hub_env.auth(SO_NOI_VU))).json()
    [batched] = await _ack_many(client, hub_env, SO_NOI_VU, [_delivery(two, SO_NOI_VU)])
    assert single.keys() == batched.keys()
    [repeat] = await _ack_many(client, hub_env, SO_NOI_VU, [_delivery(one, SO_NOI_VU)])
    single_repeat = await (await client.post(
        f"/api/v1/deliveries/{_delivery(two, SO_NOI_VU)}/ack",
        headers=hub_env.auth(SO_NOI_VU))).json()
    assert repeat.keys() == single_repeat.keys() and repeat["duplicate"] is True


async def test_batch_ack_of_statuses_issues_nothing(client: TestClient,
                                                    hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, [SO_NOI_VU])
    await _ack_many(client, hub_env, SO_NOI_VU, [_delivery(receipt, SO_NOI_VU)])
    [status_item] = await _listing(client, hub_env, PROVINCE)
    assert status_item["kind"] == "status" and "packet" in status_item
    [result] = await _ack_many(client, hub_env, PROVINCE, [status_item["delivery_id"]])
    assert result["status_message_id"] is None and result["state"] == "received"
    assert await _listing(client, hub_env, SO_NOI_VU, "") == []


async def test_a_failing_batch_changes_no_delivery(client: TestClient, hub_env: HubEnv,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    receipts = [await _send(client, hub_env, [SO_NOI_VU]) for _ in range(3)]
    ids = [_delivery(r, SO_NOI_VU) for r in receipts]
    real = service.store_status_txn
    calls = []

    def failing_third(*args: Any, **kwargs: Any) -> str:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk gone mid-batch")
        return real(*args, **kwargs)
    monkeypatch.setattr(service, "store_status_txn", failing_third)
    resp = await client.post("/api/v1/deliveries/ack", json={"delivery_ids": ids},
                             headers=hub_env.auth(SO_NOI_VU))
    problem = await resp.json()
    assert resp.status == 500 and problem["code"] == "DX_INTERNAL"
    assert "disk gone" not in await resp.text()
    assert len(calls) == 3  # the first two were written before the third failed
    rows = db_rows(hub_env, "SELECT state, acked_ts FROM deliveries WHERE delivery_id IN "
                   "(?, ?, ?)", tuple(ids))
    assert [tuple(r) for r in rows] == [("pending", None)] * 3
    assert _count(hub_env, "SELECT count(*) FROM messages WHERE kind = 'status'", ()) == 0
    assert _count(hub_env, "SELECT count(*) FROM log_leaves WHERE event = "
                  "'delivery_acknowledged'", ()) == 0
    monkeypatch.setattr(service, "store_status_txn", real)
    results = await _ack_many(client, hub_env, SO_NOI_VU, ids)  # the retry succeeds whole
    assert [r["duplicate"] for r in results] == [False] * 3


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[]", b'{"delivery_ids": []}', b'{"delivery_ids": "abc"}',
    b'{"delivery_ids": [1, 2]}', b'{"delivery_ids": [""]}', b'{"ids": ["a"]}',
    b'{"delivery_ids": [' + b",".join([b'"x"'] * 1001) + b"]}"])
async def test_bad_batch_bodies_are_problems(client: TestClient, hub_env: HubEnv,
                                             body: bytes) -> None:
    resp = await client.post("/api/v1/deliveries/ack", data=body, headers={
        **hub_env.auth(SO_NOI_VU), "Content-Type": "application/json"})
    problem = await resp.json()
    assert resp.status == 400 and resp.content_type == "application/problem+json"
    assert problem["code"] == "DX_BAD_REQUEST"
    assert problem["detail_vi"] and problem["detail_en"] and problem["request_id"]


async def test_batch_ack_wakes_the_waiting_sender(client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, [SO_NOI_VU])
    waiting = asyncio.create_task(_listing(client, hub_env, PROVINCE, "wait=20"))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await _ack_many(client, hub_env, SO_NOI_VU, [_delivery(receipt, SO_NOI_VU)])
    items = await asyncio.wait_for(waiting, 10)
    assert [i["status_code"] for i in items] == ["01"]
