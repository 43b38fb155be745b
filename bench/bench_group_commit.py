"""Group commit seen from the evidence log: how many tree-head signatures a burst of sends costs.

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/bench_group_commit.py [--documents 2000] [--concurrency 64]
        [--database postgresql://USER@HOST:PORT/DBNAME]
With --database the hub keeps its data in that (empty) PostgreSQL database instead of a SQLite
file (start a durable throw-away server with scripts/postgresql-throwaway.sh, without `fast`).
It initialises a throw-away hub in a temporary folder, runs the real app in-process (aiohttp
test server on loopback, so the hub's counters are readable), sends unique packets from many
units concurrently, then reports documents/s, write batches, tree heads signed and signatures
per document, and checks a sample of the receipts offline.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from packets import XML, document, make_project  # noqa: E402

from docexchange.app import create_app  # noqa: E402
from docexchange.appkeys import HUB_KEY  # noqa: E402
from docexchange.commands.init import initialise, read_credentials  # noqa: E402
from docexchange.config import load_config  # noqa: E402
from docexchange.evidence.verify import certificates_by_key_id, check_receipt  # noqa: E402
from docexchange.signing.certificates import load_certificate  # noqa: E402


def _packets(creds: dict[str, Any], n: int) -> list[tuple[str, bytes]]:
    units = sorted(k for k, v in creds.items() if isinstance(v, dict) and "api_key" in v)
    rng = random.Random(7)
    out = []
    for i in range(n):
        sender = rng.choice(units)
        to = rng.sample([u for u in units if u != sender], 2)
        out.append((sender, document(sender, to, number=i + 1,
                                     files=[("cv.pdf", rng.randbytes(2000))])))
    return out


async def _run(root: Path, documents: int, concurrency: int, database: str) -> None:
    config_path = make_project(root)
    if database:
        text = config_path.read_text("utf-8")
        config_path.write_text(text.replace('database = "../var/hub.sqlite3"',
                                            f'database = "{database}"'), encoding="utf-8")
    config = load_config(config_path)
    await initialise(config)
    creds = read_credentials(config)
    packets = _packets(creds, documents)
    async with TestClient(TestServer(create_app(config))) as client:
        hub = client.app[HUB_KEY]
        batches0, heads0 = hub.db.stats.batches, hub.evidence.heads_signed
        gate = asyncio.Semaphore(concurrency)

        async def send(sender: str, data: bytes) -> dict[str, Any]:
            async with gate:
                resp = await client.post("/api/v1/documents", data=data, headers={
                    "Authorization": f"Bearer {creds[sender]['api_key']}", **XML})
                assert resp.status == 202, await resp.text()
                return dict(await resp.json())
        start = time.perf_counter()
        receipts = await asyncio.gather(*(send(s, d) for s, d in packets))
        elapsed = time.perf_counter() - start
        batches = hub.db.stats.batches - batches0
        heads = hub.evidence.heads_signed - heads0
    certs = certificates_by_key_id([load_certificate(config.keys.dir / "hub.crt")])
    sample = receipts[:: max(1, len(receipts) // 50)]
    for receipt in sample:
        check_receipt(receipt, certs)
    print(f"engine               {config.storage.engine}")
    print(f"documents            {documents}  (concurrency {concurrency})")
    print(f"elapsed              {elapsed:.2f} s")
    print(f"documents/s          {documents / elapsed:.0f}")
    print(f"write batches        {batches}  (includes refusal/other writes, if any)")
    print(f"documents per batch  {documents / max(batches, 1):.1f}")
    print(f"tree heads signed    {heads}")
    print(f"signatures/document  {heads / documents:.3f}")
    print(f"receipts verified    {len(sample)} of {len(receipts)} (sample, offline)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--database", default="", help="a postgresql:// URL (empty database)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dx-bench-") as tmp:
        asyncio.run(_run(Path(tmp) / "hub", args.documents, args.concurrency, args.database))


if __name__ == "__main__":
    main()
