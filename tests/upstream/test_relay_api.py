"""The relay API a [[downstream]] hub uses, in-process: who may call it, which senders it may
bring, what it holds and how an acknowledgement takes it out of the list."""

from __future__ import annotations

from typing import Any

from docexchange.app import create_app
from docexchange.config import load_config
from tests.conftest import SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document

ACCOUNT = "000.00.02.H45"  # stands in for the downstream hub's account
REMOTE = "000.00.05.H17"


async def relay_client(env: HubEnv, aiohttp_client: Any) -> Any:
    with env.config_path.open("a", encoding="utf-8") as f:
        f.write(f'\n[[downstream]]\nname = "h17"\naccount = "{ACCOUNT}"\n'
                'serves = ["*.*.*.H17"]\n')
    env.config = load_config(env.config_path)
    return await aiohttp_client(create_app(env.config))


async def test_a_downstream_brings_only_its_codes_and_polls_what_is_held(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await relay_client(hub_env, aiohttp_client)
    peer = {**hub_env.auth(ACCOUNT), **XML}
    resp = await client.post("/api/v1/relay/documents", headers=peer,
                             data=document(SO_NOI_VU, [SONG_HINH]))  # one of OUR units
    assert resp.status == 403 and (await resp.json())["code"] == "DX_SENDER_MISMATCH"
    resp = await client.post("/api/v1/relay/documents", headers=peer,
                             data=document("000.00.01.H17", [SO_NOI_VU, "000.00.09.H17"]))
    assert resp.status == 202, await resp.text()
    # its other recipient on the H17 hub is not routed back there
    assert [r["organ_id"] for r in (await resp.json())["recipients"]] == [SO_NOI_VU]
    resp = await client.get("/api/v1/relay/inbox", headers=hub_env.auth(SONG_HINH))
    assert resp.status == 403 and (await resp.json())["code"] == "DX_FORBIDDEN"

    sent = await (await client.post("/api/v1/documents", data=document(SO_NOI_VU, [REMOTE]),
                                    headers={**hub_env.auth(SO_NOI_VU), **XML})).json()
    held = (await (await client.get("/api/v1/relay/inbox", headers=peer)).json())["items"]
    assert [(i["message_id"], i["recipient"]) for i in held] == [(sent["message_id"], REMOTE)]
    body = await (await client.get(f"/api/v1/relay/messages/{sent['message_id']}",
                                   headers=peer)).read()
    assert b"000.00.05.H17" in body
    for duplicate in (False, True):
        ack = await client.post(f"/api/v1/relay/deliveries/{held[0]['delivery_id']}/ack",
                                headers=peer)
        assert (await ack.json())["duplicate"] is duplicate
    assert (await (await client.get("/api/v1/relay/inbox", headers=peer)).json())["items"] == []
    resp = await client.post("/api/v1/documents", data=document(SO_NOI_VU, ["000.00.05.H99"]),
                             headers={**hub_env.auth(SO_NOI_VU), **XML})
    assert (await resp.json())["code"] == "DX_UNKNOWN_RECIPIENT"  # no hub serves it
