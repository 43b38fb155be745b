"""`docexchange serve`: run the HTTP server until interrupted."""

from __future__ import annotations

import argparse
from pathlib import Path

from aiohttp import web

from docexchange.app import create_app
from docexchange.commands.init import read_credentials
from docexchange.config import load_config


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="run the hub's HTTP server")
    p.add_argument("--host", help="override server.host")
    p.add_argument("--port", type=int, help="override server.port")
    p.set_defaults(run=run)


async def run(config_path: Path, args: argparse.Namespace) -> int:
    config = load_config(config_path)
    host = args.host or config.server.host
    port = args.port if args.port is not None else config.server.port
    runner = web.AppRunner(create_app(config), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(f"docexchange hub serving on http://{host}:{port}  (API docs: /api/docs)", flush=True)
    creds = read_credentials(config)
    if creds:
        print(f"demo credentials: {config.keys.dev_credentials}", flush=True)
    try:
        import asyncio
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
    return 0
