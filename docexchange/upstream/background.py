"""The outbound work of a running hub: the push worker and, per [[upstream]], the relay's
outbound queue and poller. Run by one elected hub node at a time (store/leadership.py: a flock
with SQLite, an advisory lock with PostgreSQL), since every node would otherwise push each
document once; started by app.py. It lives here, above push/, because the relay reuses the
push worker's back-off: push never needs to know about relays."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from docexchange.config import UpstreamConfig
from docexchange.hub import Hub
from docexchange.push.worker import LEASE_MS, PushWorker
from docexchange.store.claims import take_over_claims
from docexchange.store.leadership import lead, leadership_for
from docexchange.upstream.native import NativeAdapter
from docexchange.upstream.protocol import UpstreamAdapter
from docexchange.upstream.relay import Relay
from docexchange.upstream.vdxp import VdxpAdapter


async def run_outbound(hub: Hub) -> None:
    await lead(leadership_for(hub.config.storage, "outbound"), lambda: _outbound_work(hub))


async def _outbound_work(hub: Hub) -> None:
    """The workers are woken by the notifier (inbox work for a unit, committed on this node
    or, through NOTIFY, on another), each only for the units it serves, not by every commit:
    most commits (a fetch, an ack, an activity flush, their own claims) hold no work for
    them, and each wake-up used to cost queue reads (PostgreSQL claims are writes, whose
    commits woke the relays again). Their timed rounds find whatever no wake-up announced."""
    subscribers: list[Callable[[set[str]], None]] = []
    await take_over_claims(hub.db, hub.clock.now_ms(), LEASE_MS)  # from a node that died
    try:
        async with asyncio.TaskGroup() as group:
            if hub.config.push.enabled:
                worker = PushWorker(hub)
                subscribers.append(worker.wake_for)
                group.create_task(worker.run())
            for coroutine, wake in relay_tasks(hub):
                subscribers.append(wake)
                group.create_task(coroutine)
            for subscriber in subscribers:
                hub.notifier.subscribe(subscriber)
    finally:  # a node that lost the lead stops waking its old workers
        for subscriber in subscribers:
            hub.notifier.unsubscribe(subscriber)


def adapter_for(config: UpstreamConfig) -> UpstreamAdapter:
    if config.protocol == "native":
        return NativeAdapter(config)
    return VdxpAdapter(config)


def relay_tasks(hub: Hub) -> list[tuple[Coroutine[Any, Any, None],
                                        Callable[[set[str]], None]]]:
    """Each task with what wakes it when units get inbox work (the caller subscribes it to
    the notifier and unsubscribes it)."""
    tasks: list[tuple[Coroutine[Any, Any, None], Callable[[set[str]], None]]] = []
    for config in hub.config.upstream:
        relay = Relay(hub, config, adapter_for(config))
        tasks += [(relay.run_outbound(), relay.wake_for), (relay.run_poller(), relay.wake_for)]
    return tasks
