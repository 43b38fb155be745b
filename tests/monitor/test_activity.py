"""Contact tracking: state names on a fake clock, batched writes, merging, shutdown flush."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.accounts.activity import ActivityTracker
from docexchange.app import create_app
from docexchange.config import ConfigError, config_from_dict
from docexchange.hub import Hub
from docexchange.monitor.connection_state import classify
from docexchange.monitor.connectivity import unit_statuses
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.monitor.conftest import hub_of, quiet

NOW = 1_800_000_000_000
MIN = 60_000
HOUR = 60 * MIN


@pytest.mark.parametrize("last, state", [
    (None, "never"),
    (NOW, "connected"),
    (NOW - 15 * MIN, "connected"),      # connected_window = 900 s, inclusive
    (NOW - 15 * MIN - 1, "idle"),
    (NOW - 24 * HOUR, "idle"),          # stale_window = 86400 s, inclusive
    (NOW - 24 * HOUR - 1, "disconnected"),
    (NOW + 5000, "connected"),          # seen "after" a fake clock in the past
])
def test_state_names(last: int | None, state: str) -> None:
    assert classify(last, NOW, 900, 86400) == state


async def test_unit_statuses_on_a_fake_clock(ops_client: TestClient) -> None:
    hub = hub_of(ops_client)
    hub.activity.note(SO_NOI_VU, "contact", ts=NOW - MIN)
    hub.activity.note(SONG_HINH, "poll", ts=NOW - 2 * HOUR)
    hub.activity.note(PROVINCE, "send", ts=NOW - 3 * 24 * HOUR)
    statuses = {s.organ_id: s for s in await unit_statuses(hub, now_ms=NOW)}
    assert len(statuses) == 144
    assert statuses[SO_NOI_VU].state == "connected"
    assert statuses[SONG_HINH].state == "idle"
    assert statuses[SONG_HINH].last_poll_ts == NOW - 2 * HOUR
    assert statuses[PROVINCE].state == "disconnected"
    assert statuses[PROVINCE].last_send_ts == statuses[PROVINCE].first_contact_ts
    assert [s.organ_id for s in await unit_statuses(hub, state="idle", now_ms=NOW)] == [
        SONG_HINH]
    assert len(await unit_statuses(hub, state="never", now_ms=NOW)) == 141
    assert len(await unit_statuses(hub, kind="district", now_ms=NOW)) == 9
    children = await unit_statuses(hub, parent=SONG_HINH, now_ms=NOW)
    assert len(children) == 11 and {s.state for s in children} == {"never"}
    # 2017: before every unit's valid_from, so every unit is left out as not valid that day
    assert await unit_statuses(hub, now_ms=1_500_000_000_000) == []


async def test_many_requests_make_one_write(ops_client: TestClient, hub_env: HubEnv) -> None:
    hub = hub_of(ops_client)
    # counted by name: on PostgreSQL the elected node's take-over of old leases may write
    # beside this test
    writes = hub.db.stats.by_name
    jobs = writes["flush_unit_activity"]
    for i in range(10):
        unit = SO_NOI_VU if i % 2 else SONG_HINH
        assert (await ops_client.get("/api/v1/inbox", headers=hub_env.auth(unit))).status == 200
        assert (await ops_client.get("/api/v1/units/" + PROVINCE,
                                     headers=hub_env.auth(unit))).status == 200
    assert writes["flush_unit_activity"] == jobs  # 20 authenticated requests, no write
    assert await hub.activity.flush() == 2
    assert writes["flush_unit_activity"] == jobs + 1  # one transaction for both units
    rows = {r["organ_id"]: r for r in await hub.db.fetchall("SELECT * FROM unit_activity")}
    assert set(rows) == {SO_NOI_VU, SONG_HINH}
    assert rows[SO_NOI_VU]["last_poll_ts"] is not None
    assert rows[SO_NOI_VU]["first_contact_ts"] <= rows[SO_NOI_VU]["last_contact_ts"]
    assert rows[SO_NOI_VU]["last_send_ts"] is None
    assert await hub.activity.flush() == 0 and writes["flush_unit_activity"] == jobs + 1


async def test_processes_merge_earliest_first_and_latest_last(ops_client: TestClient) -> None:
    db = hub_of(ops_client).db
    one, two = ActivityTracker(db), ActivityTracker(db)
    one.note(SO_NOI_VU, "ack", ts=NOW)
    two.note(SO_NOI_VU, "contact", ts=NOW - HOUR)
    two.note(SO_NOI_VU, "poll", ts=NOW + MIN)
    await one.flush()
    await two.flush()
    one.note(SO_NOI_VU, "contact", ts=NOW + 2 * MIN)  # pending, not yet written
    a = (await one.current())[SO_NOI_VU]
    assert (a.first_contact_ts, a.last_contact_ts, a.last_poll_ts, a.last_ack_ts) == (
        NOW - HOUR, NOW + 2 * MIN, NOW + MIN, NOW)
    stored = (await two.current())[SO_NOI_VU]
    assert stored.last_contact_ts == NOW + MIN


async def test_a_failed_flush_keeps_the_times() -> None:
    class BrokenDb:
        async def write(self, name: str, fn: Any) -> None:
            raise OSError("disk full")
    tracker = ActivityTracker(BrokenDb())  # type: ignore[arg-type]
    tracker.note(SO_NOI_VU, "send", ts=NOW)
    with pytest.raises(OSError):
        await tracker.flush()
    tracker.note(SO_NOI_VU, "contact", ts=NOW + 1)
    pending = tracker.pending()[SO_NOI_VU]
    assert (pending.first_contact_ts, pending.last_send_ts, pending.last_contact_ts) == (
        NOW, NOW, NOW + 1)
    with pytest.raises(ValueError):
        tracker.note(SO_NOI_VU, "dance")


async def test_shutdown_writes_the_last_contacts(hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(quiet(hub_env.config)))
    assert (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).status == 200
    await client.close()
    hub = await Hub.open(hub_env.config)
    try:
        row = await hub.db.fetchone("SELECT last_poll_ts FROM unit_activity WHERE organ_id = ?",
                                    (SO_NOI_VU,))
        assert row is not None and row["last_poll_ts"] is not None
    finally:
        await hub.close()


@pytest.mark.parametrize("raw, key", [
    ({"monitor": {"stale_window": 60}}, "monitor.stale_window"),
    ({"monitor": {"connected_window": 0}}, "monitor.connected_window"),
    ({"alerts": {"webhook_url": "ftp://ops.example/hook"}}, "alerts.webhook_url"),
    ({"alerts": {"classified_refused": 1}}, "alerts.classified_refused"),
])
def test_bad_monitor_options_name_the_key(raw: dict[str, Any], key: str,
                                          tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(key)):
        config_from_dict(raw, base_dir=tmp_path)
