"""SIGKILL either hub in the middle of relaying: every document that got a receipt arrives
once, every acknowledgement comes back once as status 01, nothing is lost or doubled."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from docexchange.client import HubClient
from tests.conftest import PROVINCE, SONG_HINH, HubEnv, db_rows
from tests.exchange.helpers import document
from tests.exchange.test_durability import HubProcess
from tests.upstream.hubs import G01, eventually, two_hubs

ROUNDS = 6


async def send_until_accepted(client: HubClient, packet: bytes) -> str:
    """Retry through a dead hub: a repeat of the same bytes returns the first receipt."""
    async def attempt() -> str | None:
        try:
            return str((await client.send_document(packet))["document_id"])
        except (aiohttp.ClientError, OSError, TimeoutError):
            return None
    return str(await eventually(attempt))


async def ack_all(client: HubClient, sender: str) -> set[str]:
    """Acknowledge what arrived from `sender`; returns its DocumentIds (tolerates a dead hub)."""
    try:
        found = [i for i in await client.inbox() if i["kind"] == "document"
                 and i["sender"] == sender]
        for item in found:
            await client.ack(item["delivery_id"])
    except (aiohttp.ClientError, OSError, TimeoutError):
        return set()
    return {i["document_id"] for i in found}


def rows(env: HubEnv, query: str, *args: str) -> list[tuple[object, ...]]:
    return db_rows(env, query, args)


async def restart(process: HubProcess) -> None:
    process.kill()
    await process.start()


async def test_sigkill_of_either_hub_loses_and_doubles_nothing(hub_env: HubEnv,
                                                                tmp_path: Path) -> None:
    hubs = await two_hubs(hub_env, tmp_path / "national")
    p, n = hubs.province_env, hubs.national_env
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            prov = HubClient(hubs.province.url, p.api_key(PROVINCE), session=session)
            songhinh = HubClient(hubs.province.url, p.api_key(SONG_HINH), session=session)
            bo = HubClient(hubs.national.url, n.api_key(G01), session=session)
            up, down = set(), set()
            got_up: set[str] = set()
            got_down: set[str] = set()
            for i in range(ROUNDS):
                up.add(await send_until_accepted(prov, document(PROVINCE, [G01])))
                down.add(await send_until_accepted(bo, document(G01, [SONG_HINH])))
                if i == 1:
                    await restart(hubs.province)   # right after a send: relay in flight
                if i == 3:
                    await restart(hubs.national)
                if i == 4:  # some acknowledged (01 on its way back) when the province dies
                    got_up.update(await ack_all(bo, PROVINCE))
                    got_down.update(await ack_all(songhinh, G01))
                    await restart(hubs.province)

            async def all_arrived() -> bool:
                got_up.update(await ack_all(bo, PROVINCE))
                got_down.update(await ack_all(songhinh, G01))
                return got_up == up and got_down == down
            await eventually(all_arrived)
            await eventually(lambda: _statuses_back(p, n, len(up), len(down)))
    finally:
        hubs.province.stop()
        hubs.national.stop()
    # exactly one copy of each document on the other hub, one delivery, one 01 back
    assert rows(n, "SELECT COUNT(*), COUNT(DISTINCT document_id) FROM messages WHERE kind = "
                   "'document' AND sender_id = ?", PROVINCE) == [(ROUNDS, ROUNDS)]
    assert rows(p, "SELECT COUNT(*), COUNT(DISTINCT document_id) FROM messages WHERE kind = "
                   "'document' AND sender_id = ?", G01) == [(ROUNDS, ROUNDS)]
    assert rows(n, "SELECT COUNT(*) FROM deliveries d JOIN messages m USING (message_id) WHERE "
                   "m.sender_id = ? AND m.kind = 'document'", PROVINCE) == [(ROUNDS,)]
    for env, unit in ((p, G01), (n, SONG_HINH)):
        assert rows(env, "SELECT COUNT(*), COUNT(DISTINCT document_id) FROM messages WHERE "
                         "kind = 'status' AND status_code = '01' AND sender_id = ?",
                    unit) == [(ROUNDS, ROUNDS)]
    assert rows(p, "SELECT COUNT(*) FROM relay_out WHERE state != 'relayed'") == [(0,)]


async def _statuses_back(p: HubEnv, n: HubEnv, up: int, down: int) -> bool:
    back_up = rows(p, "SELECT COUNT(DISTINCT document_id) FROM messages WHERE kind = 'status' "
                      "AND status_code = '01' AND sender_id = ?", G01)[0][0]
    back_down = rows(n, "SELECT COUNT(DISTINCT document_id) FROM messages WHERE kind = "
                        "'status' AND status_code = '01' AND sender_id = ?", SONG_HINH)[0][0]
    # the province marks a relayed 01 only after the national hub took it: wait for that mark
    # too, or stopping the hubs here would cut the window between the two commits
    unrelayed = rows(p, "SELECT COUNT(*) FROM relay_out WHERE state != 'relayed'")[0][0]
    return back_up == up and back_down == down and unrelayed == 0
