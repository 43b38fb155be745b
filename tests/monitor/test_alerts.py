"""Alert rules: raised once while open, logged, POSTed to a real local webhook that fails
first, closed when the condition clears."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from docexchange.app import create_app
from docexchange.clock import SYSTEM_CLOCK
from docexchange.hub import Hub
from docexchange.monitor import alerts
from docexchange.monitor.webhook import post_json
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, document
from tests.monitor.conftest import admin, hub_of, quiet

HOUR = 3_600_000


class Webhook:
    """A loopback receiver that answers 500 to the first `failures` POSTs, then 204."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[dict[str, Any]] = []
        self.attempts = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.attempts <= self.failures:
            return web.Response(status=500)
        self.received.append(await request.json())
        return web.Response(status=204)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        return app


async def _leaves(hub: Hub, event: str) -> list[dict[str, Any]]:
    rows = await hub.db.fetchall("SELECT leaf_index, data FROM log_leaves WHERE event = ? "
                                 "ORDER BY leaf_index", (event,))
    return [{**json.loads(r["data"]), "leaf_index": r["leaf_index"]} for r in rows]


async def test_alerts_are_raised_logged_notified_and_closed(
        hub_env: HubEnv, aiohttp_client: Any, aiohttp_server: Any) -> None:
    hook = Webhook(failures=1)
    server: TestServer = await aiohttp_server(hook.app())
    config = quiet(hub_env.config, webhook_url=str(server.make_url("/hook")),
                   webhook_retries=2, webhook_backoff_ms=10, backlog_older_than=60)
    client: TestClient = await aiohttp_client(create_app(config))
    hub = hub_of(client)
    sent = await client.post("/api/v1/documents", data=document(PROVINCE, [SO_NOI_VU]),
                             headers={**hub_env.auth(PROVINCE), **XML})
    classified = await client.post("/api/v1/documents", headers={
        **hub_env.auth(PROVINCE), **XML}, data=document(PROVINCE, [SO_NOI_VU], subject="MẬT"))
    assert sent.status == 202 and classified.status == 422
    now = SYSTEM_CLOCK.now_ms() + 2 * 60_000

    raised = await alerts.evaluate(hub, now_ms=now)
    listed = await alerts.list_alerts(hub, state="open")
    assert sorted(a["rule"] for a in listed) == ["backlog", "classified_refused"]
    assert {a["alert_id"] for a in listed} == set(raised)
    backlog = next(a for a in listed if a["rule"] == "backlog")
    assert backlog["organ_id"] == SO_NOI_VU and backlog["details"]["backlog"] == 1
    leaves = await _leaves(hub, "alert_raised")
    assert {leaf["alert_id"] for leaf in leaves} == set(raised)
    assert {a["log_index"] for a in listed} == {leaf["leaf_index"] for leaf in leaves}

    writes = hub.db.stats.by_name  # by name: background work may write beside the test
    evaluated = writes["evaluate_alerts"]
    assert await alerts.evaluate(hub, now_ms=now) == []  # still open: not raised again
    assert writes["evaluate_alerts"] == evaluated  # and nothing written

    async with aiohttp.ClientSession() as session:
        assert await alerts.notify(hub, session) == 2
        assert hook.attempts == 3  # the first POST failed and was retried
        assert await alerts.notify(hub, session) == 0
    assert sorted(body["rule"] for body in hook.received) == ["backlog", "classified_refused"]
    assert all(a["notified_at"] for a in await alerts.list_alerts(hub))

    delivery = (await sent.json())["recipients"][0]["delivery_id"]
    await client.post(f"/api/v1/deliveries/{delivery}/ack", headers=hub_env.auth(SO_NOI_VU))
    soon = SYSTEM_CLOCK.now_ms() + 30_000
    assert await alerts.evaluate(hub, now_ms=soon) == []  # 01 to the sender: new
    assert [a["rule"] for a in await alerts.list_alerts(hub, state="closed")] == ["backlog"]
    assert [leaf["rule"] for leaf in await _leaves(hub, "alert_closed")] == ["backlog"]

    later = await alerts.evaluate(hub, now_ms=now + 25 * HOUR)  # a day on: silent units ...
    rules = {(a["rule"], a["subject"]) for a in await alerts.list_alerts(hub, state="open")}
    assert {("disconnected", PROVINCE), ("disconnected", SO_NOI_VU)} <= rules
    assert ("backlog", PROVINCE) in rules  # ... and the 01 status nobody fetched
    assert not any(rule == "classified_refused" for rule, _ in rules)  # an event, closed
    assert len(later) == len(rules)
    body = await (await client.get("/api/v1/ops/alerts?state=open",
                                   headers=admin(hub_env))).json()
    assert body["count"] == len(rules)


async def test_the_webhook_gives_up_after_its_retries(aiohttp_server: Any) -> None:
    hook = Webhook(failures=10)
    server: TestServer = await aiohttp_server(hook.app())
    async with aiohttp.ClientSession() as session:
        ok = await post_json(session, str(server.make_url("/hook")), {"a": 1}, retries=2,
                             backoff_ms=1)
    assert ok is False and hook.attempts == 3
    async with aiohttp.ClientSession() as session:  # nothing listens there: a connection error
        closed = str(server.make_url("/hook"))
        await server.close()
        assert await post_json(session, closed, {}, retries=1, backoff_ms=1) is False


async def test_rules_switched_off_raise_nothing(hub_env: HubEnv, aiohttp_client: Any) -> None:
    config = quiet(hub_env.config, backlog_older_than=0, disconnected_after=0,
                   certificate_expiring_days=0, classified_refused=False)
    client: TestClient = await aiohttp_client(create_app(config))
    hub = hub_of(client)
    await client.post("/api/v1/documents", headers={**hub_env.auth(PROVINCE), **XML},
                      data=document(PROVINCE, [SO_NOI_VU], subject="MẬT"))
    assert await alerts.evaluate(hub, now_ms=SYSTEM_CLOCK.now_ms() + 400 * 24 * HOUR) == []


async def test_expiring_certificates_raise_alerts(ops_client: TestClient) -> None:
    hub = hub_of(ops_client)
    in_340_days = SYSTEM_CLOCK.now_ms() + 340 * 24 * HOUR  # the demo certificates live 365 days
    raised = await alerts.evaluate(hub, now_ms=in_340_days)
    expiring = await alerts.list_alerts(hub, state="open", limit=1000)
    assert len(raised) == len(expiring) == 144
    assert {a["rule"] for a in expiring} == {"credential_expiring"}
    assert all(a["details"]["credential"] == "certificate" for a in expiring)


async def test_the_server_runs_the_checks(hub_env: HubEnv, aiohttp_client: Any,
                                          aiohttp_server: Any) -> None:
    """app.py starts the monitor: contacts get written, a classified refusal reaches the
    webhook and yesterday's KPIs are stored, without anyone calling them (intervals of 0)."""
    hook = Webhook(failures=0)
    arrived = asyncio.Event()

    async def handle(request: web.Request) -> web.Response:
        response = await hook.handle(request)
        arrived.set()
        return response
    app = web.Application()
    app.router.add_post("/hook", handle)
    server: TestServer = await aiohttp_server(app)
    config = quiet(hub_env.config, webhook_url=str(server.make_url("/hook")), check_interval=0)
    config = dataclasses.replace(config, monitor=dataclasses.replace(
        config.monitor, activity_flush_interval=0))
    client: TestClient = await aiohttp_client(create_app(config))
    await client.post("/api/v1/documents", headers={**hub_env.auth(PROVINCE), **XML},
                      data=document(PROVINCE, [SO_NOI_VU], subject="TỐI MẬT"))
    await asyncio.wait_for(arrived.wait(), 10)
    assert hook.received[0]["rule"] == "classified_refused"
    hub = hub_of(client)
    for _ in range(1000):
        if await hub.db.fetchone("SELECT 1 FROM unit_activity") and await hub.db.fetchone(
                "SELECT 1 FROM kpi_snapshots"):
            break
        await asyncio.sleep(0.01)
    row = await hub.db.fetchone("SELECT organ_id FROM unit_activity")
    assert row is not None and row["organ_id"] == PROVINCE
    assert await hub.db.fetchone("SELECT 1 FROM kpi_snapshots WHERE scope = 'overall'")


async def test_classified_refusals_of_a_unit_share_one_counting_alert(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    client: TestClient = await aiohttp_client(create_app(quiet(hub_env.config)))
    hub = hub_of(client)
    for i in range(3):
        packet = document(PROVINCE, [SO_NOI_VU], subject=f"MẬT - kế hoạch số {i}")
        resp = await client.post("/api/v1/documents", data=packet,
                                 headers={**hub_env.auth(PROVINCE), **XML})
        assert resp.status == 422
        await alerts.evaluate(hub, now_ms=SYSTEM_CLOCK.now_ms() + 1000)
    [alert] = await alerts.list_alerts(hub)
    assert (alert["rule"], alert["subject"]) == ("classified_refused", PROVINCE)
    assert alert["details"]["refusals"] == 3 and alert["closed_at"] is None
    assert len(await _leaves(hub, "alert_raised")) == 1
    await alerts.evaluate(hub, now_ms=SYSTEM_CLOCK.now_ms() + 25 * HOUR)
    assert [a["rule"] for a in await alerts.list_alerts(hub, state="closed")] == [
        "classified_refused"]
