"""One very large signed packet (200 MB; 20 MB in quick mode) into a real hub, and what it cost
the hub's memory: the peak resident size (VmHWM in /proc/PID/status) of the hub process and of
each of its helper processes (the inspection workers, their fork server), read once the hub is
warm (one small document sent, so the pool is up) and again after the receipt.

Issue 12 asks for < 100 MB growth of the peak for a 200 MB packet: the body is spooled and
hashed while it streams, and never held several times. The hub process's own growth is the
figure the spooling controls; a worker must still parse the packet into a tree to check its
schema and signature, and that shows in its own line.

Run by bench/run.py (`make bench`) after the table; on its own:
``.venv/bin/python bench/big_packet.py [--megabytes 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from docexchange.client import HubClient

try:
    import hubs
    from packets import document, sign_as
except ImportError:  # imported as bench.big_packet
    from bench import hubs
    from bench.packets import document, sign_as


def hwm_kib(pid: int) -> int:
    """The process's peak resident size so far, KiB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+)", status, re.MULTILINE)
    return int(found[1]) if found else 0


def peaks(hub: hubs.Hub) -> dict[int, int]:
    return {pid: hwm_kib(pid) for root in hub.pids for pid in hubs.tree(root)}


def measure(megabytes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dx-bench-big-") as folder:
        limit = (megabytes + 64) * 2**20
        hub = hubs.start_sqlite(Path(folder), options={"max_packet_bytes": limit})
        try:
            return asyncio.run(_send(hub, megabytes))
        finally:
            hub.stop()


async def _send(hub: hubs.Hub, megabytes: int) -> dict[str, Any]:
    units = sorted(code for code in hub.credentials if code != "operators")
    sender, recipient = units[0], units[-1]
    rng = random.Random(megabytes)
    attachment = rng.randbytes(megabytes * 2**20 * 3 // 4)
    data = sign_as(hub.credentials, sender, document(
        sender, [recipient], number=megabytes, files=[("ban-ve.zip", attachment)]))
    del attachment
    warm = sign_as(hub.credentials, sender, document(sender, [recipient], number=1,
                                                     files=[("a.pdf", b"%PDF-1.4")]))
    timeout = aiohttp.ClientTimeout(total=1800)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        client = HubClient(hub.url, hub.credentials[sender]["api_key"], session=session)
        await client.send_document(warm)
        before = peaks(hub)
        began = time.perf_counter()
        receipt = await client.send_document(data)
        seconds = time.perf_counter() - began
    after = peaks(hub)
    main = hub.pids[0]
    helpers = [pid for pid in after if pid != main]
    growth = {pid: (after[pid] - before.get(pid, 0)) / 1024 for pid in after}
    return {
        "megabytes": len(data) / 1e6, "seconds": seconds, "mb_per_s": len(data) / 1e6 / seconds,
        "signature": receipt.get("signature"),
        "hub_process_growth_mb": growth[main],
        "worker_growth_mb": max((growth[pid] for pid in helpers), default=0.0),
        "total_growth_mb": sum(growth.values()),
        "hub_process_peak_mb": after[main] / 1024,
    }


def line(figures: dict[str, Any]) -> str:
    return (f"{figures['megabytes']:.0f} MB signed packet: accepted in {figures['seconds']:.1f} s "
            f"({figures['mb_per_s']:.0f} MB/s, signature {figures['signature']}); peak RSS "
            f"growth: hub process {figures['hub_process_growth_mb']:.0f} MB, busiest worker "
            f"{figures['worker_growth_mb']:.0f} MB, all processes "
            f"{figures['total_growth_mb']:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int,
                        default=20 if os.environ.get("DX_BENCH_QUICK") == "1" else 200)
    print(line(measure(parser.parse_args(argv).megabytes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
