"""Relay through the `vdxp` protocol: the province hub speaks to the national hub's /vdxp
door exactly as VNPT's SDK would (docexchange/vdxp/client.py), as the agency it is registered
as there (000.00.00.H45, UBND tỉnh): its documents go up with sendEdoc and their DocId is
tracked, the axis's documents and statuses for it come down by getReceivedEdocList → getEdoc →
updateStatus done, both hubs real processes on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp

from docexchange.client import HubClient
from docexchange.config import load_config
from tests.conftest import PROVINCE, HubEnv
from tests.exchange.helpers import document, status
from tests.exchange.test_durability import HubProcess
from tests.upstream.hubs import G01, NATIONAL_CSV, eventually, national_env

CSV = NATIONAL_CSV + f"{PROVINCE},UBND tỉnh Phú Yên,other,,2018-01-01,,,,,,,,\n"


def issue_vdxp(env: HubEnv, code: str) -> dict[str, Any]:
    """`docexchange keys issue-vdxp CODE`, as an operator of the national hub runs it."""
    done = subprocess.run([sys.executable, "-m", "docexchange", "--config",
                           str(env.config_path), "keys", "issue-vdxp", code],
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


async def test_documents_and_statuses_cross_through_the_vdxp_door(hub_env: HubEnv,
                                                                   tmp_path: Path) -> None:
    national = await national_env(tmp_path / "national", CSV, downstream=False)
    creds = issue_vdxp(national, PROVINCE)
    n_proc = HubProcess(national)
    with hub_env.config_path.open("a", encoding="utf-8") as f:
        f.write(f'\n[[upstream]]\nname = "national"\nprotocol = "vdxp"\n'
                f'endpoint = "http://127.0.0.1:{n_proc.port}/vdxp"\n'
                f'system_id = "{creds["system_id"]}"\nsecret = "{creds["secret"]}"\n'
                f'organ_id = "{PROVINCE}"\nrecipients = ["*unknown*"]\npoll_interval = 1\n'
                'allow_http = true\n')
    hub_env.config = load_config(hub_env.config_path)
    p_proc = HubProcess(hub_env)
    await n_proc.start()
    await p_proc.start()
    try:
        async with aiohttp.ClientSession() as session:
            prov = HubClient(p_proc.url, hub_env.api_key(PROVINCE), session=session)
            bo = HubClient(n_proc.url, national.api_key(G01), session=session)
            packet = document(PROVINCE, [G01])
            receipt = await prov.send_document(packet)
            got = await eventually(lambda: _items(bo, "document", PROVINCE))
            assert await bo.fetch(got[0]["message_id"]) == packet
            await bo.ack(got[0]["delivery_id"])
            await bo.send_status(status(G01, PROVINCE, receipt["document_id"], "03"))
            await eventually(lambda: _codes(prov, receipt["document_id"], {"01", "03"}))
            view = await prov.deliveries(receipt["message_id"])
            relayed = next(e for e in view["deliveries"][0]["events"]
                           if e["event"] == "relay_relayed")
            assert got[0]["message_id"] in relayed["note"]  # the axis's DocId
            assert view["deliveries"][0]["state"] == "registered"

            back = document(G01, [PROVINCE])
            sent = await bo.send_document(back)
            down = await eventually(lambda: _items(prov, "document", G01))
            assert await prov.fetch(down[0]["message_id"]) == back
            await prov.ack(down[0]["delivery_id"])  # 01 goes up through sendEdoc status
            await eventually(lambda: _codes(bo, sent["document_id"], {"01"}))
            assert (await bo.deliveries(sent["message_id"]))["deliveries"][0]["state"] == (
                "received")
    finally:
        p_proc.stop()
        n_proc.stop()


async def _items(client: HubClient, kind: str, sender: str) -> list[dict[str, Any]]:
    return [i for i in await client.inbox() if i["kind"] == kind and i["sender"] == sender]


async def _codes(client: HubClient, document_id: str, codes: set[str]) -> bool:
    found = {i["status_code"] for i in await client.inbox()
             if i["kind"] == "status" and i["document_id"] == document_id}
    return codes <= found
