"""The listening side of the hub: its event loop, read timeouts on every connection, and TLS.

`serve` runs on uvloop unless `[server] event_loop = "asyncio"`: the same aiohttp server on a
libuv loop costs less CPU per request (its transports, timers and callbacks are C), which the
event-loop lag of issue 12 needs more than anything (bench/README.md). Tests' in-process hubs
stay on the standard loop (pytest's); the `serve` subprocess tests run what ships.

aiohttp has no deadline for receiving a request: a client that sends half a header line, or
stops in the middle of a body, holds its connection (and, for a body, a spooled file) for as
long as the keep-alive timeout, an hour by default. `ReadGuardHandler` adds two:

* headers: from a connection's first byte (or its opening) until the headers are complete,
  at most `header_read_timeout` seconds — slow-loris senders are cut whatever their pace;
* bodies: while a body is being received, at most `body_read_timeout` seconds of silence
  (a slow but moving upload goes on; time the hub itself is not reading does not count).

A connection over either limit is closed; the request's handler sees the body end early and
cleans up (exchange/incoming.py). Idle keep-alive connections close after `keepalive_timeout`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from docexchange.config import Config

log = logging.getLogger(__name__)


def loop_factory(event_loop: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """What makes the loop of `[server] event_loop` (None: asyncio's default). Where uvloop is
    not installed (it has no Windows build) the hub says so and runs on asyncio."""
    if event_loop != "uvloop":
        return None
    try:
        import uvloop
    except ImportError:
        log.warning("uvloop is not installed: serving on the asyncio event loop")
        return None
    return uvloop.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """"uvloop" or "asyncio": which implementation ``loop`` is, for the start-up log line."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def freeze_start_up_objects() -> int:
    """Move every object alive now (modules, the app, schemas, caches: ~80,000 once the hub
    is set up) out of the garbage collector's reach; returns how many are frozen. A full
    collection walked them all, 16-19 ms in which the event loop answered nothing, several
    times a minute under load; they live as long as the process anyway (`gc.freeze`)."""
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    return gc.get_freeze_count()


class ReadGuardHandler(RequestHandler):
    """aiohttp's connection protocol with the two read deadlines above."""

    def __init__(self, *args: Any, header_timeout: float, body_timeout: float,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout = header_timeout
        self._body_timeout = body_timeout
        self._header_since: float | None = None
        self._last_read = 0.0
        self._body: Any = None
        self._guard: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._header_since = self._loop.time()
        self._arm()

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._guard is not None:
            self._guard.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        count = self._request_count
        super().data_received(data)
        now = self._loop.time()
        self._last_read = now
        if self._request_count > count:  # a request's headers are complete
            self._header_since = None
            self._body = self._messages[-1][1] if self._messages else self._body_of_current()
        elif not self._in_body() and self._header_since is None:
            self._header_since = now  # the first bytes of the next request
        self._arm()

    def _body_of_current(self) -> Any:
        request = self._current_request
        return request.content if request is not None else None

    def _in_body(self) -> bool:
        return self._body is not None and not self._body.is_eof()

    def _deadline(self) -> float | None:
        if self._header_since is not None:
            return self._header_since + self._header_timeout
        if self._in_body():
            if self._reading_paused:  # the hub is not reading: not the client's silence
                self._last_read = self._loop.time()
            return self._last_read + self._body_timeout
        return None

    def _arm(self) -> None:
        if self._guard is None and (deadline := self._deadline()) is not None:
            self._guard = self._loop.call_at(deadline, self._check)

    def _check(self) -> None:
        self._guard = None
        deadline = self._deadline()
        if deadline is None or self.transport is None:
            return
        if self._loop.time() >= deadline:
            stage = "headers" if self._header_since is not None else "body"
            log.info("closed a connection that stalled while sending its %s", stage)
            self.force_close()
            return
        self._arm()


class ReadGuardServer(web.Server):
    def __call__(self) -> RequestHandler:
        return ReadGuardHandler(self, loop=self._loop, **self._kwargs)


class GuardedAppRunner(web.AppRunner):
    """An AppRunner whose connections carry the read deadlines of `[server]`."""

    def __init__(self, app: web.Application, config: Config, **kwargs: Any) -> None:
        server = config.server
        super().__init__(app, keepalive_timeout=server.keepalive_timeout,
                         header_timeout=float(server.header_read_timeout),
                         body_timeout=float(server.body_read_timeout), **kwargs)

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        made.__class__ = ReadGuardServer  # same state; only the protocol class differs
        return made


def tls_context(config: Config) -> ssl.SSLContext | None:
    """HTTPS when `[server] tls_cert`/`tls_key` are set. Client certificates are asked for but
    optional (units with an API key need none); those sent must chain to `tls_client_ca`
    (default: the dev CA), and api/auth.py maps each to its unit."""
    server = config.server
    if not server.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(server.tls_cert, server.tls_key)
    client_ca = Path(server.tls_client_ca) if server.tls_client_ca else \
        config.keys.dir / "dev-ca.crt"
    if client_ca.exists():
        context.load_verify_locations(cafile=str(client_ca))
        context.verify_mode = ssl.CERT_OPTIONAL
    return context
