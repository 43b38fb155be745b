"""Two real hubs exchanging documents and statuses both ways through the native relay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from docexchange.client import HubClient
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import document, status
from tests.upstream.hubs import G01, eventually, two_hubs


async def items(client: HubClient, **match: str) -> list[dict[str, Any]]:
    found = await client.inbox()
    return [i for i in found if all(i.get(k) == v for k, v in match.items())]


async def test_documents_and_statuses_cross_both_ways(hub_env: HubEnv, tmp_path: Path) -> None:
    hubs = await two_hubs(hub_env, tmp_path / "national")
    p, n = hubs.province_env, hubs.national_env
    try:
        async with aiohttp.ClientSession() as session:
            prov = HubClient(hubs.province.url, p.api_key(PROVINCE), session=session)
            noivu = HubClient(hubs.province.url, p.api_key(SO_NOI_VU), session=session)
            songhinh = HubClient(hubs.province.url, p.api_key(SONG_HINH), session=session)
            bo = HubClient(hubs.national.url, n.api_key(G01), session=session)

            # province -> national (and a local recipient in the same packet)
            packet = document(PROVINCE, [G01, SO_NOI_VU])
            receipt = await prov.send_document(packet)
            got = await eventually(lambda: items(bo, kind="document", sender=PROVINCE))
            assert await bo.fetch(got[0]["message_id"]) == packet
            assert await items(noivu, kind="document")  # delivered locally as usual
            await bo.ack(got[0]["delivery_id"])  # the national hub issues 01 ...
            doc_id = receipt["document_id"]
            await bo.send_status(status(G01, PROVINCE, doc_id, "03", note="Đã vào sổ"))
            # ... and both statuses come down to the sender on the province hub
            await eventually(lambda: _codes(prov, doc_id, {"01", "03"}))
            timeline = await prov.deliveries(receipt["message_id"])
            to_g01 = next(d for d in timeline["deliveries"] if d["recipient"] == G01)
            relayed = next(e for e in to_g01["events"] if e["event"] == "relay_relayed")
            assert got[0]["message_id"] in relayed["note"]  # the upstream's id of it
            assert to_g01["state"] == "registered"
            assert [e["status_code"] for e in to_g01["events"] if e["event"] == "status"] == [
                "01", "03"]

            # national -> province, and the 01 of the province's recipient back up
            back = document(G01, [SONG_HINH])
            sent = await bo.send_document(back)
            down = await eventually(lambda: items(songhinh, kind="document", sender=G01))
            assert await songhinh.fetch(down[0]["message_id"]) == back
            await songhinh.ack(down[0]["delivery_id"])
            await eventually(lambda: _codes(bo, sent["document_id"], {"01"}))
            national_view = await bo.deliveries(sent["message_id"])
            events = national_view["deliveries"][0]["events"]
            assert [e["event"] for e in events][:2] == ["created", "relayed"]
            assert national_view["deliveries"][0]["state"] == "received"
    finally:
        hubs.province.stop()
        hubs.national.stop()


async def _codes(client: HubClient, document_id: str, codes: set[str]) -> bool:
    found = {i["status_code"] for i in await client.inbox()
             if i["kind"] == "status" and i["document_id"] == document_id}
    return codes <= found
