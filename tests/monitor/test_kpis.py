"""KPIs, stuck, overdue, late and snapshots on a scripted day (times rewritten in the database,
contacts noted on a fake clock), with the exact numbers docs/operations.md defines."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient

from docexchange.accounts.activity import ActivityTracker
from docexchange.edxml import Organization, build_document, new_document
from docexchange.hub import Hub
from docexchange.monitor import connectivity
from docexchange.monitor.days import local_ms
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document
from tests.monitor.conftest import hub_of

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
KH_DT = "000.00.02.H45"  # Sở Kế hoạch và Đầu tư, a department
DAY = dt.date(2026, 11, 27)


def at(day: dt.date, hour: int, minute: int = 0) -> int:
    return local_ms(ZONE, day.year, day.month, day.day, hour, minute)


NEXT = DAY + dt.timedelta(days=1)


def due_document(sender: str, to: list[str], due: dt.date) -> bytes:
    packet = new_document(Organization(organ_id=sender, organ_name="Sở Nội vụ"), to,
                          code_number="77", code_notation="SNV", subject="V/v hạn báo cáo",
                          now=dt.datetime(2026, 11, 27, 8, 0), files=[("a.pdf", b"%PDF-1.4")],
                          due_date=due)
    return build_document(packet)


async def _send(client: TestClient, env: HubEnv, sender: str, data: bytes) -> dict[str, Any]:
    resp = await client.post("/api/v1/documents", data=data, headers={**env.auth(sender), **XML})
    assert resp.status == 202, await resp.json()
    return dict(await resp.json())


async def _rewrite(hub: Hub, sql: str, *params: Any) -> None:
    await hub.db.write("test_rewrite", lambda c: c.execute(sql, params))


async def scripted_day(client: TestClient, env: HubEnv) -> Hub:
    """DAY: the province sends one document to Sở Nội vụ, Sông Hinh and Sở KH-ĐT at 09:00;
    Sở Nội vụ acknowledges at 10:30, Sông Hinh the next day at 08:00, Sở KH-ĐT never. At
    11:00 Sở Nội vụ sends Sở KH-ĐT a document due the day before (overdue from the start)."""
    hub = hub_of(client)
    first = await _send(client, env, PROVINCE, document(PROVINCE, [SO_NOI_VU, SONG_HINH, KH_DT]))
    second = await _send(client, env, SO_NOI_VU, due_document(SO_NOI_VU, [KH_DT],
                                                              DAY - dt.timedelta(days=1)))
    for receipt, ts in ((first, at(DAY, 9)), (second, at(DAY, 11))):
        await _rewrite(hub, "UPDATE messages SET accepted_ts = ? WHERE message_id = ?", ts,
                       receipt["message_id"])
        await _rewrite(hub, "UPDATE deliveries SET created_ts = ? WHERE message_id = ?", ts,
                       receipt["message_id"])
    for unit, ts in ((SO_NOI_VU, at(DAY, 10, 30)), (SONG_HINH, at(NEXT, 8))):
        delivery = next(r["delivery_id"] for r in first["recipients"] if r["organ_id"] == unit)
        resp = await client.post(f"/api/v1/deliveries/{delivery}/ack", headers=env.auth(unit))
        assert resp.status == 200
        await _rewrite(hub, "UPDATE deliveries SET acked_ts = ? WHERE delivery_id = ?", ts,
                       delivery)
    hub.activity = ActivityTracker(hub.db)  # forget the real-clock contacts of these calls
    hub.activity.note(SO_NOI_VU, "ack", ts=at(DAY, 17, 55))
    hub.activity.note(SONG_HINH, "poll", ts=at(DAY, 8))
    hub.activity.note(PROVINCE, "send", ts=at(DAY, 9))
    return hub


async def test_kpis_of_a_scripted_day(ops_client: TestClient, hub_env: HubEnv) -> None:
    hub = await scripted_day(ops_client, hub_env)
    table = await connectivity.kpis(hub, now_ms=at(DAY, 18))
    assert table["overall"] == {
        "units": 144, "ever_connected": 3, "ever_connected_pct": 2.1,
        "connected_now": 1, "connected_now_pct": 0.7,
        "deliveries_today": 4, "acked_same_day": 1, "acked_same_day_pct": 25.0,
        "ack_median_s": 5400.0, "ack_p95_s": 5400.0,  # Sông Hinh's ack is still to come
        "overdue": 1}
    department = table["by_kind"]["department"]
    assert (department["units"], department["ever_connected"], department["deliveries_today"],
            department["acked_same_day_pct"], department["overdue"]) == (19, 1, 3, 33.3, 1)
    district = table["by_kind"]["district"]
    assert (district["deliveries_today"], district["acked_same_day"],
            district["acked_same_day_pct"], district["ack_median_s"]) == (1, 0, 0.0, None)
    assert table["by_kind"]["commune"]["acked_same_day_pct"] is None  # nothing sent to them
    assert table["by_parent"][PROVINCE]["units"] == 31
    assert table["by_parent"][PROVINCE]["deliveries_today"] == 4
    assert table["by_parent"][SONG_HINH]["units"] == 11
    assert table["by_parent"][SONG_HINH]["ever_connected_pct"] == 0.0
    assert set(table["by_kind"]) == {"commune", "department", "district", "office", "other",
                                     "province"}
    later = await connectivity.kpis(hub, now_ms=at(NEXT, 12))
    assert later["overall"]["deliveries_today"] == 0
    assert later["overall"]["connected_now"] == 0 and later["overall"]["overdue"] == 1


async def test_snapshot_of_the_day_and_trend(ops_client: TestClient, hub_env: HubEnv) -> None:
    hub = await scripted_day(ops_client, hub_env)
    snapshot = await connectivity.take_snapshot(hub, DAY, now_ms=at(NEXT, 12))
    overall = snapshot["overall"]
    assert (overall["deliveries_today"], overall["acked_same_day"], overall["ack_median_s"],
            overall["ack_p95_s"]) == (4, 1, 44100.0, 82800.0)  # 1.5 h and 23 h
    assert snapshot["documents"] == 2 and snapshot["day"] == "2026-11-27"
    again = await connectivity.take_snapshot(hub, DAY, now_ms=at(NEXT, 12))  # an upsert
    assert again == snapshot
    rows = await hub.db.fetchall("SELECT scope FROM kpi_snapshots WHERE day = '2026-11-27'")
    assert len(rows) == 1 + 6 + 10  # overall, six kinds, ten parents
    trend = await connectivity.trend(hub, 3, now_ms=at(NEXT, 12))
    assert [t["day"] for t in trend] == ["2026-11-26", "2026-11-27", "2026-11-28"]
    assert trend[0] == {"day": "2026-11-26", "connected_now_pct": None,
                        "ever_connected_pct": None, "acked_same_day_pct": None,
                        "documents": None}
    assert trend[1] == {"day": "2026-11-27", "connected_now_pct": 0.0,
                        "ever_connected_pct": 2.1, "acked_same_day_pct": 25.0, "documents": 2}


async def test_stuck_overdue_and_not_acked(ops_client: TestClient, hub_env: HubEnv) -> None:
    hub = await scripted_day(ops_client, hub_env)
    now = at(DAY, 18)
    stuck = [s for s in await connectivity.stuck(hub, older_than_s=8 * 3600, now_ms=now)
             if s["kind"] == "document"]  # the 01 statuses were issued on the real clock
    assert [(s["recipient"], s["age_s"]) for s in stuck] == [(KH_DT, 9 * 3600)]
    assert stuck[0]["sender"] == PROVINCE
    younger = await connectivity.stuck(hub, older_than_s=3600, now_ms=now)
    assert [s["recipient"] for s in younger if s["kind"] == "document"] == [KH_DT, KH_DT]
    late = await connectivity.overdue(hub, now_ms=now)
    assert [(o["recipient"], o["due_date"], o["days_overdue"]) for o in late] == [
        (KH_DT, "2026-11-26", 1)]
    assert await connectivity.overdue(hub, now_ms=at(DAY - dt.timedelta(days=1), 18)) == []
    missed = await connectivity.not_acked_by_end_of_day(hub, day=DAY, now_ms=at(NEXT, 12))
    assert sorted(m["recipient"] for m in missed) == [KH_DT, KH_DT, SONG_HINH]
    assert next(m for m in missed if m["recipient"] == SONG_HINH)["acked_at"] is not None


async def test_unit_detail(ops_client: TestClient, hub_env: HubEnv) -> None:
    hub = await scripted_day(ops_client, hub_env)
    detail = await connectivity.unit_detail(hub, SO_NOI_VU, now_ms=at(DAY, 18))
    assert detail["status"]["state"] == "connected" and detail["retired"] is False
    assert [d["counterpart"] for d in detail["documents_in"]] == [PROVINCE]
    assert [(d["counterpart"], d["state"]) for d in detail["documents_out"]] == [
        (KH_DT, "pending")]
    assert set(detail["documents_in"][0]) == {"delivery_id", "message_id", "document_id",
                                              "subject", "counterpart", "accepted_at", "state"}
    assert len(detail["api_keys"]) == 1
