"""`docexchange serve`: run the HTTP server until SIGINT/SIGTERM.

With `--workers N` (or server.workers) N hub processes share the port (SO_REUSEPORT), so the
CPU-bound steps (parsing, XSD, signatures) use every core. They share the SQLite database: its
write lock serialises their group commits, the log's leaf order comes from the database, and a
long-polling inbox re-checks the database every second, so nothing depends on one process.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.commands.init import read_credentials
from docexchange.config import Config, load_config
from docexchange.logs import AccessLogger
from docexchange.logs import configure as configure_logging
from docexchange.server import (
    GuardedAppRunner,
    freeze_start_up_objects,
    loop_factory,
    loop_name,
    tls_context,
)

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="chạy máy chủ HTTP của trục / run the hub's HTTP server")
    p.add_argument("--host", help="dùng thay cho server.host / override server.host")
    p.add_argument("--port", type=int, help="dùng thay cho server.port / override server.port")
    p.add_argument("--workers", type=int, help="thay cho server.workers (số tiến trình) / "
                                               "override server.workers (processes)")
    p.add_argument("--worker-child", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(run=run, loop_factory=event_loop_of)


def event_loop_of(config_path: Path) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The loop `cli.main` runs `serve` on: `[server] event_loop` (uvloop by default), chosen
    before the loop exists, so the configuration is read once more here."""
    return loop_factory(load_config(config_path).server.event_loop)


def _children(config_path: Path, host: str, port: int, count: int) -> list[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "docexchange", "--config", str(config_path), "serve",
               "--host", host, "--port", str(port), "--worker-child"]
    return [subprocess.Popen(command) for _ in range(count)]


def _banner(config: Config, host: str, port: int, workers: int) -> None:
    scheme = "https" if config.server.tls_cert else "http"
    print(f"docexchange hub serving on {scheme}://{host}:{port} with {workers} process(es) "
          "(API docs: /api/docs)", flush=True)
    creds = read_credentials(config)
    if creds:
        print(f"demo credentials (unit API keys): {config.keys.dev_credentials}", flush=True)
    if "admin" in creds.get("operators", {}):
        print(f"dashboard: {scheme}://{host}:{port}/dashboard/  — log in as 'admin' with the "
              f"password under operators.admin.password in {config.keys.dev_credentials}",
              flush=True)
        print("demo reorganisation (Phú Yên into Đắk Lắk, 1 July 2025), preview with: "
              ".venv/bin/docexchange units reorganise config/reorg-2025-07.csv --dry-run",
              flush=True)


async def run(config_path: Path, args: argparse.Namespace) -> int:
    config = load_config(config_path)
    host = args.host or config.server.host
    port = args.port if args.port is not None else config.server.port
    workers = 1 if args.worker_child else (args.workers or config.server.workers)
    configure_logging(config.server.log_format, args.verbose)
    log.info("event loop: %s (process %d)", loop_name(asyncio.get_running_loop()), os.getpid())
    runner = GuardedAppRunner(create_app(config), config, access_log_class=AccessLogger,
                              access_log=logging.getLogger("docexchange.access")
                              if config.server.access_log else None)
    await runner.setup()
    # the inspection workers start now, beside the event loop, not under the first large packet
    warming = asyncio.create_task(asyncio.to_thread(
        runner.app[HUB_KEY].exchange.inspection.warm))
    log.info("%d start-up objects frozen out of garbage collection", freeze_start_up_objects())
    await web.TCPSite(runner, host, port, reuse_port=workers > 1 or args.worker_child,
                      ssl_context=tls_context(config)).start()
    children = _children(config_path, host, port, workers - 1) if workers > 1 else []
    if not args.worker_child:
        _banner(config, host, port, workers)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for child in children:
            child.terminate()
        await asyncio.gather(warming, return_exceptions=True)
        await runner.cleanup()  # flushes what the hub holds in memory (activity, ...)
        for child in children:
            await asyncio.to_thread(child.wait)
    return 0
