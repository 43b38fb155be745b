"""The recipient's hot path reads little: a fetch is one database read (message, the caller's
delivery and the inline bytes together), and an ack after the inbox or the fetch reads
nothing before its transaction (exchange/delivery_facts.py), which still checks the row."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.appkeys import HUB_KEY
from docexchange.exchange.delivery_facts import DeliveryFacts
from docexchange.hub import Hub
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, document

OTHER = "000.00.02.H45"


@contextmanager
def counted_reads(hub: Hub) -> Iterator[list[str]]:
    """Every read made for an HTTP request while inside (writes are not reads; the
    background workers' own scans are theirs)."""
    reads: list[str] = []
    real = hub.db.fetchall

    async def counting(sql: str, params: Any = ()) -> list[Any]:
        task = asyncio.current_task()
        if task is not None and "RequestHandler" in task.get_coro().__qualname__:
            reads.append(sql)
        return await real(sql, params)
    hub.db.fetchall = counting  # type: ignore[method-assign]
    try:
        yield reads
    finally:
        del hub.db.fetchall


async def _sent(client: TestClient, env: HubEnv) -> dict[str, Any]:
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, [SO_NOI_VU]),
                             headers={**env.auth(PROVINCE), **XML})
    assert resp.status == 202
    return dict(await resp.json())


async def test_a_fetch_is_one_read_and_the_ack_after_it_none(client: TestClient,
                                                              hub_env: HubEnv) -> None:
    receipt = await _sent(client, hub_env)
    hub = client.app[HUB_KEY]
    auth = hub_env.auth(SO_NOI_VU)
    (await client.get("/api/v1/units/" + SO_NOI_VU, headers=auth)).close()  # key cached
    delivery_id = receipt["recipients"][0]["delivery_id"]

    with counted_reads(hub) as reads:
        resp = await client.get(f"/api/v1/documents/{receipt['message_id']}", headers=auth)
        assert resp.status == 200 and await resp.read()
    assert len(reads) == 1, reads
    with counted_reads(hub) as reads:
        resp = await client.post(f"/api/v1/deliveries/{delivery_id}/ack", headers=auth)
        assert resp.status == 200 and (await resp.json())["state"] == "received"
    assert reads == []
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(PROVINCE))).json()
    assert [item["status_code"] for item in inbox["items"]] == ["01"]


async def test_an_ack_after_the_inbox_reads_nothing_first(client: TestClient,
                                                          hub_env: HubEnv) -> None:
    await _sent(client, hub_env)
    hub = client.app[HUB_KEY]
    auth = hub_env.auth(SO_NOI_VU)
    items = (await (await client.get("/api/v1/inbox", headers=auth)).json())["items"]
    with counted_reads(hub) as reads:
        resp = await client.post(f"/api/v1/deliveries/{items[0]['delivery_id']}/ack",
                                 headers=auth)
        assert resp.status == 200
    assert reads == []


async def test_what_is_remembered_is_checked_in_the_transaction(client: TestClient,
                                                                hub_env: HubEnv) -> None:
    """A remembered recipient that the row no longer (or never) names gets 404, and the
    delivery stays unacknowledged."""
    receipt = await _sent(client, hub_env)
    hub = client.app[HUB_KEY]
    delivery_id = receipt["recipients"][0]["delivery_id"]
    hub.exchange.delivery_facts.remember(delivery_id, DeliveryFacts(
        OTHER, "document", receipt["message_id"], PROVINCE, receipt["document_id"], "1",
        "UBND-VP"))

    resp = await client.post(f"/api/v1/deliveries/{delivery_id}/ack",
                             headers=hub_env.auth(OTHER))

    assert resp.status == 404 and (await resp.json())["code"] == "DX_NOT_FOUND"
    items = (await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))
                    ).json())["items"]
    assert [item["delivery_id"] for item in items] == [delivery_id]
