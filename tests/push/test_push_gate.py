"""The push worker looks at its queues when a unit it serves gets inbox work, not after every
commit: with the timed round ten minutes away, a document for a unit with an approved endpoint
is still pushed at once, and documents for units without one cost no queue reads."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from docexchange.app import create_app
from docexchange.cli import main
from docexchange.store import push as push_sql
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document
from tests.push.conftest import push_config
from tests.push.receiver import Receiver
from tests.push.test_push import eventually

TEN_MINUTES_MS = 600_000


async def approve_before_start(env: HubEnv, url: str) -> None:
    cfg = str(env.config_path)
    assert await asyncio.to_thread(main, ["--config", cfg, "push", "register", SO_NOI_VU,
                                          url]) == 0
    assert await asyncio.to_thread(main, ["--config", cfg, "push", "approve", SO_NOI_VU,
                                          "--allow-http", "--operator", "test"]) == 0


async def test_a_document_for_a_pushed_unit_wakes_the_worker(
        hub_env: HubEnv, aiohttp_client: Any, aiohttp_server: Any) -> None:
    receiver = Receiver()
    server = await aiohttp_server(receiver.app(), host="127.0.0.1")
    push_config(hub_env, allowed_addresses='["127.0.0.1"]', scan_interval_ms=TEN_MINUTES_MS)
    await approve_before_start(hub_env, f"http://127.0.0.1:{server.port}/in")
    client = await aiohttp_client(create_app(hub_env.config))
    await asyncio.sleep(0.5)  # the worker's first round has read the approved units
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, [SO_NOI_VU]),
                             headers={**hub_env.auth(PROVINCE), **XML})
    assert resp.status == 202
    message_id = (await resp.json())["message_id"]

    async def pushed() -> bool:
        return any(h["X-DocExchange-Message-Id"] == message_id for h, _ in receiver.requests)
    await eventually(pushed)  # 30 s at most: the timed round is 10 minutes away


async def test_documents_for_units_without_push_cost_no_queue_reads(
        hub_env: HubEnv, aiohttp_client: Any, aiohttp_server: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    push_config(hub_env, allowed_addresses='["127.0.0.1"]', scan_interval_ms=TEN_MINUTES_MS)
    await approve_before_start(hub_env, "http://127.0.0.1:9/in")
    rounds: list[int] = []
    unqueued = push_sql.unqueued

    async def counted(*args: Any, **kwargs: Any) -> list[Any]:
        rounds.append(1)
        return await unqueued(*args, **kwargs)
    monkeypatch.setattr(push_sql, "unqueued", counted)
    client = await aiohttp_client(create_app(hub_env.config))
    await eventually(lambda: asyncio.sleep(0, bool(rounds)))  # the first round, at start
    first = len(rounds)
    for _ in range(5):
        resp = await client.post("/api/v1/documents", data=document(PROVINCE, [SONG_HINH]),
                                 headers={**hub_env.auth(PROVINCE), **XML})
        assert resp.status == 202
    await asyncio.sleep(0.5)
    assert len(rounds) == first  # five commits, no push round
