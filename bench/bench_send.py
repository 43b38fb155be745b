"""Send throughput through the real hub: a server process on loopback, concurrent clients.

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/bench_send.py [--documents 3000] [--concurrency 64] [--signed]
It initialises a throw-away hub in a temporary folder (keys, demo directory), serves it with
`docexchange serve`, sends unique ~5 KB packets from many units to two recipients each, and
reports documents/s, latency percentiles, and the database's batching (commits per document).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from packets import document, sign_as  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _project(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    shutil.copy(REPO / "config" / "demo-province.csv", root / "config")
    shutil.copy(REPO / "config" / "hub.example.toml", root / "config" / "hub.toml")
    return root / "config" / "hub.toml"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = sum(int(v) for v in fields[11:13])
    total = own / ticks
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += _cpu_seconds(int(child))
    return total


def _packets(creds: dict, n: int, signed: bool) -> list[tuple[str, bytes]]:
    units = sorted(k for k in creds if k != "operators")
    rng = random.Random(7)
    out = []
    for i in range(n):
        sender = rng.choice(units)
        to = rng.sample([u for u in units if u != sender], 2)
        data = document(sender, to, number=i + 1, files=[("cv.pdf", rng.randbytes(3500))])
        out.append((sender, sign_as(creds, sender, data) if signed else data))
    return out


async def _run(url: str, creds: dict, packets: list[tuple[str, bytes]], concurrency: int
               ) -> tuple[float, list[float], int]:
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for item in packets:
        queue.put_nowait(item)
    latencies: list[float] = []
    errors = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while not queue.empty():
            sender, data = queue.get_nowait()
            headers = {"Authorization": f"Bearer {creds[sender]['api_key']}",
                       "Content-Type": "application/xml"}
            t0 = time.perf_counter()
            async with session.post(f"{url}/api/v1/documents", data=data,
                                    headers=headers) as resp:
                await resp.read()
                if resp.status != 202:
                    errors += 1
            latencies.append(time.perf_counter() - t0)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return elapsed, latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--signed", action="store_true", help="XML-DSig sign every packet")
    parser.add_argument("--profile", help="write a py-spy profile (raw) of the server here")
    parser.add_argument("--workers", type=int, default=1, help="hub processes (serve --workers)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = _project(Path(tmp))
        exe = [sys.executable, "-m", "docexchange", "--config", str(config)]
        subprocess.run([*exe, "init"], check=True, capture_output=True)
        creds = json.loads((Path(tmp) / "keys" / "dev-credentials.json").read_text("utf-8"))
        packets = _packets(creds, args.documents, args.signed)
        size = statistics.mean(len(p) for _, p in packets)
        port = _port()
        server = subprocess.Popen([*exe, "serve", "--port", str(port), "--workers",
                                   str(args.workers)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if args.profile:
            # py-spy (pip install py-spy) stops by itself when the server exits; --gil: only
            # the thread holding the GIL, the one resource a hub process cannot share
            subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record",
                              "-o", args.profile, "-f", "raw", "--gil", "--pid", str(server.pid),
                              "--nonblocking"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.5)
            cpu_before = _cpu_seconds(server.pid)
            elapsed, lat, errors = asyncio.run(_run(f"http://127.0.0.1:{port}", creds, packets,
                                                    args.concurrency))
            server_cpu = _cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait()
        db = sqlite3.connect(Path(tmp) / "var" / "hub.sqlite3")
        heads = db.execute("SELECT count(*) FROM tree_heads").fetchone()[0]
        leaves = db.execute("SELECT count(*) FROM log_leaves").fetchone()[0]
    lat.sort()
    print(f"documents: {args.documents} ({size / 1024:.1f} KB avg, "
          f"{'signed' if args.signed else 'unsigned'}), concurrency {args.concurrency}, "
          f"{args.workers} hub process(es)")
    print(f"throughput: {args.documents / elapsed:.0f} documents/s over {elapsed:.2f} s, "
          f"errors {errors}")
    print(f"hub CPU: {server_cpu * 1000 / args.documents:.2f} ms per document "
          f"(all hub processes; the load generator shares the same cores)")
    print(f"latency ms: p50 {lat[len(lat) // 2] * 1000:.1f}  p95 "
          f"{lat[int(len(lat) * .95)] * 1000:.1f}  p99 {lat[int(len(lat) * .99)] * 1000:.1f}")
    print(f"evidence: {leaves} leaves, {heads} signed tree heads "
          f"({heads / max(leaves, 1):.3f} signatures per event)")


if __name__ == "__main__":
    main()
