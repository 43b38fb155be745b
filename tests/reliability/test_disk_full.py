"""Disk full on a real (small) file system: writes answer 503 DX_STORAGE_UNAVAILABLE, reads
keep working, nothing acknowledged is lost, and the hub recovers by itself when space returns."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document
from tests.reliability.small_disk import fill, free_bytes, small_disk

BIG = 1536 * 1024  # above the inline limit: the body goes through a blob file


@pytest.fixture
def hub_env(sqlite_hub_env: HubEnv) -> HubEnv:
    """About SQLite's own files on a full disk: SQLite in the PostgreSQL run too (a full
    PostgreSQL server answers the same DX_STORAGE_UNAVAILABLE: store/failures.py)."""
    return sqlite_hub_env


@pytest.fixture
async def full_hub(hub_env: HubEnv, aiohttp_client: Any) -> AsyncIterator[TestClient]:
    with small_disk(hub_env.root / "var"):
        client = await aiohttp_client(create_app(hub_env.config))
        yield client
        await client.close()


async def _send(client: TestClient, env: HubEnv, packet: bytes) -> tuple[int, dict[str, Any]]:
    resp = await client.post("/api/v1/documents", data=io.BytesIO(packet),
                             headers={**env.auth(PROVINCE), **XML})
    return resp.status, await resp.json()


def _assert_storage_problem(status: int, body: dict[str, Any]) -> None:
    assert status == 503, body
    assert body["code"] == "DX_STORAGE_UNAVAILABLE" and body["detail_vi"] and body["detail_en"]


async def test_disk_full_refuses_writes_keeps_reads_and_recovers(
        full_hub: TestClient, hub_env: HubEnv) -> None:
    client, env = full_hub, hub_env
    blob_file = ("big.pdf", b"%PDF-1.4 " + random.Random(7).randbytes(BIG))
    stored: dict[str, str] = {}
    for packet in (document(PROVINCE, [SO_NOI_VU]), document(PROVINCE, [SONG_HINH],
                                                             files=[blob_file])):
        status, body = await _send(client, env, packet)
        assert status == 202, body
        stored[body["message_id"]] = body["sha256"]
    inbox = await (await client.get("/api/v1/inbox", headers=env.auth(SO_NOI_VU))).json()
    acked = inbox["items"][0]["delivery_id"]
    assert (await client.post(f"/api/v1/deliveries/{acked}/ack",
                              headers=env.auth(SO_NOI_VU))).status == 200

    filler = env.root / "var" / "filler"
    fill(filler)
    assert free_bytes(filler.parent) < 64 * 1024
    # a body that needs a blob file cannot be spooled
    resp = await client.post("/api/v1/documents", data=io.BytesIO(
        document(PROVINCE, [SO_NOI_VU], files=[blob_file])), headers={**env.auth(PROVINCE), **XML})
    _assert_storage_problem(resp.status, await resp.json())
    assert resp.headers["Retry-After"].isdigit()
    # small ones land in the database until its WAL must grow: then 503 too, never a 500
    answers = []
    for _ in range(400):
        status, body = await _send(client, env, document(PROVINCE, [SONG_HINH]))
        answers.append(status)
        if status == 202:
            stored[body["message_id"]] = body["sha256"]
        else:
            _assert_storage_problem(status, body)
            break
    assert answers[-1] == 503, "the database never ran out of space"

    # reads keep working while the disk is full
    assert (await client.get("/healthz")).status == 200
    for message_id, sha in stored.items():
        got = await client.get(f"/api/v1/documents/{message_id}", headers=env.auth(PROVINCE))
        assert got.status == 200 and hashlib.sha256(await got.read()).hexdigest() == sha
    timeline = await client.get(f"/api/v1/documents/{inbox['items'][0]['message_id']}/"
                                "deliveries", headers=env.auth(PROVINCE))
    assert (await timeline.json())["deliveries"][0]["acked_at"]
    assert (await client.get("/api/v1/inbox", headers=env.auth(SONG_HINH))).status == 200

    filler.unlink()  # space returns: no restart, no operator action
    for packet in (document(PROVINCE, [SO_NOI_VU]), document(PROVINCE, [SO_NOI_VU],
                                                             files=[blob_file])):
        status, body = await _send(client, env, packet)
        assert status == 202, body
    ready = await client.get("/readyz")
    assert ready.status == 200, await ready.json()
    assert not any((env.root / "var" / "blobs" / "spool").iterdir())
