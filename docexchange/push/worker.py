"""The push worker: per-destination queues, exponential backoff with jitter, a maximum age,
then fallback to pull with an alert.

Why this shape: the queue lives in the database (store/push.py), so a restart or a SIGKILL
loses nothing; a row leaves 'queued' only after the receiver answered 2xx and the delivery
was acknowledged, so the worst a crash does is push once more with the same idempotency key
(the message id), which the receiver recognises. Each destination is worked in order by one
task, so a dead endpoint only delays its own unit. Every attempt is a delivery event
('push_attempt', its number in status_time and the outcome in note), so it shows on the
timeline beside fetches, acks and statuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any

from docexchange.delivery.service import acknowledge
from docexchange.hub import Hub
from docexchange.monitor import alerts
from docexchange.push import signing
from docexchange.push.sender import Attempt, PushSender
from docexchange.store import messages as msql
from docexchange.store import push as sql
from docexchange.store.tx import Tx

log = logging.getLogger(__name__)
BATCH = 50
#: How long claimed items stay this node's (several nodes on PostgreSQL, store/claims.py).
#: Short, because a node that died mid-batch hands its items back only when it ends (a hub
#: restarted after a SIGKILL pushes them again then); on the elected node itself an expired
#: lease is harmless: one drain task per unit works its items in order.
LEASE_MS = 10_000


async def wait_or_timeout(event: asyncio.Event, seconds: float) -> None:
    """Until `event` is set or `seconds` pass. asyncio.timeout, not wait_for: on Python 3.11
    wait_for can swallow a cancellation that lands as its timeout fires, and a worker loop
    that lost its cancellation never ends (the server's shutdown then hangs)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


def backoff_ms(attempts: int, initial: int, ceiling: int, rng: random.Random) -> int:
    """Wait after the `attempts`-th failure: initial·2^(n-1), capped, times a jitter in
    [0.5, 1] so that many receivers coming back at once are not hit in lockstep."""
    base = min(ceiling, initial * 2 ** max(0, attempts - 1))
    return max(1, int(base * rng.uniform(0.5, 1.0)))


class PushWorker:
    def __init__(self, hub: Hub, *, rng: random.Random | None = None) -> None:
        self.hub = hub
        self.config = hub.config.push
        self.sender = PushSender(self.config)
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._running: dict[str, asyncio.Task[None]] = {}
        #: units with an approved endpoint when last read (None: not read yet)
        self._pushable: set[str] | None = None

    def wake(self) -> None:
        """Look at the queues now."""
        self._wake.set()

    def wake_for(self, organ_ids: set[str]) -> None:
        """Inbox work was committed for these units (this node or another, through the
        notifier): look now only if push serves one of them. Every other commit used to
        cost two queue reads; what this gate holds back is still found by the next round,
        at most `scan_interval_ms` later (a unit approved since the approved units were last
        read, which happens at most that often; another process's commit on SQLite), since
        every round reads the queues from the database."""
        if self._pushable is None or not self._pushable.isdisjoint(organ_ids):
            self._wake.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self.config.scan_interval_ms / 1000
        refreshed = float("-inf")
        try:
            while True:
                self._wake.clear()
                try:
                    if loop.time() - refreshed >= interval:  # approvals since, revocations
                        refreshed = loop.time()
                        self._pushable = await sql.approved_units(self.hub.db)
                    await self.tick()
                except Exception:
                    log.exception("push worker round failed")
                await wait_or_timeout(self._wake, interval)
        finally:
            for task in self._running.values():
                task.cancel()
            await asyncio.gather(*self._running.values(), return_exceptions=True)
            await self.sender.close()

    async def tick(self) -> None:
        """Queue new deliveries, then start a task for every destination with due work."""
        new = await sql.unqueued(self.hub.db)
        if new:
            await self.hub.db.write("push_enqueue", lambda c: sql.enqueue_txn(
                c, new, self.hub.clock.now_ms()))
        now = self.hub.clock.now_ms()
        for row in await sql.queued_units(self.hub.db):
            organ_id = row["organ_id"]
            busy = self._running.get(organ_id)
            if row["next_ts"] <= now and (busy is None or busy.done()):
                self._running[organ_id] = asyncio.create_task(self.drain(organ_id))

    async def drain(self, organ_id: str) -> None:
        """Push the unit's due items in order; stop at the first failure (it backs off)."""
        endpoint = await sql.endpoint(self.hub.db, organ_id)
        while True:
            now = self.hub.clock.now_ms()
            lease = now + LEASE_MS
            items = await sql.claim_due(self.hub.db, organ_id, now, BATCH, lease)
            if not items:
                return
            for done, item in enumerate(items):
                if not await self.push_one(endpoint, item):
                    await sql.release(self.hub.db, items[done + 1:], lease)
                    return

    async def push_one(self, endpoint: Any, item: Any) -> bool:
        delivery_id = item["delivery_id"]
        if item["acked_ts"] is not None or endpoint is None or endpoint["state"] != "approved":
            reason = "pulled" if item["acked_ts"] is not None else "endpoint not approved"
            await self.hub.db.write("push_drop", lambda c: self._finish_txn(
                c, item, "dropped", reason))
            return True
        body = await self.hub.exchange.payloads.get(item["sha256"])
        result = await self.sender.post(endpoint["url"], body, self.headers(item, body),
                                        allow_http=bool(endpoint["allow_http"]))
        if result.ok:
            await acknowledge(self.hub.exchange, item["organ_id"], delivery_id)
            await self.hub.db.write("push_delivered", lambda c: self._finish_txn(
                c, item, "delivered", result.detail, attempt=True))
            return True
        await self._failed(item, result)
        return False

    def headers(self, item: Any, body: bytes) -> dict[str, str]:
        message_id, delivery_id = item["message_id"], item["delivery_id"]
        return {"Content-Type": "application/xml", "Idempotency-Key": message_id,
                "X-DocExchange-Message-Id": message_id, "X-DocExchange-Delivery-Id": delivery_id,
                "X-DocExchange-Kind": item["kind"], "X-DocExchange-Attempt":
                str(item["attempts"] + 1), signing.HEADER: signing.signature_header(
                    self.hub.keyring, message_id, delivery_id, body)}

    async def _failed(self, item: Any, result: Attempt) -> None:
        now = self.hub.clock.now_ms()
        attempts = item["attempts"] + 1
        expired = now - item["first_ts"] >= self.config.max_age * 1000
        if expired:
            await self.hub.db.write("push_expired", lambda c: self._finish_txn(
                c, item, "expired", result.detail, attempt=True))
            log.warning("push to %s gave up after %d attempts; the delivery stays in the inbox",
                        item["organ_id"], attempts)
            await alerts.evaluate(self.hub)  # raise the fallback alert now, not next round
            return
        wait = backoff_ms(attempts, self.config.backoff_initial_ms, self.config.backoff_max_ms,
                          self._rng)

        def txn(conn: Tx) -> None:
            sql.retry_txn(conn, item["delivery_id"], attempts, now + wait, result.detail)
            self._event_txn(conn, item, attempts, f"failed: {result.detail}; next in {wait} ms")
        await self.hub.db.write("push_retry", txn)

    def _finish_txn(self, conn: Tx, item: Any, state: str, detail: str, *,
                    attempt: bool = False) -> None:
        if not sql.finish_txn(conn, item["delivery_id"], state, self.hub.clock.now_ms(), detail):
            return  # another process finished it first
        if attempt:
            note = "delivered" if state == "delivered" else f"failed: {detail}"
            self._event_txn(conn, item, item["attempts"] + 1, f"{note} ({detail})"
                            if state == "delivered" else note)
        if state == "expired":
            msql.insert_event_txn(conn, item["delivery_id"], "push_expired", "hub",
                                  self.hub.clock.now_ms(),
                                  note="push gave up: the unit must pull it from its inbox")
        self.hub.evidence.append_txn(conn, f"push_{state}", {
            "delivery_id": item["delivery_id"], "message_id": item["message_id"],
            "unit": item["organ_id"], "attempts": item["attempts"] + (1 if attempt else 0),
            "detail": detail}, units=(item["organ_id"],), message_id=item["message_id"])

    def _event_txn(self, conn: Tx, item: Any, attempt: int, note: str) -> None:
        msql.insert_event_txn(conn, item["delivery_id"], "push_attempt", "hub",
                              self.hub.clock.now_ms(),
                              status_time=str(attempt), note=note)
