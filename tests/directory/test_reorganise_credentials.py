"""A unit's lifetime at the door, through the real HTTP API: a recode keeps the unit's DMS
working (API key, signing certificate, TLS client certificate and VDXP credential act as the
new code from the effective date, docs/reorganisation.md §3), and a unit created for a future
date neither sends nor receives before it, then is routable from it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from docexchange.admin import credentials
from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.directory import reorganise
from docexchange.hub import Hub
from docexchange.server import GuardedAppRunner, tls_context
from docexchange.vdxp.client import VdxpClient
from tests.api.test_tls import _client_context, _server_certificate
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.directory.reorg_helpers import DH_PHU_YEN, acli, hub_client, hub_of, plan, set_day
from tests.exchange.helpers import XML, document, sign_as, status

DAY = dt.date(2030, 1, 1)
BEFORE = DAY - dt.timedelta(days=1)
NEW = "000.00.50.H45"
FUTURE_COMMUNE = "TAM.99.00001"


def _recode(day: dt.date) -> str:
    return plan(f"{day},rename,{DH_PHU_YEN},{NEW},Trường Đại học Phú Yên (mã mới),,,")


async def _send(client: TestClient, env: HubEnv, key_of: str, packet: bytes
                ) -> tuple[int, dict[str, Any]]:
    resp = await client.post("/api/v1/documents", data=packet,
                             headers={**env.auth(key_of), **XML})
    return resp.status, await resp.json()


async def test_a_recoded_units_api_key_and_signing_key_act_as_the_new_code_from_the_date(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    hub = hub_of(client)
    set_day(client, BEFORE)
    await reorganise.apply_plan(hub, _recode(DAY), "recode.csv")
    _, fetched = await _send(client, hub_env, PROVINCE, document(PROVINCE, [DH_PHU_YEN]))
    _, unread = await _send(client, hub_env, PROVINCE, document(PROVINCE, [DH_PHU_YEN]))
    resp = await client.get(f"/api/v1/documents/{fetched['message_id']}",
                            headers=hub_env.auth(DH_PHU_YEN))
    assert resp.status == 200  # before the date the key is still the old code's
    code, body = await _send(client, hub_env, DH_PHU_YEN, document(NEW, [SO_NOI_VU]))
    assert code == 403 and body["code"] == "DX_SENDER_MISMATCH"

    set_day(client, DAY)
    assert await reorganise.follow_open_deliveries(hub) == 2  # the fetched one too
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(DH_PHU_YEN))).json()
    items = {i["message_id"]: i for i in inbox["items"]}
    assert set(items) == {fetched["message_id"], unread["message_id"]}
    ack = await client.post(f"/api/v1/deliveries/{items[fetched['message_id']]['delivery_id']}"
                            "/ack", headers=hub_env.auth(DH_PHU_YEN))
    assert ack.status == 200, await ack.json()
    # the old certificate signs for the new code; the old key sends as it
    code, receipt = await _send(client, hub_env, DH_PHU_YEN,
                                sign_as(hub_env, DH_PHU_YEN, document(NEW, [SO_NOI_VU])))
    assert code == 202 and receipt["signature"] == "verified", receipt
    resp = await client.post("/api/v1/statuses", headers={**hub_env.auth(DH_PHU_YEN), **XML},
                             data=status(NEW, PROVINCE, unread["document_id"], "03"))
    assert resp.status == 202, await resp.json()
    # a DMS still writing the old code in From is told the new one
    code, body = await _send(client, hub_env, DH_PHU_YEN, document(DH_PHU_YEN, [SO_NOI_VU]))
    assert code == 403 and body["code"] == "DX_SENDER_MISMATCH"
    assert body["errors"][0] == {"element": "From/OrganId", "value": DH_PHU_YEN,
                                 "reason": "recoded", "new_code": NEW}
    assert NEW in body["detail_vi"] and "mã mới" in body["detail_vi"]


async def test_a_recoded_units_vdxp_credential_acts_as_the_new_code(
        hub_env: HubEnv, aiohttp_client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert await acli(hub_env, "keys", "issue-vdxp", DH_PHU_YEN) == 0
    credential = json.loads(capsys.readouterr().out)
    client = await hub_client(hub_env, aiohttp_client)
    hub = hub_of(client)
    await reorganise.apply_plan(hub, _recode(_today(hub)), "recode.csv")
    _, receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [DH_PHU_YEN]))
    assert [r["organ_id"] for r in receipt["recipients"]] == [NEW]
    sdk = VdxpClient(client.session, str(client.make_url("/vdxp")), credential["system_id"],
                     credential["secret"])
    reply = await sdk.get_received_edoc_list({"servicetype": "eDoc", "messagetype": "edoc"})
    assert reply["ErrorCode"] == "0", reply
    assert receipt["message_id"] in json.dumps(reply)


@pytest.fixture
async def https_app(hub_env: HubEnv, tmp_path: Path) -> AsyncIterator[tuple[str, Path, Hub]]:
    cert, key = _server_certificate(tmp_path)
    config = replace(hub_env.config, server=replace(hub_env.config.server, tls_cert=str(cert),
                                                    tls_key=str(key)))
    app = create_app(config)
    runner = GuardedAppRunner(app, config)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls_context(config)).start()
    try:
        yield f"https://127.0.0.1:{runner.addresses[0][1]}", cert, app[HUB_KEY]
    finally:
        await runner.cleanup()


async def test_a_recoded_units_client_certificate_acts_as_the_new_code(
        https_app: tuple[str, Path, Hub], hub_env: HubEnv,
        capsys: pytest.CaptureFixture[str]) -> None:
    url, server_cert, hub = https_app
    assert await acli(hub_env, "keys", "issue", DH_PHU_YEN, "--client-cert") == 0
    out = capsys.readouterr().out
    cert = Path(re.search(r"TLS client certificate (\S+)", out)[1])  # type: ignore[index]
    key = Path(re.search(r"key (\S+)", out)[1])  # type: ignore[index]
    await reorganise.apply_plan(hub, _recode(_today(hub)), "recode.csv")
    plain = _client_context(server_cert)
    async with aiohttp.ClientSession() as http:
        async with http.post(url + "/api/v1/documents", ssl=plain,
                             data=document(PROVINCE, [DH_PHU_YEN]),
                             headers={**hub_env.auth(PROVINCE), **XML}) as resp:
            receipt = await resp.json()
        assert [r["organ_id"] for r in receipt["recipients"]] == [NEW], receipt
        async with http.get(url + "/api/v1/inbox",
                            ssl=_client_context(server_cert, (cert, key))) as resp:
            assert resp.status == 200
            inbox = await resp.json()
    assert [i["message_id"] for i in inbox["items"]] == [receipt["message_id"]]


def _today(hub: Hub) -> dt.date:
    return hub.directory.today(hub.config.zone)


async def test_a_unit_created_for_a_future_date_neither_sends_nor_receives_before_it(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    hub = hub_of(client)
    set_day(client, BEFORE)
    await reorganise.apply_plan(hub, plan(
        f"{DAY},create,,{FUTURE_COMMUNE},UBND xã Thử Nghiệm,commune,{PROVINCE},yes"), "new.csv")
    key = await credentials.issue_api_key(hub, FUTURE_COMMUNE, "test")
    auth = {"Authorization": f"Bearer {key}", **XML}
    code, body = await _send(client, hub_env, PROVINCE, document(PROVINCE, [FUTURE_COMMUNE]))
    assert code == 422 and body["code"] == "DX_RECIPIENT_NOT_YET_VALID", body
    assert body["errors"] == [{"element": "To/OrganId", "value": FUTURE_COMMUNE,
                               "reason": "not_yet_valid", "valid_from": DAY.isoformat()}]
    assert str(DAY) in body["detail_vi"] and str(DAY) in body["detail_en"]
    resp = await client.post("/api/v1/documents", data=document(FUTURE_COMMUNE, [PROVINCE]),
                             headers=auth)
    body = await resp.json()
    assert resp.status == 403 and body["code"] == "DX_UNIT_NOT_YET_VALID", body
    assert body["valid_from"] == DAY.isoformat() and "bắt đầu" in body["detail_vi"]
    resp = await client.post("/api/v1/statuses", headers=auth,
                             data=status(FUTURE_COMMUNE, PROVINCE, "x,2030/01/01,1/VP", "03"))
    assert resp.status == 403 and (await resp.json())["code"] == "DX_UNIT_NOT_YET_VALID"
    inbox = await client.get("/api/v1/inbox", headers=auth)  # its DMS may be set up early
    assert inbox.status == 200 and (await inbox.json())["items"] == []

    set_day(client, DAY)
    code, receipt = await _send(client, hub_env, PROVINCE, document(PROVINCE, [FUTURE_COMMUNE]))
    assert code == 202 and [r["organ_id"] for r in receipt["recipients"]] == [FUTURE_COMMUNE]
    resp = await client.post("/api/v1/documents", data=document(FUTURE_COMMUNE, [PROVINCE]),
                             headers=auth)
    assert resp.status == 202, await resp.json()
