"""Push throughput through the real hub: `docexchange serve` on loopback pushes to a receiver
in this process (200 OK after storing by Idempotency-Key).

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/bench_push.py [--documents 500] [--units 4]
Sends the documents first (push endpoints approved), then reports how long until every
delivery was pushed and acknowledged, pushes/s, and duplicates seen by the receiver.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from packets import document  # noqa: E402

UNITS = ["000.00.12.H45", "000.00.31.H45", "000.00.02.H45", "000.00.03.H45", "000.00.04.H45",
         "000.00.05.H45", "000.00.06.H45", "000.00.07.H45"]
SENDER = "000.00.00.H45"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def main(documents: int, units: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "config").mkdir()
        (root / "config" / "demo-province.csv").write_bytes(
            (REPO / "config" / "demo-province.csv").read_bytes())
        text = (REPO / "config" / "hub.example.toml").read_text("utf-8")
        text = text.replace("allowed_addresses = []", 'allowed_addresses = ["127.0.0.1"]')
        text = text.replace("scan_interval_ms = 1000", "scan_interval_ms = 100")
        config = root / "config" / "hub.toml"
        config.write_text(text, "utf-8")
        cli = [sys.executable, "-m", "docexchange", "--config", str(config)]
        subprocess.run([*cli, "init"], check=True, capture_output=True)
        creds = json.loads((root / "keys" / "dev-credentials.json").read_text("utf-8"))
        stored: dict[str, int] = {}

        async def receive(request: web.Request) -> web.Response:
            await request.read()
            key = request.headers["Idempotency-Key"]
            stored[key] = stored.get(key, 0) + 1
            return web.Response(text="ok")
        app = web.Application()
        app.router.add_post("/in", receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        rport = _port()
        await web.TCPSite(runner, "127.0.0.1", rport).start()
        port = _port()
        server = subprocess.Popen([*cli, "serve", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/api/v1"
        try:
            async with aiohttp.ClientSession() as s:
                for _ in range(300):
                    try:
                        async with s.get(f"http://127.0.0.1:{port}/readyz") as r:
                            if r.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
                op = {"Authorization": f"Bearer {creds['operators']['admin']['api_token']}"}
                for unit in UNITS[:units]:
                    auth = {"Authorization": f"Bearer {creds[unit]['api_key']}"}
                    await s.put(f"{base}/push-endpoint", headers=auth,
                                json={"url": f"http://127.0.0.1:{rport}/in"})
                    await s.post(f"{base}/ops/push-endpoints/{unit}/approve", headers=op,
                                 json={"allow_http": True})
                auth = {"Authorization": f"Bearer {creds[SENDER]['api_key']}",
                        "Content-Type": "application/xml"}
                start = time.perf_counter()
                for i in range(documents):
                    async with s.post(f"{base}/documents", headers=auth,
                                      data=document(SENDER, [UNITS[i % units]], number=i + 1,
                                                    files=[("cv.pdf", b"%PDF-1.4 push")])
                                      ) as r:
                        assert r.status == 202, await r.text()
                sent = time.perf_counter() - start
                db = root / "var" / "hub.sqlite3"
                while True:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                        done = conn.execute("SELECT COUNT(*) FROM push_queue WHERE state = "
                                            "'delivered'").fetchone()[0]
                    if done >= documents:
                        break
                    await asyncio.sleep(0.05)
                total = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait()
            await runner.cleanup()
        print(f"documents {documents} to {units} push endpoints")
        print(f"sent in {sent:.2f} s; all pushed and acknowledged after {total:.2f} s "
              f"({documents / total:.0f} pushes/s end to end)")
        print(f"receiver: {len(stored)} distinct keys, "
              f"{sum(stored.values()) - len(stored)} repeats")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--units", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(main(args.documents, args.units))
