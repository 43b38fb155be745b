"""The hub takes its time from the clock it was given (docexchange/clock.py), never from the
system behind its back: a hub on a fixed clock stamps its receipt, its log leaves, its tree
head and the delivery timeline with exactly that clock's times."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.clock import FixedClock
from docexchange.exchange.receipts import iso_ms
from tests.conftest import PROVINCE, SO_NOI_VU, DbConn, HubEnv
from tests.exchange.helpers import document

T0 = 1_893_456_000_000  # 2030-01-01T00:00:00Z: no real clock says this during the test
LATER = T0 + 3 * 3_600_000 + 17


async def test_a_hub_on_a_fixed_clock_stamps_with_it(hub_env: HubEnv,
                                                     aiohttp_client: Any) -> None:
    clock = FixedClock(T0)
    client: TestClient = await aiohttp_client(create_app(hub_env.config, clock=clock))
    sent = await client.post("/api/v1/documents", data=document(PROVINCE, [SO_NOI_VU]),
                             headers={**hub_env.auth(PROVINCE),
                                      "Content-Type": "application/xml"})
    assert sent.status == 202, await sent.text()
    receipt = await sent.json()
    assert receipt["accepted_at"] == iso_ms(T0)
    assert receipt["tree_head"]["timestamp"] == T0

    clock.set(LATER)
    delivery = receipt["recipients"][0]["delivery_id"]
    acked = await client.post(f"/api/v1/deliveries/{delivery}/ack",
                              headers=hub_env.auth(SO_NOI_VU))
    assert acked.status == 200, await acked.text()
    timeline = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                       headers=hub_env.auth(PROVINCE))).json()
    events = [e for d in timeline["deliveries"] for e in d["events"]]
    assert {e["event"]: e["at"] for e in events}["created"] == iso_ms(T0)
    assert [e["at"] for e in events if e["event"] != "created"] == \
        [iso_ms(LATER)] * (len(events) - 1)

    with DbConn(hub_env) as conn:
        leaves = conn.execute("SELECT event, data, created_ts FROM log_leaves WHERE "
                              "created_ts >= ? ORDER BY leaf_index", (T0,)).fetchall()
    times = {event: (json.loads(data)["time"], ts) for event, data, ts in leaves}
    assert times["document_accepted"] == (T0, T0)
    assert times["delivery_acknowledged"] == (LATER, LATER)
