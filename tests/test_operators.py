"""Operator accounts through the CLI; tokens authenticate, unit keys do not."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp.test_utils import TestClient

from docexchange.admin.operators import check_login, operator_for_token
from docexchange.cli import main
from docexchange.hub import Hub
from tests.conftest import SO_NOI_VU, HubEnv


def test_operator_cli_lifecycle(hub_env: HubEnv, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = ["--config", str(hub_env.config_path)]
    assert main([*cfg, "operators", "add", "lan", "--role", "viewer", "--password", "pw-1"]) == 0
    assert main([*cfg, "operators", "token", "lan"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("dxop_")
    assert main([*cfg, "operators", "list"]) == 0
    assert "lan" in capsys.readouterr().out

    async def check() -> None:
        hub = await Hub.open(hub_env.config)
        try:
            assert (await operator_for_token(hub, token)).role == "viewer"
            assert await check_login(hub, "lan", "pw-1") is not None
            assert await check_login(hub, "lan", "wrong") is None
            assert await check_login(hub, "nobody", "pw-1") is None
            stored = await hub.db.fetchone("SELECT password_hash FROM operators WHERE name='lan'")
            assert stored["password_hash"].startswith("$argon2id$")
        finally:
            await hub.close()
    asyncio.run(check())
    assert main([*cfg, "operators", "disable", "lan"]) == 0

    async def disabled() -> None:
        hub = await Hub.open(hub_env.config)
        try:
            assert await operator_for_token(hub, token) is None
            assert await check_login(hub, "lan", "pw-1") is None
        finally:
            await hub.close()
    asyncio.run(disabled())


def test_init_wrote_a_demo_admin(hub_env: HubEnv) -> None:
    admin = json.loads(hub_env.config.keys.dev_credentials.read_text("utf-8"))["operators"]["admin"]
    assert admin["password"] and admin["api_token"].startswith("dxop_")


async def test_operator_auth_rejects_unit_keys(client: TestClient, hub_env: HubEnv) -> None:
    admin = hub_env.credentials["operators"]["admin"]["api_token"]
    ok = await client.get("/api/v1/ops/kpis", headers={"Authorization": f"Bearer {admin}"})
    assert ok.status == 200 and "overall" in await ok.json()
    unit = await client.get("/api/v1/ops/kpis", headers=hub_env.auth(SO_NOI_VU))
    assert unit.status == 403 and (await unit.json())["code"] == "DX_FORBIDDEN"
    bad = await client.get("/api/v1/ops/kpis", headers={"Authorization": "Bearer dxop_x_y"})
    assert bad.status == 401 and (await bad.json())["code"] == "DX_UNAUTHENTICATED"
