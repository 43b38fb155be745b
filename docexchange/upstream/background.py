"""The outbound work of a running hub: the push worker and, per [[upstream]], the relay's
outbound queue and poller. Run by one hub process at a time (push/leader.py); started by
app.py. It lives here, above push/, because the relay reuses the push worker's back-off: push
never needs to know about relays."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from docexchange.config import UpstreamConfig
from docexchange.hub import Hub
from docexchange.push.leader import Leadership
from docexchange.push.worker import PushWorker
from docexchange.upstream.native import NativeAdapter
from docexchange.upstream.protocol import UpstreamAdapter
from docexchange.upstream.relay import Relay
from docexchange.upstream.vdxp import VdxpAdapter


async def run_outbound(hub: Hub) -> None:
    leadership = Leadership(hub.config.storage.database, "outbound")
    try:
        await leadership.wait()
        async with asyncio.TaskGroup() as group:
            if hub.config.push.enabled:
                worker = PushWorker(hub)
                hub.db.add_commit_listener(worker.wake)
                group.create_task(worker.run())
            for coroutine in relay_tasks(hub):
                group.create_task(coroutine)
    finally:
        leadership.release()


def adapter_for(config: UpstreamConfig) -> UpstreamAdapter:
    if config.protocol == "native":
        return NativeAdapter(config)
    return VdxpAdapter(config)


def relay_tasks(hub: Hub) -> list[Coroutine[Any, Any, None]]:
    tasks: list[Coroutine[Any, Any, None]] = []
    for config in hub.config.upstream:
        relay = Relay(hub, config, adapter_for(config))
        hub.db.add_commit_listener(relay.wake)
        tasks += [relay.run_outbound(), relay.run_poller()]
    return tasks
