"""The outbound work of a running hub: the push worker and, per [[upstream]], the relay and
the poller. Run by one hub process at a time (leader.py); started by app.py."""

from __future__ import annotations

import asyncio
import logging

from docexchange.hub import Hub
from docexchange.push.leader import Leadership
from docexchange.push.worker import PushWorker

log = logging.getLogger(__name__)


async def run_outbound(hub: Hub) -> None:
    leadership = Leadership(hub.config.storage.lock_path("outbound"))
    try:
        await leadership.wait()
        async with asyncio.TaskGroup() as group:
            if hub.config.push.enabled:
                worker = PushWorker(hub)
                hub.db.add_commit_listener(worker.wake)
                group.create_task(worker.run())
            from docexchange.upstream.background import relay_tasks
            for coroutine in relay_tasks(hub):
                group.create_task(coroutine)
    finally:
        leadership.release()
