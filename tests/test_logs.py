"""Log lines carry the request id; JSON lines parse; access lines never carry queries."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

import aiohttp
from aiohttp import web

from docexchange.api.problems import problem_middleware
from docexchange.logs import AccessLogger, JsonFormatter, RequestIdFilter


def _capture() -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    return handler, stream


async def test_every_line_of_a_request_carries_its_id(aiohttp_client: Any) -> None:
    log = logging.getLogger("docexchange.test")
    handler, stream = _capture()
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    async def hello(request: web.Request) -> web.Response:
        log.info("working on it")
        return web.Response(text="ok")
    app = web.Application(middlewares=[problem_middleware])
    app.router.add_get("/hello", hello)
    try:
        client = await aiohttp_client(app)
        resp = await client.get("/hello", headers={"X-Request-Id": "req-42"})
        assert resp.headers["X-Request-Id"] == "req-42"
    finally:
        log.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["request_id"] == "req-42" and line["message"] == "working on it"
    assert line["level"] == "INFO" and line["time"].endswith("Z")


async def test_access_lines_have_path_status_and_no_query(aiohttp_client: Any) -> None:
    access = logging.getLogger("docexchange.access.test")
    handler, stream = _capture()
    access.addHandler(handler)
    access.setLevel(logging.INFO)

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="ok")
    app = web.Application(middlewares=[problem_middleware])
    app.router.add_get("/hello", hello)
    runner = web.AppRunner(app, access_log_class=AccessLogger, access_log=access)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/hello?secret=abc",
                                   headers={"X-Request-Id": "req-7"}) as resp:
                await resp.read()
        for _ in range(50):  # the access line is written once the response is sent
            if stream.getvalue():
                break
            await asyncio.sleep(0.02)
    finally:
        access.removeHandler(handler)
        await runner.cleanup()
    line = json.loads(stream.getvalue().splitlines()[0])
    assert (line["path"], line["status"], line["request_id"]) == ("/hello", 200, "req-7")
    assert "secret" not in stream.getvalue()
