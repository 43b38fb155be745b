"""The demo plan (config/reorg-2025-07.csv) applied, then a month of documents replayed across
1 July 2025 through the real API, one day at a time: before the date every old code receives;
from the date merged communes follow their new commune, the dissolved district and a split
commune are refused naming their successors, the old province can no longer send and the new
one (a placeholder OrganId) does; unfetched June deliveries follow to the new communes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from docexchange.admin.credentials import issue_api_key
from docexchange.directory import reorganise
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, DbConn, HubEnv
from tests.directory.reorg_helpers import DEMO_PLAN, hub_client, hub_of, set_day
from tests.exchange.helpers import XML, document

DAK_LAK = "TAM.66.00000"
HAI_RIENG = "000.01.31.H45"      # thị trấn Hai Riêng → xã Sông Hinh (22207)
XA_SONG_HINH = "TAM.66.22207"
EA_BAR = "000.05.31.H45"          # split: xã Ea Ly (22237) and xã Ea Bá (22225)
SO_LDTBXH = "000.00.11.H45"       # split on 1 March 2025


async def test_a_month_of_documents_across_the_merger(hub_env: HubEnv,
                                                      aiohttp_client: Any) -> None:
    client = await hub_client(hub_env, aiohttp_client)
    hub = hub_of(client)
    await reorganise.apply_plan(hub, DEMO_PLAN.read_text("utf-8"), DEMO_PLAN.name)
    keys = {PROVINCE: hub_env.api_key(PROVINCE), DAK_LAK: await issue_api_key(hub, DAK_LAK, "test")}

    async def send(sender: str, to: list[str]) -> tuple[int, dict[str, Any]]:
        resp = await client.post("/api/v1/documents", data=document(sender, to), headers={
            "Authorization": f"Bearer {keys[sender]}", **XML})
        return resp.status, await resp.json()

    seen: dict[str, list[str]] = {"before": [], "after": []}
    day = dt.date(2025, 6, 16)
    while day <= dt.date(2025, 7, 15):
        set_day(client, day)
        after = day >= dt.date(2025, 7, 1)
        sender = DAK_LAK if after else PROVINCE
        code, receipt = await send(sender, [HAI_RIENG, SO_NOI_VU])
        assert code == 202, (day, receipt)
        got = sorted(r["organ_id"] for r in receipt["recipients"])
        seen["after" if after else "before"].append(",".join(got))
        code, body = await send(sender, [SONG_HINH, EA_BAR])
        if after:
            assert code == 422 and body["code"] == "DX_RECIPIENT_REORGANISED", (day, body)
            successors = {e["value"]: e["successors"] for e in body["errors"]}
            assert successors == {SONG_HINH: [], EA_BAR: ["TAM.66.22225", "TAM.66.22237"]}
        else:
            assert code == 202, (day, body)
        if after:  # the old province stopped on 30 June
            code, body = await send(PROVINCE, [SO_NOI_VU])
            assert code == 403 and body["code"] == "DX_UNIT_RETIRED", (day, body)
        code, body = await send(sender, [SO_LDTBXH])  # split since March
        assert code == 422 and body["code"] == "DX_RECIPIENT_REORGANISED"
        day += dt.timedelta(days=1)
    assert set(seen["before"]) == {f"{SO_NOI_VU},{HAI_RIENG}"} and len(seen["before"]) == 15
    assert set(seen["after"]) == {f"{SO_NOI_VU},{XA_SONG_HINH}"} and len(seen["after"]) == 15

    # the June documents nobody fetched follow to the new units, with their history
    moved = await reorganise.follow_open_deliveries(hub)
    db = DbConn(hub_env)
    rows = db.execute("SELECT recipient_id, routed_from, COUNT(*) FROM deliveries WHERE "
                      "routed_from IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    assert (XA_SONG_HINH, HAI_RIENG, 15) in rows
    assert all(r[1] != EA_BAR for r in rows)  # a split unit's deliveries stay
    assert moved == sum(r[2] for r in rows)
    stay = db.execute("SELECT COUNT(*) FROM deliveries WHERE recipient_id IN (?, ?) AND "
                      "acked_ts IS NULL", (SONG_HINH, EA_BAR)).fetchone()[0]
    db.close()
    assert stay == 30  # 15 days × (district + split commune), for their grace period
