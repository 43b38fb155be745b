"""A push endpoint cannot hold the hub: its answer is read only up to max_response_bytes and a
request that takes longer than request_timeout is given up (docs/push-and-relay.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from docexchange.config import PushConfig
from docexchange.push.sender import PushSender

CHUNK = b"x" * 65536
WRITTEN = web.AppKey("written", dict)


async def _endless(request: web.Request) -> web.StreamResponse:
    """2xx, then a body that never ends (bounded by the test's own guard: 2 GiB at most)."""
    response = web.StreamResponse(status=200)
    await response.prepare(request)
    counter = request.app[WRITTEN]
    for _ in range(32768):
        await response.write(CHUNK)
        counter["bytes"] += len(CHUNK)
    return response


async def _silent(request: web.Request) -> web.Response:
    await asyncio.sleep(30)
    return web.Response(status=200)


@pytest.fixture
async def endpoint(aiohttp_server) -> AsyncIterator[tuple[str, web.Application]]:  # type: ignore[no-untyped-def]
    app = web.Application()
    app[WRITTEN] = {"bytes": 0}
    app.router.add_post("/endless", _endless)
    app.router.add_post("/silent", _silent)
    server = await aiohttp_server(app, host="127.0.0.1")
    yield f"http://127.0.0.1:{server.port}", app


async def test_an_endless_answer_is_read_only_up_to_the_limit(
        endpoint: tuple[str, web.Application]) -> None:
    url, app = endpoint
    sender = PushSender(PushConfig(allowed_addresses=("127.0.0.1/32",), request_timeout=600,
                                   max_response_bytes=4096))
    try:
        async with asyncio.timeout(60):  # a guard against a hang, not a timing assertion
            attempt = await sender.post(f"{url}/endless", b"packet", {}, allow_http=True)
    finally:
        await sender.close()
    assert attempt.ok and attempt.detail == "HTTP 200"
    assert app[WRITTEN]["bytes"] < 32768 * len(CHUNK)  # the endpoint was not read to its end


async def test_a_silent_endpoint_is_given_up_after_the_request_timeout(
        endpoint: tuple[str, web.Application]) -> None:
    url, _ = endpoint
    sender = PushSender(PushConfig(allowed_addresses=("127.0.0.1/32",), request_timeout=1))
    try:
        async with asyncio.timeout(20):
            attempt = await sender.post(f"{url}/silent", b"packet", {}, allow_http=True)
    finally:
        await sender.close()
    assert not attempt.ok and attempt.detail == "timeout"
