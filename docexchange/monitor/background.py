"""The monitor's background work while the server runs: write contact times, evaluate alert
rules and notify the webhook, snapshot each finished local day's KPIs.

Started by app.py's cleanup context next to the directory refresher; cancelling it stops all
three loops (the last contact times are written by Hub.close()). Every node writes its own
contact times; the alert rules and the day snapshots run on one elected node
(store/leadership.py), so an alert is raised, posted and e-mailed once, not once per node.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import aiohttp

from docexchange.hub import Hub
from docexchange.monitor import alerts, connectivity
from docexchange.monitor.days import local_day
from docexchange.monitor.email import email_alerts
from docexchange.store import monitor as sql
from docexchange.store.leadership import lead, leadership_for

log = logging.getLogger(__name__)


async def run_monitor(hub: Hub) -> None:
    async with asyncio.TaskGroup() as group:
        group.create_task(hub.activity.flush_forever(hub.config.monitor.activity_flush_interval))
        group.create_task(lead(leadership_for(hub.config.storage, "alerts"),
                               lambda: _elected_work(hub)))


async def _elected_work(hub: Hub) -> None:
    async with asyncio.TaskGroup() as group:
        group.create_task(check_alerts_forever(hub))
        group.create_task(snapshot_days_forever(hub))


async def check_alerts_forever(hub: Hub) -> None:
    """Every alerts.check_interval: evaluate the rules, then POST what the webhook lacks and
    e-mail what the SMTP server has not accepted."""
    async with aiohttp.ClientSession() as session:
        while True:
            await asyncio.sleep(hub.config.alerts.check_interval)
            try:
                await alerts.evaluate(hub)
                await alerts.notify(hub, session)
                await email_alerts(hub)
            except Exception:
                log.exception("alert check failed; will retry")


async def snapshot_days_forever(hub: Hub) -> None:
    """Once per local day, soon after midnight, store the KPIs of the day that ended (also
    after a restart that missed midnight). Checked every alerts.check_interval."""
    while True:
        await asyncio.sleep(hub.config.alerts.check_interval)
        try:
            yesterday = local_day(hub.clock.now_ms(), hub.config.zone) - dt.timedelta(days=1)
            if not await sql.has_snapshot(hub.db, yesterday.isoformat()):
                await connectivity.take_snapshot(hub, yesterday)
        except Exception:
            log.exception("KPI snapshot failed; will retry")
