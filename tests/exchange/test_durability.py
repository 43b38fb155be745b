"""Crash safety: SIGKILL the real hub process at random moments while clients send, ack and
report statuses. After each restart, everything that got a 2xx is there, byte for byte, and
nothing that got no 2xx is half-stored."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from typing import Any

import aiohttp
import pytest

from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document, status

SENDERS = [PROVINCE, SO_NOI_VU, SONG_HINH, "000.00.02.H45"]
CYCLES = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubProcess:
    """`docexchange serve` as a real process on a free loopback port."""

    def __init__(self, env: HubEnv, *extra_args: str) -> None:
        self.env = env
        self.port = _free_port()
        self.extra_args = extra_args
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "docexchange", "--config", str(self.env.config_path), "serve",
             "--port", str(self.port), *self.extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                try:
                    async with session.get(f"{self.url}/readyz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError("hub did not become ready")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """SIGTERM: the hub shuts down cleanly (and stops its worker processes)."""
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Ledger:
    """What the clients were told (2xx only)."""

    def __init__(self) -> None:
        self.receipts: dict[str, dict[str, Any]] = {}
        self.acks: set[str] = set()
        self.statuses: list[tuple[str, str, str]] = []  # (message_id, recipient, code)


async def _client_loop(env: HubEnv, url: str, sender: str, ledger: Ledger, stop: asyncio.Event,
                       rng: random.Random) -> None:
    headers = {**env.auth(sender), **XML}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while not stop.is_set():
            try:
                await _one_round(env, url, sender, session, headers, ledger, rng)
            except (TimeoutError, aiohttp.ClientError, ConnectionError):
                await asyncio.sleep(0.02)


async def _one_round(env: HubEnv, url: str, sender: str, session: aiohttp.ClientSession,
                     headers: dict[str, str], ledger: Ledger, rng: random.Random) -> None:
    recipients = rng.sample([u for u in SENDERS if u != sender], 2)
    async with session.post(f"{url}/api/v1/documents", data=document(sender, recipients),
                            headers=headers) as resp:
        if resp.status in (200, 202):
            receipt = await resp.json()
            ledger.receipts[receipt["message_id"]] = {**receipt, "_sender": sender}
    me = env.auth(sender)
    async with session.get(f"{url}/api/v1/inbox?limit=5", headers=me) as resp:
        items = (await resp.json())["items"] if resp.status == 200 else []
    for item in items:
        async with session.post(f"{url}/api/v1/deliveries/{item['delivery_id']}/ack",
                                headers=me) as resp:
            if resp.status == 200:
                ledger.acks.add(item["delivery_id"])
        if item["kind"] == "document" and rng.random() < 0.5:
            packet = status(sender, item["sender"], item["document_id"], "03")
            async with session.post(f"{url}/api/v1/statuses", data=packet,
                                    headers={**me, **XML}) as resp:
                if resp.status in (200, 202):
                    ledger.statuses.append((item["message_id"], sender, "03"))


async def _verify(env: HubEnv, url: str, ledger: Ledger) -> None:
    async with aiohttp.ClientSession() as session:
        for message_id, receipt in ledger.receipts.items():
            me = env.auth(receipt["_sender"])
            async with session.get(f"{url}/api/v1/documents/{message_id}", headers=me) as resp:
                assert resp.status == 200, message_id
                assert hashlib.sha256(await resp.read()).hexdigest() == receipt["sha256"]
            async with session.get(f"{url}/api/v1/documents/{message_id}/deliveries",
                                   headers=me) as resp:
                timeline = await resp.json()
            got = {d["recipient"]: d for d in timeline["deliveries"]}
            assert set(got) == {r["organ_id"] for r in receipt["recipients"]}
            for r in receipt["recipients"]:
                if r["delivery_id"] in ledger.acks:
                    assert got[r["organ_id"]]["acked_at"], r


def _check_database(env: HubEnv, ledger: Ledger) -> None:
    conn = sqlite3.connect(env.config.storage.database)
    blobs = env.config.storage.blobs
    for message_id, sha, recipients_json, kind in conn.execute(
            "SELECT message_id, sha256, recipients_json, kind FROM messages"):
        path = blobs / sha[:2] / sha[2:4] / sha
        inline = conn.execute("SELECT data FROM payloads WHERE sha256 = ?", (sha,)).fetchone()
        data = inline[0] if inline else path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        n = conn.execute("SELECT count(*) FROM deliveries WHERE message_id = ?",
                         (message_id,)).fetchone()[0]
        if kind == "document":
            expected = {o for r in json.loads(recipients_json) for o in r["resolved"]}
            assert n == len(expected), message_id
            assert conn.execute("SELECT 1 FROM log_leaves WHERE message_id = ? AND event = "
                                "'document_accepted'", (message_id,)).fetchone()
    leaves = conn.execute("SELECT count(*) FROM log_leaves").fetchone()[0]
    head = conn.execute("SELECT max(tree_size) FROM tree_heads").fetchone()[0]
    assert head == leaves  # every committed leaf is covered by a signed head
    for (delivery_id,) in conn.execute("SELECT delivery_id FROM deliveries WHERE acked_ts IS "
                                       "NULL"):
        assert delivery_id not in ledger.acks
    statuses = {(m, r) for m, r, c in ledger.statuses}
    for message_id, recipient in statuses:
        row = conn.execute("SELECT 1 FROM delivery_events e JOIN deliveries d USING "
                           "(delivery_id) WHERE d.message_id = ? AND d.recipient_id = ? AND "
                           "e.status_code = '03'", (message_id, recipient)).fetchone()
        assert row, (message_id, recipient)
    assert not any((blobs / "spool").iterdir())
    conn.close()


@pytest.mark.slow
async def test_sigkill_at_random_moments_loses_nothing_acknowledged(hub_env: HubEnv) -> None:
    rng = random.Random(os.environ.get("DX_SEED", "20261128"))
    ledger = Ledger()
    hub = HubProcess(hub_env)
    for _cycle in range(CYCLES):
        await hub.start()
        await _verify(hub_env, hub.url, ledger)  # after each restart, not only the last
        stop = asyncio.Event()
        clients = [asyncio.create_task(_client_loop(hub_env, hub.url, s, ledger, stop,
                                                    random.Random(rng.random())))
                   for s in SENDERS]
        await asyncio.sleep(rng.uniform(0.5, 1.5))
        hub.kill()
        stop.set()
        await asyncio.gather(*clients)
    await hub.start()
    try:
        await _verify(hub_env, hub.url, ledger)
    finally:
        hub.kill()
    _check_database(hub_env, ledger)
    print(f"durability: {len(ledger.receipts)} receipts, {len(ledger.acks)} acks, "
          f"{len(ledger.statuses)} statuses survived {CYCLES} SIGKILLs")
    assert len(ledger.receipts) >= 20, "too few sends to prove anything"
    assert ledger.acks and ledger.statuses

