"""Per-unit rate limit, request ids, operator token expiry and revocation, static names."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.admin.operators import issue_token, revoke_token
from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.clock import SYSTEM_CLOCK, FixedClock
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv


async def test_a_unit_over_its_rate_gets_429_with_retry_after(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    config = replace(hub_env.config, server=replace(hub_env.config.server, unit_rate_limit=1,
                                                    unit_rate_burst=3))
    client = await aiohttp_client(create_app(config))
    statuses = [(await client.get("/api/v1/inbox", headers=hub_env.auth(PROVINCE))).status
                for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = await client.get("/api/v1/inbox", headers=hub_env.auth(PROVINCE))
    body = await limited.json()
    assert limited.status == 429 and body["code"] == "DX_RATE_LIMITED"
    assert int(limited.headers["Retry-After"]) >= 1 and body["detail_vi"]
    other = await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))
    assert other.status == 200  # another unit has its own bucket


async def test_only_a_safe_request_id_is_kept(client: TestClient) -> None:
    kept = await client.get("/healthz", headers={"X-Request-Id": "dms-01.abc_2"})
    assert kept.headers["X-Request-Id"] == "dms-01.abc_2"
    for bad in ("a b", "x" * 65, "<script>", "id\u00e9"):
        resp = await client.get("/api/v1/nowhere", headers={"X-Request-Id": bad})
        assert resp.headers["X-Request-Id"] != bad
        assert (await resp.json())["request_id"] == resp.headers["X-Request-Id"]


async def test_operator_tokens_expire_and_are_revoked_one_by_one(
        client: TestClient, hub_env: HubEnv, monkeypatch: Any) -> None:
    hub = client.app[HUB_KEY]
    keep = await issue_token(hub, "admin", "test", valid_days=1)
    drop = await issue_token(hub, "admin", "test", valid_days=1)
    for token in (keep, drop):
        resp = await client.get("/api/v1/ops/kpis", headers={"Authorization": f"Bearer {token}"})
        assert resp.status == 200
    assert await revoke_token(hub, drop.split("_")[1], "test")
    assert (await client.get("/api/v1/ops/kpis", headers={
        "Authorization": f"Bearer {drop}"})).status == 401
    assert (await client.get("/api/v1/ops/kpis", headers={
        "Authorization": f"Bearer {keep}"})).status == 200
    hub.clock = FixedClock(SYSTEM_CLOCK.now_ms() + 2 * 86_400_000)  # two days on
    assert (await client.get("/api/v1/ops/kpis", headers={
        "Authorization": f"Bearer {keep}"})).status == 401


async def test_an_overlong_static_name_is_404(client: TestClient) -> None:
    resp = await client.get("/dashboard/static/" + "a" * 4000)
    assert resp.status == 404
