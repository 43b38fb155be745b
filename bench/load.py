"""The load of the benchmark harness, each part in its own process so that the hub's event loop
is the only thing measured on the hub's side: senders (one unit per concurrent sender, packets
signed by that unit before the start), polling recipients (inbox, fetch, ack through the
project's HubClient) and a probe of /healthz whose answer time shows the event loop's lag.

Every function here runs in a child process and puts one result dict on ``results``.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from multiprocessing.synchronize import Event
from typing import Any

import aiohttp

from docexchange.client import HubClient, HubError

try:
    from packets import document, sign_as
except ImportError:  # imported as bench.load
    from bench.packets import document, sign_as

PAUSE_ON_429 = 0.05


def _timed(work: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run the load and add the CPU it cost this process (the load generator shares the
    hub's cores: its cost per document says what is left for the hub)."""
    begin = time.process_time()
    figures = asyncio.run(work)
    return figures | {"cpu_s": time.process_time() - begin}


def node_of(urls: list[str], unit: str) -> str:
    """The node a unit's DMS talks to (several nodes: the units are spread over them)."""
    return urls[sum(unit.encode()) % len(urls)]


def sender(urls: list[str], credentials: dict, units: list[str], recipients: list[str],
           per_unit: int, size_kb: float, first_number: int, ready: Any, start: Event,
           results: Any, interval: float = 0.0, offset: float = 0.0) -> None:
    """Each unit of ``units`` sends ``per_unit`` packets of about ``size_kb``, one after the
    other; the units send at the same time. Records when each was sent and acknowledged.

    ``interval`` > 0 paces each unit: its k-th packet is due at start + ``offset`` + n·gap +
    k·``interval`` (n its rank, gap spreading the units evenly), and its latency counts from
    that due time, so a hub falling behind shows in the figures (no coordinated omission)."""
    rng = random.Random(first_number)
    attachment = max(int(size_kb * 1024 * 3 / 4) - 3300, 64)
    packets = {unit: [sign_as(credentials, unit, document(
        unit, [rng.choice(recipients)], number=first_number + i * len(units) + n,
        files=[("cv.pdf", rng.randbytes(attachment))])) for i in range(per_unit)]
        for n, unit in enumerate(units)}
    ready.put(True)
    start.wait()
    results.put(_timed(_send_all(urls, credentials, packets, interval, offset)))


async def _send_all(urls: list[str], credentials: dict, packets: dict[str, list[bytes]],
                    interval: float, offset: float) -> dict[str, Any]:
    sent: list[tuple[str, float, float, int]] = []  # message id, sent at, latency, bytes
    errors: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=0)
    began = time.perf_counter()
    gap = interval / max(len(packets), 1)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one_unit(rank: int, unit: str) -> None:
            client = HubClient(node_of(urls, unit), credentials[unit]["api_key"],
                               session=session)
            for k, data in enumerate(packets[unit]):
                due = began + offset + rank * gap + k * interval
                if interval:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                while True:
                    at, begin = time.time(), time.perf_counter()
                    if interval:
                        at, begin = at - (begin - due), due
                    try:
                        receipt = await client.send_document(data)
                    except HubError as exc:
                        errors[exc.code] = errors.get(exc.code, 0) + 1
                        if exc.code != "DX_RATE_LIMITED":
                            break
                        await asyncio.sleep(PAUSE_ON_429)
                        continue
                    sent.append((receipt["message_id"], at, time.perf_counter() - begin,
                                 len(data)))
                    break

        await asyncio.gather(*(one_unit(rank, unit) for rank, unit in enumerate(packets)))
    return {"role": "sender", "sent": sent, "errors": errors}


def recipient(urls: list[str], credentials: dict, units: list[str], expected: int, limit_s: float,
              ready: Any, start: Event, results: Any, batch: bool = False) -> None:
    """Poll the inboxes of ``units``; fetch and acknowledge every document until ``expected``
    of them (over all recipient processes' share) are acknowledged or ``limit_s`` passes.

    ``batch``: as a DMS on the batch inbox, the packets come with the listing
    (``packets=inline``) and one ``ack_many`` acknowledges the listing's documents."""
    ready.put(True)
    start.wait()
    one_round = _batch_round if batch else _one_by_one_round
    results.put(_timed(_receive(urls, credentials, units, expected, limit_s, one_round)))


class _Drained:
    """What the recipients of one process saw: acknowledged message ids (with the time),
    errors by code, and when the first document was fetched."""

    def __init__(self) -> None:
        self.acked: dict[str, float] = {}
        self.errors: dict[str, int] = {}
        self.first: list[float] = []

    def error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1


async def _one_by_one_round(client: HubClient, seen: _Drained) -> None:
    """As existing DMS do: list, then fetch and acknowledge each document."""
    items = await client.inbox(wait=1)
    for item in (i for i in items if i["kind"] == "document"):
        seen.first or seen.first.append(time.time())
        await client.fetch(item["message_id"])
        await client.ack(item["delivery_id"])
        seen.acked[item["message_id"]] = time.time()


async def _batch_round(client: HubClient, seen: _Drained) -> None:
    """As a DMS on the batch inbox: the packets come with the listing (``packets=inline``)
    and one ``ack_many`` acknowledges the listing's documents."""
    items = [i for i in await client.inbox(wait=1, packets=True) if i["kind"] == "document"]
    if not items:
        return
    seen.first or seen.first.append(time.time())
    for item in items:
        if "packet" not in item:  # above the hub's inline size
            await client.fetch(item["message_id"])
    results = await client.ack_many([i["delivery_id"] for i in items])
    now = time.time()
    for item, result in zip(items, results, strict=True):
        if "error" in result:
            seen.error(result["error"]["code"])
        else:
            seen.acked[item["message_id"]] = now


async def _receive(urls: list[str], credentials: dict, units: list[str], expected: int,
                   limit_s: float,
                   one_round: Callable[[HubClient, _Drained], Awaitable[None]]
                   ) -> dict[str, Any]:
    seen = _Drained()
    deadline = time.monotonic() + limit_s
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def one_unit(unit: str) -> None:
            client = HubClient(node_of(urls, unit), credentials[unit]["api_key"],
                               session=session)
            while len(seen.acked) < expected and time.monotonic() < deadline:
                try:
                    await one_round(client, seen)
                except HubError as exc:
                    seen.error(exc.code)
                    await asyncio.sleep(PAUSE_ON_429)

        await asyncio.gather(*(one_unit(unit) for unit in units))
    return {"role": "recipient", "acked": seen.acked, "errors": seen.errors,
            "first_fetch": seen.first[0] if seen.first else None}


def prober(urls: list[str], interval: float, ready: Any, start: Event, stop: Event,
           results: Any) -> None:
    """GET /healthz every ``interval`` seconds while the load runs; its answer time is the
    lag a request meets at the hub's event loop (plus a loopback round trip)."""
    ready.put(True)
    start.wait()
    results.put(_timed(_probe(urls, interval, stop)))


async def _probe(urls: list[str], interval: float, stop: Event) -> dict[str, Any]:
    """Several nodes: each probe goes to the next node in turn."""
    times: list[float] = []
    async with aiohttp.ClientSession() as session:
        for url in itertools.cycle(urls):
            if stop.is_set():
                break
            begin = time.perf_counter()
            async with session.get(f"{url}/healthz") as answer:
                await answer.read()
            times.append(time.perf_counter() - begin)
            await asyncio.sleep(interval)
    return {"role": "prober", "times": times}
