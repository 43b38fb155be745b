"""Hostile bodies: attacker-chosen depth never reaches recursive code, and a large body leaves
nothing on disk whatever ends its request (refusal, bug, cancellation, client gone)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.appkeys import HUB_KEY
from docexchange.hub import Hub
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, document

BIG = 1200 * 1024  # base64 makes the packet ~1.6 MiB: above the 1 MiB inline limit


def _hub(client: TestClient) -> Hub:
    return client.app[HUB_KEY]


def _spool(hub: Hub) -> list[Path]:
    return list((hub.config.storage.blobs / "spool").iterdir())


def _blobs(hub: Hub) -> list[Path]:
    root = hub.config.storage.blobs
    return [p for p in root.rglob("*") if p.is_file() and "spool" not in p.parts]


def _large(number: int, subject: str = "V/v kế hoạch") -> bytes:
    return document(PROVINCE, [SO_NOI_VU], number=number, subject=subject,
                    files=[("big.pdf", os.urandom(BIG))])


async def _send(client: TestClient, env: HubEnv, data: bytes) -> Any:
    return await client.post("/api/v1/documents", data=io.BytesIO(data),
                             headers={**env.auth(PROVINCE), **XML})


def _nest_signature(data: bytes, depth: int) -> bytes:
    deep = b"<Signature>" + b"<a>" * depth + b"</a>" * depth + b"</Signature>"
    at = data.index(b"</edXML:edXMLHeader>")
    return data[:at] + deep + data[at:]


async def test_a_signature_nested_a_thousand_deep_is_an_invalid_packet(
        client: TestClient, hub_env: HubEnv) -> None:
    for depth in (1000, 1500, 1900):
        resp = await _send(client, hub_env, _nest_signature(document(PROVINCE, [SO_NOI_VU]),
                                                            depth))
        body = await resp.json()
        assert resp.status == 422 and body["code"] == "DX_INVALID_PACKET", body
        assert "deeper than 64" in str(body)


async def test_a_refused_large_classified_packet_leaves_nothing(
        client: TestClient, hub_env: HubEnv) -> None:
    data = _large(1, subject="MẬT - kế hoạch")
    resp = await _send(client, hub_env, data)
    assert resp.status == 422 and (await resp.json())["code"] == "DX_CLASSIFIED"
    assert _spool(_hub(client)) == [] and _blobs(_hub(client)) == []


async def test_an_unexpected_error_removes_the_spool(client: TestClient, hub_env: HubEnv,
                                                     monkeypatch: Any) -> None:
    async def broken(data: bytes) -> Any:
        assert _spool(_hub(client)), "the large body is spooled while it is checked"
        raise RuntimeError("a bug")
    monkeypatch.setattr(_hub(client).exchange, "inspect", broken)
    resp = await _send(client, hub_env, _large(2))
    assert resp.status == 500 and (await resp.json())["code"] == "DX_INTERNAL"
    assert _spool(_hub(client)) == [] and _blobs(_hub(client)) == []


async def test_a_cancelled_request_removes_the_spool(client: TestClient, hub_env: HubEnv,
                                                     monkeypatch: Any) -> None:
    seen = asyncio.Event()

    async def cancelled(data: bytes) -> Any:
        seen.set()
        raise asyncio.CancelledError()
    monkeypatch.setattr(_hub(client).exchange, "inspect", cancelled)
    try:
        await _send(client, hub_env, _large(3))
    except Exception:  # noqa: S110 - the server drops a cancelled request's connection
        pass
    assert seen.is_set()
    for _ in range(200):  # the handler's cleanup runs after the connection drops
        if not _spool(_hub(client)):
            break
        await asyncio.sleep(0.05)
    assert _spool(_hub(client)) == [] and _blobs(_hub(client)) == []


async def test_a_client_gone_mid_body_removes_the_spool(client: TestClient,
                                                        hub_env: HubEnv) -> None:
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    head = (f"POST /api/v1/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
            f"Authorization: Bearer {hub_env.api_key(PROVINCE)}\r\n"
            f"Content-Length: {3 * 1024 * 1024}\r\n\r\n").encode()
    writer.write(head + b"<" * (2 * 1024 * 1024))
    await writer.drain()
    for _ in range(200):
        if _spool(_hub(client)):
            break
        await asyncio.sleep(0.05)
    assert _spool(_hub(client)), "the body was being spooled"
    writer.close()
    for _ in range(200):
        if not _spool(_hub(client)):
            break
        await asyncio.sleep(0.05)
    assert _spool(_hub(client)) == []


async def test_a_large_packet_refused_after_its_blob_was_written_leaves_no_orphan(
        client: TestClient, hub_env: HubEnv) -> None:
    first = _large(4)
    assert (await _send(client, hub_env, first)).status == 202
    kept = _blobs(_hub(client))
    assert [p.name for p in kept] == [hashlib.sha256(first).hexdigest()]
    conflict = _large(4)  # same DocumentId, other bytes
    resp = await _send(client, hub_env, conflict)
    assert resp.status == 409 and (await resp.json())["code"] == "DX_DUPLICATE_DOCUMENT"
    assert _blobs(_hub(client)) == kept and _spool(_hub(client)) == []
    again = await _send(client, hub_env, first)  # the kept blob still serves its message
    assert again.status == 200
