"""The /api/v1/ops endpoints: operators only (unit keys 403, nothing 401), shapes, parameters."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from docexchange.admin.operators import add_operator, issue_token
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.monitor.conftest import admin, hub_of

READS = ["/api/v1/ops/connectivity", "/api/v1/ops/kpis", "/api/v1/ops/trend",
         "/api/v1/ops/stuck", "/api/v1/ops/overdue", "/api/v1/ops/not-acked",
         "/api/v1/ops/expiring-credentials", f"/api/v1/ops/units/{SO_NOI_VU}",
         "/api/v1/ops/alerts"]
ACTIONS = [f"/api/v1/ops/units/{SONG_HINH}/disable-credentials",
           f"/api/v1/ops/units/{SONG_HINH}/reissue-credentials"]


async def test_operators_only(ops_client: TestClient, hub_env: HubEnv) -> None:
    for path in READS:
        assert (await ops_client.get(path, headers=admin(hub_env))).status == 200, path
        unit = await ops_client.get(path, headers=hub_env.auth(SO_NOI_VU))
        assert unit.status == 403 and (await unit.json())["code"] == "DX_FORBIDDEN", path
        nobody = await ops_client.get(path)
        assert nobody.status == 401 and (await nobody.json())["code"] == "DX_UNAUTHENTICATED"
        forged = await ops_client.get(path, headers={"Authorization": "Bearer dxop_a_b"})
        assert forged.status == 401, path
    for path in [*ACTIONS, "/api/v1/ops/snapshots"]:
        assert (await ops_client.post(path, headers=hub_env.auth(SO_NOI_VU))).status == 403
        assert (await ops_client.post(path)).status == 401


async def test_actions_need_the_admin_role(ops_client: TestClient, hub_env: HubEnv) -> None:
    hub = hub_of(ops_client)
    await add_operator(hub, "lan", "viewer", "pw-1", "test")
    viewer = {"Authorization": f"Bearer {await issue_token(hub, 'lan', 'test')}"}
    assert (await ops_client.get("/api/v1/ops/kpis", headers=viewer)).status == 200
    for path in ACTIONS:
        resp = await ops_client.post(path, headers=viewer)
        assert resp.status == 403 and (await resp.json())["code"] == "DX_FORBIDDEN"
    assert (await ops_client.get("/api/v1/units", headers=hub_env.auth(SONG_HINH))).status == 200


async def test_connectivity_and_unit_views(ops_client: TestClient, hub_env: HubEnv) -> None:
    await ops_client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))
    body = await (await ops_client.get("/api/v1/ops/connectivity?state=connected",
                                       headers=admin(hub_env))).json()
    assert body["count"] == 1 and body["units"][0]["organ_id"] == SO_NOI_VU
    unit = body["units"][0]
    assert unit["last_poll_at"] and unit["parent"] == PROVINCE and unit["backlog"] == 0
    assert unit["credential_expiry_at"] is not None  # its dev signing certificate
    districts = await (await ops_client.get("/api/v1/ops/connectivity?kind=district&state=never",
                                            headers=admin(hub_env))).json()
    assert districts["count"] == 9
    bad = await ops_client.get("/api/v1/ops/connectivity?state=asleep", headers=admin(hub_env))
    assert bad.status == 400 and (await bad.json())["errors"][0]["parameter"] == "state"
    detail = await (await ops_client.get(f"/api/v1/ops/units/{SO_NOI_VU}",
                                         headers=admin(hub_env))).json()
    assert detail["status"]["state"] == "connected" and detail["documents_in"] == []
    missing = await ops_client.get("/api/v1/ops/units/NOPE", headers=admin(hub_env))
    assert missing.status == 404 and (await missing.json())["code"] == "DX_NOT_FOUND"


async def test_kpis_stuck_trend_snapshot(ops_client: TestClient, hub_env: HubEnv) -> None:
    kpis = await (await ops_client.get("/api/v1/ops/kpis", headers=admin(hub_env))).json()
    assert set(kpis) == {"overall", "by_kind", "by_parent"}
    assert kpis["overall"]["units"] == 144 and kpis["overall"]["acked_same_day_pct"] is None
    stuck = await (await ops_client.get("/api/v1/ops/stuck", headers=admin(hub_env))).json()
    assert stuck == {"stuck_after_s": 3600, "older_than": 3600, "count": 0, "items": []}
    for query in ("older_than=-1", "older_than=1e3", "older_than=99999999999"):
        resp = await ops_client.get(f"/api/v1/ops/stuck?{query}", headers=admin(hub_env))
        assert resp.status == 400, query
    taken = await ops_client.post("/api/v1/ops/snapshots", headers=admin(hub_env))
    day = (await taken.json())["day"]
    trend = await (await ops_client.get("/api/v1/ops/trend?days=2",
                                        headers=admin(hub_env))).json()
    assert [t["day"] for t in trend["days"]][-1] == day
    assert trend["days"][-1]["ever_connected_pct"] == 0.0 and trend["days"][0]["documents"] in (
        None, 0)
    assert (await ops_client.get("/api/v1/ops/not-acked?day=2026-13-01",
                                 headers=admin(hub_env))).status == 400


@pytest.mark.parametrize("query", ["state=open", "state=closed", "unit=000.00.12.H45&limit=5"])
async def test_alert_list_parameters(ops_client: TestClient, hub_env: HubEnv,
                                     query: str) -> None:
    resp = await ops_client.get(f"/api/v1/ops/alerts?{query}", headers=admin(hub_env))
    assert resp.status == 200 and (await resp.json())["items"] == []
