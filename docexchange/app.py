"""create_app(config): wires the services into aiohttp apps. No I/O happens at import or here;
the hub's services open in a cleanup context when the server starts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from docexchange.admin.configuration import record_configuration
from docexchange.api import (
    audit,
    documents,
    evidence,
    health,
    metrics,
    openapi,
    ops,
    push,
    relay,
    units,
)
from docexchange.api.frontdoor import front_door
from docexchange.appkeys import CLOCK_KEY, CONFIG_KEY, HUB_KEY, LATENCY_KEY
from docexchange.clock import SYSTEM_CLOCK, Clock
from docexchange.config import Config
from docexchange.dashboard.urls import create_dashboard_app
from docexchange.directory.reorganise import follow_forever
from docexchange.hub import Hub
from docexchange.monitor.background import run_monitor
from docexchange.monitor.metrics import RequestLatency
from docexchange.upstream.background import run_outbound
from docexchange.vdxp.urls import create_vdxp_app


def create_api_app() -> web.Application:
    """The native API; the root app's front door answers its errors as problem+json."""
    api = web.Application()
    for module in (units, documents, evidence, audit, ops, push, relay, openapi):
        api.add_routes(module.routes)
    return api


def create_app(config: Config, *, clock: Clock = SYSTEM_CLOCK) -> web.Application:
    """`clock`: the time the hub stamps receipts, leaves and timelines with (tests pass a
    `FixedClock`)."""
    latency = RequestLatency()
    app = web.Application(middlewares=[front_door(config.server, latency)],
                          client_max_size=config.exchange.max_packet_bytes + 1024 * 1024)
    app[CONFIG_KEY] = config
    app[CLOCK_KEY] = clock
    app[LATENCY_KEY] = latency
    app.add_routes(health.routes)
    app.add_routes(metrics.routes)
    app.router.add_get("/api/docs", openapi.docs_page)
    app.add_subapp("/api/v1", create_api_app())
    app.add_subapp("/dashboard", create_dashboard_app())
    if config.vdxp.enabled:
        app.add_subapp("/vdxp", create_vdxp_app())
    app.cleanup_ctx.append(_hub_context)
    return app


async def _hub_context(app: web.Application) -> AsyncIterator[None]:
    hub = await Hub.open(app[CONFIG_KEY], clock=app[CLOCK_KEY])
    app[HUB_KEY] = hub
    # other nodes' commits wake this node's long polls and outbound workers (store/wakeups.py)
    await hub.wakeups.listen(hub.notifier.wake_local, hub.db.notify_commit_listeners)
    await record_configuration(hub)  # the server starts: a changed configuration is logged
    refresher = asyncio.create_task(hub.directory.refresh_forever())
    monitor = asyncio.create_task(run_monitor(hub))
    follower = asyncio.create_task(follow_forever(hub))  # reorganisations taking effect
    outbound = asyncio.create_task(run_outbound(hub))  # push and relay (docs/push-and-relay.md)
    yield
    refresher.cancel()
    monitor.cancel()
    follower.cancel()
    outbound.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await follower
    with contextlib.suppress(asyncio.CancelledError):
        await outbound
    with contextlib.suppress(asyncio.CancelledError):
        await refresher
    with contextlib.suppress(asyncio.CancelledError):
        await monitor
    await hub.close()
