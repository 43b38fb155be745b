"""Parse + XSD + signature run in worker processes for every packet (issue 12): the hub process
only moves bytes, never holds a spooled packet, gets small answers back, and leaves no worker
behind when it is killed."""

from __future__ import annotations

import asyncio
import hashlib
import os
import pickle
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from docexchange.app import create_app
from docexchange.exchange import packet_check
from docexchange.exchange.incoming import BodySink
from docexchange.exchange.inspection_pool import InspectionPool, cores
from docexchange.store.blobs import BlobStore
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, document, sign_as
from tests.hub_process import HubProcess


def _never_in_the_hub(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a packet was parsed in the hub process")


async def test_a_small_packet_is_inspected_in_a_worker(
        hub_env: HubEnv, aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``inspect_inline_bytes = 0`` the hub process's own parser is broken here; a 5 KB
    signed packet is still accepted and its signature verified: a worker did the work."""
    exchange = replace(hub_env.config.exchange, inspect_inline_bytes=0)
    client = await aiohttp_client(create_app(replace(hub_env.config, exchange=exchange)))
    monkeypatch.setattr(packet_check, "parse_xml", _never_in_the_hub)
    data = sign_as(hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU],
                                               files=[("cv.pdf", os.urandom(3000))]))
    resp = await client.post("/api/v1/documents", data=data,
                             headers={**hub_env.auth(PROVINCE), **XML})
    assert resp.status == 202, await resp.text()
    assert (await resp.json())["signature"] == "verified"


async def test_a_spooled_body_stays_on_disk(tmp_path: Path) -> None:
    """Past the inline limit the body is written to its spool file chunk by chunk and never
    read back into the hub process: the request body carries its path, size and hash."""
    blobs = BlobStore(tmp_path / "blobs")
    blobs.open()
    sink = BodySink(blobs, limit=8 * 2**20, inline_limit=2**20)
    content = os.urandom(3 * 2**20 + 17)
    for start in range(0, len(content), 256 * 1024):
        sink.write(content[start:start + 256 * 1024])
    body = await sink.finish()
    assert body.data == b""
    assert body.size == len(content)
    assert body.sha256 == hashlib.sha256(content).hexdigest()
    assert body.spool is not None and body.spool.read_bytes() == content


async def test_an_inspection_comes_back_without_the_attachments(hub_env: HubEnv) -> None:
    """What crosses the pipe back is the model without the files' content (a few KB for a
    2 MB attachment); names and ids stay."""
    data = document(PROVINCE, [SO_NOI_VU], files=[("bao-cao.pdf", os.urandom(2 * 2**20))])
    pool = InspectionPool((), False, workers=1)
    try:
        inspection = await pool.inspect(data)
    finally:
        pool.close()
    packet = inspection.packet
    assert [a.name for a in packet.attachments] == ["bao-cao.pdf"]  # type: ignore[union-attr]
    assert all(a.data == b"" for a in packet.attachments)  # type: ignore[union-attr]
    assert len(pickle.dumps(inspection)) < 64 * 1024


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found |= {int(child)} | _descendants(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_the_workers_end_when_the_hub_is_killed(hub_env: HubEnv) -> None:
    """A SIGKILL gives the hub no chance to stop its pool: the workers (and the fork server
    waiting for them) notice on their own and end, rather than live on as orphans."""
    hub = HubProcess(hub_env)
    await hub.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{hub.url}/api/v1/documents",
                                    data=document(PROVINCE, [SO_NOI_VU], files=[
                                        ("cv.pdf", os.urandom(200_000))]),  # above inline
                                    headers={**hub_env.auth(PROVINCE), **XML}) as resp:
                assert resp.status == 202
        assert hub.proc is not None
        helpers = _descendants(hub.proc.pid)
        assert len(helpers) >= 2  # the fork server and at least one worker
    finally:
        hub.kill()
    deadline = time.monotonic() + 60  # a bound, not a measurement: a busy machine is slow
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    left = [pid for pid in helpers if _alive(pid)]
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert not left


async def test_serve_starts_the_workers_before_the_first_packet(hub_env: HubEnv) -> None:
    """Started on first use, the fork server's imports and each worker's start stalled the
    event loop under the first large packet; `serve` starts them beside the loop at once."""
    hub = HubProcess(hub_env)
    await hub.start()
    try:
        assert hub.proc is not None
        wanted = 1 + (hub_env.config.exchange.inspect_workers or cores())  # server + workers
        deadline = time.monotonic() + 60  # a bound, not a measurement: a busy machine is slow
        while len(_descendants(hub.proc.pid)) < wanted and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert len(_descendants(hub.proc.pid)) >= wanted  # and no packet was sent
    finally:
        hub.stop()
