"""SIGKILL the real hub while a push is in flight: after the restart every document reaches
the receiver, which stores each once by its idempotency key (the message id), and the hub
records each acknowledgement (and the 01 to the sender) once."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp import web

from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv, db_rows
from tests.exchange.helpers import XML, document
from tests.exchange.test_durability import HubProcess
from tests.push.conftest import operator_auth, push_config
from tests.push.receiver import Receiver
from tests.upstream.hubs import eventually

DOCUMENTS = 6


class SlowReceiver(Receiver):
    """Stores the push, then holds the answer of the 3rd request until the test killed the
    hub: the receiver has it, the hub never heard so."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        response = await super().handle(request)
        if len(self.requests) == 3:
            self.holding.set()
            await self.release.wait()
        return response


def rows(env: HubEnv, query: str) -> list[tuple[Any, ...]]:
    return db_rows(env, query)


async def test_a_sigkill_mid_push_loses_and_doubles_nothing(hub_env: HubEnv,
                                                             aiohttp_server: Any) -> None:
    receiver = SlowReceiver()
    server = await aiohttp_server(receiver.app(), host="127.0.0.1")
    push_config(hub_env, allowed_addresses='["127.0.0.1"]', scan_interval_ms=50,
                backoff_initial_ms=50, backoff_max_ms=200)
    hub = HubProcess(hub_env)
    await hub.start()
    try:
        async with aiohttp.ClientSession() as session:
            url = f"{hub.url}/api/v1"
            await session.put(f"{url}/push-endpoint", headers=hub_env.auth(SO_NOI_VU),
                              json={"url": f"http://127.0.0.1:{server.port}/in"})
            resp = await session.post(f"{url}/ops/push-endpoints/{SO_NOI_VU}/approve",
                                      json={"allow_http": True}, headers=operator_auth(hub_env))
            assert resp.status == 200
            sent = []
            for _ in range(DOCUMENTS):
                async with session.post(f"{url}/documents", data=document(PROVINCE, [SO_NOI_VU]),
                                        headers={**hub_env.auth(PROVINCE), **XML}) as resp:
                    assert resp.status == 202
                    sent.append((await resp.json())["message_id"])
            await asyncio.wait_for(receiver.holding.wait(), 60)
            hub.kill()
            receiver.release.set()
            await hub.start()

            async def all_stored() -> bool:
                done = rows(hub_env, "SELECT COUNT(*) FROM push_queue WHERE state = "
                                     "'delivered'")[0][0]
                return set(receiver.stored) == set(sent) and done == DOCUMENTS
            await eventually(all_stored)
    finally:
        hub.stop()
    keys = [h["Idempotency-Key"] for h, _ in receiver.requests]
    assert len(keys) > len(set(keys)) == DOCUMENTS  # one was pushed again after the kill
    assert rows(hub_env, "SELECT COUNT(*), COUNT(DISTINCT document_id) FROM messages WHERE "
                         f"kind = 'status' AND status_code = '01' AND sender_id = "
                         f"'{SO_NOI_VU}'") == [(DOCUMENTS, DOCUMENTS)]
    assert rows(hub_env, "SELECT COUNT(*) FROM deliveries WHERE recipient_id = "
                         f"'{SO_NOI_VU}' AND acked_ts IS NULL") == [(0,)]
