"""Across nodes, the push worker on the elected node is woken by the NOTIFY of inbox work
committed on the other node (its timed round is ten minutes away here)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, document
from tests.nodes.test_cluster import TIMEOUT, start_nodes, stop_all
from tests.push.conftest import push_config
from tests.push.receiver import Receiver
from tests.push.test_push import eventually
from tests.push.test_push_gate import TEN_MINUTES_MS, approve_before_start


async def test_a_send_on_either_node_is_pushed_at_once(pg_hub_env: HubEnv,
                                                       aiohttp_server: Any) -> None:
    receiver = Receiver()
    server = await aiohttp_server(receiver.app(), host="127.0.0.1")
    push_config(pg_hub_env, allowed_addresses='["127.0.0.1"]', scan_interval_ms=TEN_MINUTES_MS)
    await approve_before_start(pg_hub_env, f"http://127.0.0.1:{server.port}/in")
    nodes = await start_nodes(pg_hub_env)
    try:
        await asyncio.sleep(1)  # one node is elected and its worker's first round has run
        sent = []
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            for node in nodes:  # one of them is not the leader: its commit reaches it by NOTIFY
                async with session.post(f"{node.url}/api/v1/documents", headers={
                        **pg_hub_env.auth(PROVINCE), **XML},
                        data=document(PROVINCE, [SO_NOI_VU])) as resp:
                    assert resp.status == 202
                    sent.append((await resp.json())["message_id"])

        async def all_pushed() -> bool:
            pushed = {h["X-DocExchange-Message-Id"] for h, _ in receiver.requests}
            return set(sent) <= pushed
        await eventually(all_pushed)  # 30 s at most: the timed round is 10 minutes away
    finally:
        stop_all(nodes)
