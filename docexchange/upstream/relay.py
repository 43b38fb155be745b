"""The relay core: hand packets for codes other hubs serve to them, and poll what they hold
for our units. Protocol details live in the adapters (native.py, vdxp.py).

Outbound: deliveries to codes outside our directory matched by an [[upstream]] get a row in
relay_out (one transaction), then are sent in order, per upstream, with backoff. A crash after
the upstream accepted but before we recorded it only sends again: the upstream answers a
repeat with its first receipt (same DocId), so nothing doubles. The upstream's DocId is
written on the delivery's timeline ('relayed'); its statuses come back through the poller.

Inbound: each item the upstream holds is fetched, accepted here (serving.relay_in: the same
checks as any packet, the upstream may only speak for the codes it serves), and only then
acknowledged upstream: a crash in between fetches it again, and the exchange recognises the
repeat.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from typing import Any

from docexchange.config import UpstreamConfig
from docexchange.errors import DocExchangeError
from docexchange.exchange.incoming import RequestBody
from docexchange.hub import Hub
from docexchange.push.worker import backoff_ms, wait_or_timeout
from docexchange.store import messages as msql
from docexchange.store import relay as sql
from docexchange.store.tx import Tx
from docexchange.upstream.protocol import RelayRefused, RemoteItem, UpstreamAdapter
from docexchange.upstream.serving import relay_in

log = logging.getLogger(__name__)
BATCH = 50
BACKOFF_INITIAL_MS = 1000
BACKOFF_MAX_MS = 300_000
#: How long claimed items stay this node's (several nodes on PostgreSQL, store/claims.py):
#: short, since a node that died mid-batch hands them back only then (push/worker.py).
LEASE_MS = 10_000  # the same as push/worker.py's (take_over_claims)


async def enqueue(hub: Hub) -> int:
    """Queue every new delivery an [[upstream]] serves; returns how many."""
    routes = hub.exchange.relay_routes
    found = [(row, name) for row in await sql.unqueued_remote(hub.db, 1000)
             if (name := routes.upstream_for(row["recipient_id"])) is not None]
    if not found:  # the usual round: no write, no commit
        return 0

    def txn(conn: Tx) -> int:
        ts = hub.clock.now_ms()
        for row, name in found:
            sql.enqueue_txn(conn, row["delivery_id"], name, row["message_id"], ts)
        return len(found)
    return await hub.db.write("relay_enqueue", txn)


class Relay:
    """One upstream: its outbound queue and its poller."""

    def __init__(self, hub: Hub, config: UpstreamConfig, adapter: UpstreamAdapter) -> None:
        self.hub = hub
        self.config = config
        self.adapter = adapter
        self._wake = asyncio.Event()
        self._rng = random.Random()

    def wake(self) -> None:
        self._wake.set()

    def wake_for(self, organ_ids: set[str]) -> None:
        """Inbox work was committed for these units: look now only if this upstream serves
        one of them (the round every second finds anything else)."""
        routes = self.hub.exchange.relay_routes
        if any(routes.upstream_for(code) == self.config.name for code in organ_ids):
            self._wake.set()

    async def run_outbound(self) -> None:
        while True:
            self._wake.clear()
            try:
                await enqueue(self.hub)
                await self.send_due()
            except Exception:
                log.exception("relay to %s failed a round", self.config.name)
            await wait_or_timeout(self._wake, 1.0)

    async def send_due(self) -> None:
        now = self.hub.clock.now_ms()
        lease = now + LEASE_MS
        items = await sql.claim_due(self.hub.db, self.config.name, now, BATCH, lease)
        for done, item in enumerate(items):
            if not await self.send_one(item):
                await sql.release(self.hub.db, items[done + 1:], lease)
                return  # keep the order: the rest waits for this one

    async def send_one(self, item: Any) -> bool:
        data = await self.hub.exchange.payloads.get(item["sha256"])
        try:
            remote_id = await self.adapter.send(item["kind"], data)
        except RelayRefused as exc:
            why = f"{exc.code}: {exc.detail}"[:300]
            await self.hub.db.write("relay_refused", lambda c: self._done_txn(
                c, item, "refused", None, why))
            log.warning("upstream %s refused %s: %s", self.config.name, item["message_id"],
                        exc.code)
            return True
        except Exception as exc:  # unreachable, 5xx, timeouts: retry later
            wait = backoff_ms(item["attempts"] + 1, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS,
                              self._rng)
            reason = type(exc).__name__
            await self.hub.db.write("relay_retry", lambda c: sql.retry_txn(
                c, item["delivery_id"], self.hub.clock.now_ms() + wait, reason))
            return False
        await self.hub.db.write("relay_sent", lambda c: self._done_txn(
            c, item, "relayed", remote_id, ""))
        return True

    def _done_txn(self, conn: Tx, item: Any, state: str,
                  remote_id: str | None, error: str) -> None:
        ts = self.hub.clock.now_ms()
        if not sql.finish_txn(conn, item["delivery_id"], state, ts, remote_id, error):
            return
        name = self.config.name
        if state == "relayed":
            sql.mark_handed_over_txn(conn, item["delivery_id"], ts,
                                     acked=item["kind"] != "document")
            note = f"relayed to upstream {name}; its id: {remote_id}"
        else:
            note = f"refused by upstream {name}: {error}"
        msql.insert_event_txn(conn, item["delivery_id"], f"relay_{state}", name, ts, note=note)
        self.hub.evidence.append_txn(conn, f"relay_{state}", {
            "delivery_id": item["delivery_id"], "message_id": item["message_id"],
            "upstream": name, "remote_id": remote_id, "error": error},
            units=(item["sender_id"],), message_id=item["message_id"])

    # -- inbound -----------------------------------------------------------------------
    async def run_poller(self) -> None:
        while True:
            try:
                await self.poll_once()
            except Exception as exc:
                log.warning("polling upstream %s failed: %s", self.config.name,
                            type(exc).__name__)
            await asyncio.sleep(self.config.poll_interval)

    async def poll_once(self) -> int:
        """Take everything the upstream holds for us; returns how many were taken."""
        taken = 0
        for item in await self.adapter.pending(BATCH):
            await self.take(item)
            taken += 1
        return taken

    async def take(self, item: RemoteItem) -> None:
        data = await self.adapter.fetch(item)
        sha = hashlib.sha256(data).hexdigest()
        try:
            await relay_in(self.hub, self.config.name, RequestBody(data, sha, None))
        except DocExchangeError as exc:  # refused here for good (recorded as a refusal)
            log.warning("packet %s from upstream %s refused: %s", item.message_id,
                        self.config.name, exc.code)
        await self.adapter.acknowledge(item)
