"""The inbox alone: fetch + ack per second from 64 recipients, nothing else running.

`measure(hub)` takes a running hub from bench/hubs.py, preloads ``documents`` small unsigned
packets (64 senders, each document to one of 64 recipients, round robin), waits, then starts
recipient processes that poll their inboxes (``wait=0``, up to 100 items), fetch each
document (the client checks its SHA-256) and acknowledge it, until every preloaded delivery
is acknowledged. Returns fetch + ack/s, the p50/p99 of one fetch + ack pair, and the hub's
CPU per pair. The load generator shares the hub's cores, as in bench/run.py.

Each ack is a write transaction (delivery row, event, status 01 to the sender, a log leaf)
that waits for a group commit; each fetch a read and, for a pending delivery, a write
(fetched) too. The hub's per-unit rate limit (`[server] unit_rate_limit`, 50/s in the
example) caps one unit at 25 pairs/s, so 64 recipients at 3,000 pairs/s need it raised:
``main`` starts its hub with the limit off.

    .venv/bin/python bench/bench_inbox.py [--documents 6000] [--processes 2] [--workers 1]
                                          [--batch] [--rate-limit 50] [--postgresql]

``--batch`` drains as a DMS using the batch inbox does: ``inbox(packets=True)`` (the packets in
the listing, marked fetched in one transaction) and one ``ack_many`` per listing (one
transaction for its acks): two requests and two write transactions per listing of up to 100.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hubs  # noqa: E402
from packets import document  # noqa: E402

from docexchange.client import HubClient  # noqa: E402

RECIPIENTS = 64


def _units(hub: hubs.Hub) -> tuple[list[str], list[str]]:
    units = sorted(code for code in hub.credentials if code != "operators")
    return units[:RECIPIENTS], units[-RECIPIENTS:]


async def preload(hub: hubs.Hub, documents: int) -> None:
    """``documents`` unsigned ~5 KB packets, 64 senders at once, each to one recipient."""
    senders, recipients = _units(hub)
    pdf = bytes(range(256)) * 8
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def one_sender(n: int, unit: str) -> None:
            client = HubClient(hub.url, hub.credentials[unit]["api_key"], session=session)
            for i in range(n, documents, len(senders)):
                await client.send_document(document(
                    unit, [recipients[i % len(recipients)]], number=7_000_000 + i,
                    files=[("cv.pdf", pdf)]))
        await asyncio.gather(*(one_sender(n, unit) for n, unit in enumerate(senders)))


def recipient(url: str, credentials: dict, units: list[str], start: Any, results: Any,
              batch: bool = False) -> None:
    start.wait()
    began = time.process_time()
    figures = asyncio.run(_drain(url, credentials, units, batch))
    results.put(figures | {"cpu_s": time.process_time() - began})


async def _drain(url: str, credentials: dict, units: list[str], batch: bool = False
                 ) -> dict[str, Any]:
    """Per document: fetch, then ack, each timed as a pair. In batches: the listing with
    its packets, then one ack of the lot; every item of it is timed as the whole round."""
    pairs: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def one_unit(unit: str) -> None:
            client = HubClient(url, credentials[unit]["api_key"], session=session)
            while True:
                begin = time.perf_counter()
                items = await client.inbox(wait=0, limit=100, packets=batch)
                if not items:
                    return
                if batch:
                    for item in items:
                        if "packet" not in item and item["kind"] == "document":
                            await client.fetch(item["message_id"])
                    await client.ack_many([item["delivery_id"] for item in items])
                    pairs.extend([time.perf_counter() - begin] * len(items))
                    continue
                for item in items:
                    begin = time.perf_counter()
                    if item["kind"] == "document":
                        await client.fetch(item["message_id"])
                    await client.ack(item["delivery_id"])
                    pairs.append(time.perf_counter() - begin)
        await asyncio.gather(*(one_unit(unit) for unit in units))
    return {"pairs": pairs, "ended": time.time()}


def measure(hub: hubs.Hub, documents: int = 6000, processes: int = 2, batch: bool = False
            ) -> dict[str, Any]:
    """Preload, then drain every inbox (per document, or in batches: packets in the
    listing and one ack request per listing); the figures of the drain only."""
    asyncio.run(preload(hub, documents))
    _, recipients = _units(hub)
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    children = [spawn.Process(target=recipient, args=(
        hub.url, hub.credentials, recipients[i::processes], start, results, batch))
        for i in range(processes)]
    for child in children:
        child.start()
    time.sleep(2.0)  # the children import aiohttp and the client before the clock starts
    cpu_before = hubs.cpu_seconds(hub.pids)
    began = time.time()
    start.set()
    parts = [results.get(timeout=900) for _ in children]
    cpu = hubs.cpu_seconds(hub.pids) - cpu_before
    for child in children:
        child.join()
    pairs = sorted(p * 1000 for part in parts for p in part["pairs"])
    elapsed = max(part["ended"] for part in parts) - began
    return {"pairs": len(pairs), "fetch_ack_per_s": len(pairs) / elapsed,
            "pair_p50_ms": _pct(pairs, 50), "pair_p99_ms": _pct(pairs, 99),
            "hub_cpu_ms_per_pair": cpu * 1000 / max(len(pairs), 1),
            "load_cpu_ms_per_pair": sum(part["cpu_s"] for part in parts) * 1000 / max(
                len(pairs), 1)}


def _pct(values: list[float], pct: int) -> float:
    return values[min(len(values) - 1, int(len(values) * pct / 100))] if values else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=6000)
    parser.add_argument("--processes", type=int, default=2, help="recipient processes")
    parser.add_argument("--workers", type=int, default=1, help="hub processes")
    parser.add_argument("--batch", action="store_true",
                        help="packets in the listing (packets=inline) and one POST "
                             "/deliveries/ack per listing, instead of a fetch and an ack each")
    parser.add_argument("--rate-limit", type=int, default=0,
                        help="[server] unit_rate_limit of the hub (0: off)")
    parser.add_argument("--postgresql", action="store_true",
                        help="the hub on a throw-away PostgreSQL, one node (--workers ignored)")
    args = parser.parse_args(argv)
    options = {"unit_rate_limit": args.rate_limit}
    with tempfile.TemporaryDirectory(prefix="dx-inbox-") as folder:
        hub = (hubs.start_postgresql(Path(folder), options=options) if args.postgresql else
               hubs.start_sqlite(Path(folder), workers=args.workers, options=options))
        try:
            row = measure(hub, args.documents, args.processes, args.batch)
        finally:
            hub.stop()
    mode = "batch" if args.batch else "per document"
    print(f"{hub.name} ({mode}): {row['pairs']} fetch+ack in {args.processes} recipient "
          "processes: "
          f"{row['fetch_ack_per_s']:.0f}/s, pair p50 {row['pair_p50_ms']:.1f} ms, "
          f"p99 {row['pair_p99_ms']:.1f} ms, hub CPU {row['hub_cpu_ms_per_pair']:.2f} ms/pair, "
          f"recipients' CPU {row['load_cpu_ms_per_pair']:.2f} ms/pair")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
