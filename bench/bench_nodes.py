"""Documents/s on SQLite, on PostgreSQL with one node, and on PostgreSQL with two nodes, in
one run, with the same packets and the same clients.

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/bench_nodes.py [--documents 1500] [--concurrency 64]
It initialises one throw-away hub, copies it three times (the PostgreSQL copies with
`docexchange store migrate`), starts its own PostgreSQL with scripts/postgresql-throwaway.sh
(durable: fsync on, as in production) and serves each setup with `docexchange serve`; with two
nodes the clients alternate between them.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_send import _cpu_seconds, _packets, _port, _project  # noqa: E402


async def _send_all(urls: list[str], creds: dict, packets: list[tuple[str, bytes]],
                    concurrency: int) -> tuple[float, list[float], int]:
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for item in packets:
        queue.put_nowait(item)
    turn = itertools.count()
    latencies: list[float] = []
    errors = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while not queue.empty():
            sender, data = queue.get_nowait()
            url = urls[next(turn) % len(urls)]
            headers = {"Authorization": f"Bearer {creds[sender]['api_key']}",
                       "Content-Type": "application/xml"}
            t0 = time.perf_counter()
            async with session.post(f"{url}/api/v1/documents", data=data,
                                    headers=headers) as resp:
                await resp.read()
                errors += resp.status != 202
            latencies.append(time.perf_counter() - t0)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        return time.perf_counter() - start, latencies, errors


@contextmanager
def _serving(config: Path, nodes: int) -> Iterator[tuple[list[str], list[int]]]:
    exe = [sys.executable, "-m", "docexchange", "--config", str(config), "serve"]
    ports = [_port() for _ in range(nodes)]
    procs = [subprocess.Popen([*exe, "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for port in ports]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        asyncio.run(_ready(urls))
        yield urls, [p.pid for p in procs]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()


async def _ready(urls: list[str]) -> None:
    async with aiohttp.ClientSession() as session:
        for url in urls:
            for _ in range(600):
                try:
                    async with session.get(f"{url}/readyz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)


def _use_database(config: Path, database: str) -> None:
    text = config.read_text("utf-8")
    config.write_text(re.sub(r'(?m)^database = .*$', f'database = "{database}"', text),
                      encoding="utf-8")


def _measure(name: str, config: Path, nodes: int, creds: dict,
             packets: list[tuple[str, bytes]], concurrency: int) -> dict[str, float]:
    with _serving(config, nodes) as (urls, pids):
        cpu = sum(_cpu_seconds(pid) for pid in pids)
        elapsed, lat, errors = asyncio.run(_send_all(urls, creds, packets, concurrency))
        cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu
    lat.sort()
    n = len(packets)
    row = {"documents/s": n / elapsed, "p50 ms": lat[n // 2] * 1000,
           "p99 ms": lat[int(n * .99)] * 1000, "hub CPU ms/doc": cpu * 1000 / n,
           "errors": errors}
    print(f"{name:<28} " + "  ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                    for k, v in row.items()), flush=True)
    return row


def _heads(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT (SELECT COUNT(*) FROM log_leaves), "
                           "(SELECT COUNT(*) FROM tree_heads)").fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    script = REPO / "scripts" / "postgresql-throwaway.sh"
    with tempfile.TemporaryDirectory(prefix="bench-nodes-") as tmp:
        root = Path(tmp)
        pristine = root / "sqlite"
        config = _project(pristine)
        subprocess.run([sys.executable, "-m", "docexchange", "--config", str(config), "init"],
                       check=True, capture_output=True)
        creds = json.loads((pristine / "keys" / "dev-credentials.json").read_text("utf-8"))
        packets = _packets(creds, args.documents, False)
        size = statistics.mean(len(p) for _, p in packets)
        copies = {name: root / name for name in ("pg1", "pg2")}
        for folder in copies.values():
            shutil.copytree(pristine, folder, symlinks=True)
        server = subprocess.run(["bash", str(script), "start", str(root / "pg")], check=True,
                                capture_output=True, text=True).stdout.strip()
        try:
            base = server.rsplit("/", 1)[0]
            for name, folder in copies.items():
                with psycopg.connect(server, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {name}")
                cfg = folder / "config" / "hub.toml"
                subprocess.run([sys.executable, "-m", "docexchange", "--config", str(cfg),
                                "store", "migrate", "--to", f"{base}/{name}"], check=True,
                               capture_output=True)
                _use_database(cfg, f"{base}/{name}")
            print(f"documents: {args.documents} ({size / 1024:.1f} KB avg, unsigned), "
                  f"concurrency {args.concurrency}; PostgreSQL with fsync on", flush=True)
            _measure("SQLite, 1 node", config, 1, creds, packets, args.concurrency)
            _measure("PostgreSQL, 1 node", copies["pg1"] / "config" / "hub.toml", 1, creds,
                     packets, args.concurrency)
            _measure("PostgreSQL, 2 nodes", copies["pg2"] / "config" / "hub.toml", 2, creds,
                     packets, args.concurrency)
            for name in copies:
                leaves, heads = _heads(f"{base}/{name}")
                print(f"{name}: {leaves} leaves, {heads} tree heads "
                      f"({leaves / max(heads, 1):.1f} events per write batch)")
        finally:
            subprocess.run(["bash", str(script), "stop", str(root / "pg")], check=False)


if __name__ == "__main__":
    main()
