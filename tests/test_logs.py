"""Log lines carry the request id; JSON lines parse; access lines never carry queries."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import subprocess
import sys
from typing import Any

import aiohttp
from aiohttp import web

from docexchange.api.problems import problem_middleware
from docexchange.appkeys import CALLER_KEY, REQUEST_ID_KEY
from docexchange.logs import AccessLogger, JsonFormatter, RequestIdFilter, TextFormatter


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


def test_text_access_lines_keep_their_format() -> None:
    """The template-built access record renders as a record made by Logger.info did."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(TextFormatter())
    access = logging.getLogger("docexchange.access.text")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    request = {CALLER_KEY: "000.00.12.H45", REQUEST_ID_KEY: "req-9"}
    fake = type("Req", (dict,), {"method": "POST", "path": "/api/v1/documents"})(request)
    try:
        AccessLogger(access, "").log(fake, web.Response(status=202), 0.0123)
    finally:
        access.removeHandler(handler)
    line = stream.getvalue().rstrip("\n")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO docexchange\.access\.text "
                        r"\[req-9\] POST /api/v1/documents 202 12\.3ms", line), line


def test_buffered_stderr_loses_no_line_on_a_clean_exit() -> None:
    """Lines wait in a buffer (no write per line), and the exit hook writes them all."""
    script = ("import logging; from docexchange.logs import configure; configure('json'); "
              "log = logging.getLogger('docexchange.access')\n"
              "for n in range(5000): log.info('line %d', n)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [line["message"] for line in lines] == [f"line {n}" for n in range(5000)]


def test_buffered_stderr_flushes_on_its_timer_while_the_process_runs() -> None:
    """An INFO line reaches stderr without any later line or exit pushing it out."""
    script = ("import logging, time; from docexchange.logs import configure; configure('text'); "
              "logging.getLogger('x').info('alone'); time.sleep(120)\n")
    with subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE,
                          text=True) as child:
        try:
            assert child.stderr is not None
            assert "alone" in child.stderr.readline()  # blocks until the timer flushed it
        finally:
            child.kill()
