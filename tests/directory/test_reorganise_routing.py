"""Routing across a reorganisation, through the real HTTP API: each case of docs/reorganisation.md
§3 (follow one successor with a trace, split and dissolved refused naming the successors, all
successors by config, refusal by config, recode), open deliveries that follow, statuses from
the successor, the grace period of a retired unit, scheduled plans and history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.directory import reorganise
from docexchange.monitor import connectivity
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.directory.reorg_helpers import (
    DAI_PTTH,
    DH_PHU_YEN,
    SO_GDDT,
    SO_GTVT,
    SO_LDTBXH,
    SO_XAY_DUNG,
    SO_Y_TE,
    hub_client,
    hub_of,
    plan,
    set_day,
)
from tests.exchange.helpers import XML, document, status

DAY = dt.date(2030, 1, 1)
BEFORE = DAY - dt.timedelta(days=1)


async def _apply(client: TestClient, text: str) -> None:
    await reorganise.apply_plan(hub_of(client), text, "test.csv")


async def _send(client: TestClient, env: HubEnv, sender: str, to: list[str]
                ) -> tuple[int, dict[str, Any]]:
    resp = await client.post("/api/v1/documents", data=document(sender, to),
                             headers={**env.auth(sender), **XML})
    return resp.status, await resp.json()


async def _events(client: TestClient, env: HubEnv, message_id: str) -> list[dict[str, Any]]:
    resp = await client.get(f"/api/v1/documents/{message_id}/deliveries",
                            headers=env.auth(PROVINCE))
    body = await resp.json()
    return [{**e, "recipient": d["recipient"], "routed_from": d["routed_from"]}
            for d in body["deliveries"] for e in d["events"]]


MERGE_SPLIT_DISSOLVE = plan(
    f"{DAY},merge,{SO_GTVT},{SO_XAY_DUNG},,,,",
    f"{DAY},split,{SO_LDTBXH},{SO_NOI_VU},,,,",
    f"{DAY},split,{SO_LDTBXH},{SO_Y_TE},,,,",
    f"{DAY},split,{SO_LDTBXH},{SO_GDDT},,,,",
    f"{DAY},dissolve,{DAI_PTTH},,,,,",
    f"{DAY},rename,{DH_PHU_YEN},000.00.50.H45,Trường Đại học Phú Yên (mã mới),,,")


async def test_merged_code_follows_its_successor_with_a_trace(hub_env: HubEnv,
                                                              aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    await _apply(client, MERGE_SPLIT_DISSOLVE)
    set_day(client, DAY)
    code, receipt = await _send(client, hub_env, PROVINCE, [SO_GTVT])
    assert code == 202, receipt
    assert [r["organ_id"] for r in receipt["recipients"]] == [SO_XAY_DUNG]
    created = (await _events(client, hub_env, receipt["message_id"]))[0]
    assert created["note"] == f"routing: followed {SO_GTVT} → {SO_XAY_DUNG}"


async def test_split_and_dissolved_codes_are_refused_naming_the_successors(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    await _apply(client, MERGE_SPLIT_DISSOLVE)
    set_day(client, DAY)
    code, body = await _send(client, hub_env, PROVINCE, [SO_LDTBXH, DAI_PTTH])
    assert code == 422 and body["code"] == "DX_RECIPIENT_REORGANISED", body
    by_code = {e["value"]: e for e in body["errors"]}
    assert by_code[SO_LDTBXH]["reason"] == "split"
    assert sorted(by_code[SO_LDTBXH]["successors"]) == sorted([SO_NOI_VU, SO_Y_TE, SO_GDDT])
    assert by_code[DAI_PTTH] == {"element": "To/OrganId", "value": DAI_PTTH,
                                 "reason": "dissolved", "successors": []}
    assert SO_Y_TE in body["detail_en"] and "giải thể" in body["detail_vi"]
    set_day(client, BEFORE)  # the day before, the old units still receive
    code, receipt = await _send(client, hub_env, PROVINCE, [SO_LDTBXH, DAI_PTTH])
    assert code == 202 and {r["organ_id"] for r in receipt["recipients"]} == {SO_LDTBXH,
                                                                             DAI_PTTH}


async def test_config_delivers_a_split_code_to_all_successors(hub_env: HubEnv,
                                                              aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client, split_recipient="all")
    await _apply(client, MERGE_SPLIT_DISSOLVE)
    set_day(client, DAY)
    code, receipt = await _send(client, hub_env, PROVINCE, [SO_LDTBXH])
    assert code == 202, receipt
    assert sorted(r["organ_id"] for r in receipt["recipients"]) == sorted(
        [SO_NOI_VU, SO_Y_TE, SO_GDDT])
    assert receipt["routing"][0]["via"] == "successors"
    notes = {e["recipient"]: e["note"] for e in await _events(
        client, hub_env, receipt["message_id"])}
    assert notes[SO_Y_TE].startswith(f"routing: followed {SO_LDTBXH} → ")
    code, body = await _send(client, hub_env, PROVINCE, [DAI_PTTH])  # none to deliver to
    assert code == 422 and body["code"] == "DX_RECIPIENT_REORGANISED"


async def test_config_refuses_instead_of_following(hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client, retired_recipient="refuse")
    await _apply(client, MERGE_SPLIT_DISSOLVE)
    set_day(client, DAY)
    code, body = await _send(client, hub_env, PROVINCE, [SO_GTVT])
    assert code == 422 and body["code"] == "DX_RETIRED_RECIPIENT"
    assert body["errors"][0]["successors"] == [SO_XAY_DUNG]


async def test_recoded_unit_old_code_follows_to_the_new_code(hub_env: HubEnv,
                                                             aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    await _apply(client, MERGE_SPLIT_DISSOLVE)
    set_day(client, DAY)
    hub = hub_of(client)
    assert DH_PHU_YEN in hub.directory.get("000.00.50.H45").aliases  # type: ignore[union-attr]
    code, receipt = await _send(client, hub_env, PROVINCE, [DH_PHU_YEN])
    assert code == 202 and [r["organ_id"] for r in receipt["recipients"]] == ["000.00.50.H45"]


async def test_open_deliveries_follow_statuses_come_from_the_successor_and_grace_period(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    hub = hub_of(client)
    set_day(client, BEFORE)
    # scheduled: applied the day before, it changes nothing until its date
    await _apply(client, plan(f"{DAY},merge,{SO_GTVT},{SO_XAY_DUNG},,,,"))
    _, unread = await _send(client, hub_env, PROVINCE, [SO_GTVT])
    _, fetched = await _send(client, hub_env, PROVINCE, [SO_GTVT])
    assert [r["organ_id"] for r in unread["recipients"]] == [SO_GTVT]
    assert (await client.get(f"/api/v1/documents/{fetched['message_id']}",
                             headers=hub_env.auth(SO_GTVT))).status == 200
    assert await reorganise.follow_open_deliveries(hub) == 0  # not yet the date

    set_day(client, DAY)
    assert await reorganise.follow_open_deliveries(hub) == 1
    assert await reorganise.follow_open_deliveries(hub) == 0  # idempotent
    events = await _events(client, hub_env, unread["message_id"])
    assert [e["event"] for e in events] == ["created", "rerouted"]  # history kept
    assert events[1]["recipient"] == SO_XAY_DUNG and events[1]["routed_from"] == SO_GTVT
    assert events[1]["note"].startswith(f"routing: followed {SO_GTVT} → {SO_XAY_DUNG}")
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_XAY_DUNG))).json()
    assert unread["message_id"] in [i["message_id"] for i in inbox["items"]]

    # the fetched one stayed: the retired unit acknowledges it within its grace period …
    old_inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_GTVT))).json()
    [item] = old_inbox["items"]
    assert item["message_id"] == fetched["message_id"]
    ack = await client.post(f"/api/v1/deliveries/{item['delivery_id']}/ack",
                            headers=hub_env.auth(SO_GTVT))
    assert ack.status == 200
    # … the successor reports status 03 on the document sent to the old unit
    resp = await client.post("/api/v1/statuses", headers={**hub_env.auth(SO_XAY_DUNG), **XML},
                             data=status(SO_XAY_DUNG, PROVINCE,
                                         fetched["document_id"], "03"))
    assert resp.status == 202, await resp.json()
    # a retired unit can no longer send
    code, body = await _send(client, hub_env, SO_GTVT, [SO_NOI_VU])
    assert code == 403 and body["code"] == "DX_UNIT_RETIRED"
    # after the grace period it cannot even poll
    set_day(client, BEFORE + dt.timedelta(days=hub.config.exchange.retired_grace_days))
    assert (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_GTVT))).status == 200
    set_day(client, BEFORE + dt.timedelta(days=hub.config.exchange.retired_grace_days + 1))
    resp = await client.get("/api/v1/inbox", headers=hub_env.auth(SO_GTVT))
    body = await resp.json()
    assert resp.status == 403 and body["code"] == "DX_UNIT_RETIRED"
    assert SO_XAY_DUNG in body["detail_en"]


async def test_open_deliveries_stay_when_config_says_so(hub_env: HubEnv,
                                                        aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client, open_deliveries_follow=False)
    set_day(client, BEFORE)
    await _apply(client, plan(f"{DAY},merge,{SO_GTVT},{SO_XAY_DUNG},,,,"))
    await _send(client, hub_env, PROVINCE, [SO_GTVT])
    set_day(client, DAY)
    assert await reorganise.follow_open_deliveries(hub_of(client)) == 0
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_GTVT))).json()
    assert len(inbox["items"]) == 1


async def test_history_names_and_kpis_are_those_of_the_day(hub_env: HubEnv,
                                                           aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    hub = hub_of(client)
    today = hub.directory.today(hub.config.zone)
    _, receipt = await _send(client, hub_env, PROVINCE, [SO_NOI_VU])
    tomorrow = today + dt.timedelta(days=1)
    await _apply(client, plan(f"{tomorrow},rename,{SO_NOI_VU},{SO_NOI_VU},Sở Nội vụ mới,,,",
                              f"{tomorrow},dissolve,{DAI_PTTH},,,,,"))
    assert hub.directory.get(SO_NOI_VU).name == "Sở Nội vụ mới"  # type: ignore[union-attr]
    body = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                   headers=hub_env.auth(PROVINCE))).json()
    assert body["deliveries"][0]["recipient_at_send"] == {
        "organ_id": SO_NOI_VU, "name": "Sở Nội vụ", "parent": PROVINCE,
        "parent_name": "UBND tỉnh Phú Yên"}
    units_today = await connectivity.take_snapshot(hub, today)
    units_after = await connectivity.take_snapshot(hub, tomorrow)
    assert units_after["overall"]["units"] == units_today["overall"]["units"] - 1
    assert units_after["by_kind"]["other"]["units"] == 1



async def test_two_renames_keep_both_earlier_names(hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    hub = hub_of(client)
    await _apply(client, plan(f"{DAY},rename,{SO_NOI_VU},{SO_NOI_VU},Tên thứ hai,,,"))
    later = DAY + dt.timedelta(days=100)
    await _apply(client, plan(f"{later},rename,{SO_NOI_VU},{SO_NOI_VU},Tên thứ ba,,,"))
    names = [hub.directory.as_of(SO_NOI_VU, d).name  # type: ignore[union-attr]
             for d in (BEFORE, DAY, later - dt.timedelta(days=1), later)]
    assert names == ["Sở Nội vụ", "Tên thứ hai", "Tên thứ hai", "Tên thứ ba"]
