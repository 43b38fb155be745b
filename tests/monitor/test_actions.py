"""Operator actions: disable and re-issue a unit's API keys, each logged with the operator."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.accounts.operators import Operator
from docexchange.errors import DocExchangeError
from docexchange.hub import Hub
from docexchange.monitor import actions
from docexchange.store import units as unit_store
from docexchange.unit import Unit
from tests.conftest import PROVINCE, SONG_HINH, HubEnv
from tests.monitor.conftest import admin, hub_of


async def _operator_actions(hub: Hub) -> list[dict[str, Any]]:
    rows = await hub.db.fetchall("SELECT data, units FROM log_leaves WHERE event = "
                                 "'operator_action' ORDER BY leaf_index")
    return [{**json.loads(r["data"]), "_units": r["units"]} for r in rows]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_disable_then_reissue(ops_client: TestClient, hub_env: HubEnv) -> None:
    hub = hub_of(ops_client)
    old = hub_env.auth(SONG_HINH)
    assert (await ops_client.get("/api/v1/units", headers=old)).status == 200
    disabled = await ops_client.post(f"/api/v1/ops/units/{SONG_HINH}/disable-credentials",
                                     headers=admin(hub_env))
    assert await disabled.json() == {"organ_id": SONG_HINH, "revoked": 1}
    assert (await ops_client.get("/api/v1/units", headers=old)).status == 401

    reissued = await ops_client.post(f"/api/v1/ops/units/{SONG_HINH}/reissue-credentials",
                                     headers=admin(hub_env))
    body = await reissued.json()
    assert reissued.status == 201 and reissued.headers["Cache-Control"] == "no-store"
    assert body["revoked"] == 0 and body["api_key"].startswith(f"dx_{body['key_id']}_")
    assert (await ops_client.get("/api/v1/units", headers=_bearer(body["api_key"]))).status == 200
    assert (await ops_client.get("/api/v1/units", headers=old)).status == 401

    again = await (await ops_client.post(f"/api/v1/ops/units/{SONG_HINH}/reissue-credentials",
                                         headers=admin(hub_env))).json()
    assert again["revoked"] == 1  # the previous new key: one usable key at a time
    assert (await ops_client.get("/api/v1/units", headers=_bearer(body["api_key"]))).status == 401

    logged = await _operator_actions(hub)
    assert [(e["action"], e["operator"], e["unit"]) for e in logged] == [
        ("disable_credentials", "admin", SONG_HINH),
        ("reissue_credentials", "admin", SONG_HINH),
        ("reissue_credentials", "admin", SONG_HINH)]
    assert logged[1]["new_key_id"] == body["key_id"] and logged[2]["revoked_key_ids"] == [
        body["key_id"]]
    assert all(e["_units"] == f",{SONG_HINH}," for e in logged)
    assert body["api_key"] not in json.dumps(logged)  # only ids are logged, never a key


async def test_service_checks_role_unit_and_validity(ops_client: TestClient) -> None:
    hub = hub_of(ops_client)
    with pytest.raises(DocExchangeError) as forbidden:
        await actions.disable_credentials(hub, SONG_HINH, Operator("lan", "viewer"))
    assert forbidden.value.code == "DX_FORBIDDEN"
    with pytest.raises(DocExchangeError) as missing:
        await actions.reissue_credentials(hub, "NOPE", Operator("root", "admin"))
    assert missing.value.code == "DX_NOT_FOUND"
    retired = Unit("000.00.99.H45", "Phòng đã giải thể", "other", PROVINCE,
                   valid_from=dt.date(2018, 1, 1), valid_to=dt.date(2019, 12, 31))
    await hub.db.write("add_retired", lambda c: unit_store.upsert_unit_txn(c, retired, 0))
    await hub.directory.reload()
    with pytest.raises(DocExchangeError) as conflict:
        await actions.reissue_credentials(hub, retired.organ_id, Operator("root", "admin"))
    assert conflict.value.code == "DX_CONFLICT"
    change = await actions.disable_credentials(hub, retired.organ_id, Operator("root", "admin"))
    assert change.to_json() == {"organ_id": retired.organ_id, "revoked": 0}
