"""The dashboard unit page shows predecessors and successors, and marks placeholder OrganIds."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from docexchange.appkeys import HUB_KEY
from docexchange.directory import reorganise
from tests.conftest import PROVINCE, SONG_HINH, HubEnv
from tests.dashboard.forms import login
from tests.directory.reorg_helpers import DEMO_PLAN


async def test_unit_pages_show_the_lineage(client: TestClient, hub_env: HubEnv) -> None:
    await reorganise.apply_plan(client.app[HUB_KEY], DEMO_PLAN.read_text("utf-8"), "demo")
    await login(client, hub_env)
    old = await (await client.get(f"/dashboard/units/{PROVINCE}?lang=en")).text()
    assert 'data-testid="unit-lineage"' in old and "/dashboard/units/TAM.66.00000" in old
    assert "2018-01-01 until 2025-06-30" in old
    new = await (await client.get("/dashboard/units/TAM.66.00000?lang=en")).text()
    assert f"/dashboard/units/{PROVINCE}" in new and 'data-testid="placeholder"' in new
    district = await (await client.get(f"/dashboard/units/{SONG_HINH}?lang=en")).text()
    assert "dissolved, no successor" in district and 'data-testid="placeholder"' not in district
