"""Read deadlines on real connections: a raw socket that stalls in its headers or its body is
disconnected (and its spooled body removed); a slow but moving upload is not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web

from docexchange.app import create_app
from docexchange.server import GuardedAppRunner
from tests.conftest import PROVINCE, HubEnv


@pytest.fixture
async def guarded(hub_env: HubEnv) -> AsyncIterator[tuple[int, Path]]:
    config = replace(hub_env.config, server=replace(
        hub_env.config.server, header_read_timeout=1, body_read_timeout=1))
    runner = GuardedAppRunner(create_app(config), config)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1], config.storage.blobs / "spool"
    finally:
        await runner.cleanup()


async def _closed_by_server(reader: asyncio.StreamReader, within: float = 20) -> bytes:
    """What the server sent before closing (b'' when it closed without answering); fails when
    the connection is still open after `within` seconds (a generous bound, not a timing)."""
    return await asyncio.wait_for(reader.read(), within)


async def test_stalled_headers_are_cut(guarded: tuple[int, Path]) -> None:
    port, _ = guarded
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    await writer.drain()
    assert await _closed_by_server(reader) == b""
    writer.close()


async def test_a_silent_connection_is_cut(guarded: tuple[int, Path]) -> None:
    port, _ = guarded
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert await _closed_by_server(reader) == b""
    writer.close()


async def test_a_header_sent_a_byte_at_a_time_is_cut(guarded: tuple[int, Path]) -> None:
    port, _ = guarded
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    closed = asyncio.ensure_future(_closed_by_server(reader))
    for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200:
        if closed.done():
            break
        writer.write(bytes([byte]))
        await asyncio.sleep(0.2)
    assert await closed == b""
    writer.close()


async def test_a_stalled_unauthenticated_body_is_cut(guarded: tuple[int, Path]) -> None:
    port, _ = guarded
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /dashboard/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n\r\nname=adm")
    await writer.drain()
    answer = await _closed_by_server(reader)
    assert b" 200 " not in answer.split(b"\r\n", 1)[0]
    writer.close()


async def test_a_stalled_packet_body_is_cut_and_its_spool_removed(
        guarded: tuple[int, Path], hub_env: HubEnv) -> None:
    port, spool = guarded
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"POST /api/v1/documents HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {hub_env.api_key(PROVINCE)}\r\n"
                  f"Content-Type: application/xml\r\nContent-Length: {4 * 1024 * 1024}\r\n\r\n"
                  ).encode() + b"<" * (2 * 1024 * 1024))
    await writer.drain()
    await _closed_by_server(reader)
    writer.close()
    for _ in range(200):
        if not list(spool.iterdir()):
            break
        await asyncio.sleep(0.05)
    assert list(spool.iterdir()) == []


async def test_a_slow_but_moving_body_is_served(guarded: tuple[int, Path]) -> None:
    port, _ = guarded
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /dashboard/login HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
    for _ in range(6):  # 3 s in all, never 1 s silent
        writer.write(b"a=bbb")
        await writer.drain()
        await asyncio.sleep(0.5)
    status = await asyncio.wait_for(reader.readline(), 20)
    assert status.startswith(b"HTTP/1.1 403")  # an answer (no CSRF token), not a cut
    writer.close()
