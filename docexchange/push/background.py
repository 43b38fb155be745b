"""The outbound work of a running hub: the push worker and, per [[upstream]], the relay and
the poller. Run by one elected hub node at a time (store/leadership.py): every node would
otherwise push each document once; started by app.py."""

from __future__ import annotations

import asyncio
import logging

from docexchange.hub import Hub
from docexchange.push.worker import PushWorker
from docexchange.store.leadership import lead, leadership_for

log = logging.getLogger(__name__)


async def run_outbound(hub: Hub) -> None:
    await lead(leadership_for(hub.config.storage, "outbound"),
               lambda: _outbound_work(hub))


async def _outbound_work(hub: Hub) -> None:
    listeners = []
    try:
        async with asyncio.TaskGroup() as group:
            if hub.config.push.enabled:
                worker = PushWorker(hub)
                listeners.append(worker.wake)
                group.create_task(worker.run())
            from docexchange.upstream.background import relay_tasks
            for coroutine, wake in relay_tasks(hub):
                listeners.append(wake)
                group.create_task(coroutine)
            for listener in listeners:
                hub.db.add_commit_listener(listener)
    finally:  # a node that lost the lead stops waking its old workers
        for listener in listeners:
            hub.db.remove_commit_listener(listener)
