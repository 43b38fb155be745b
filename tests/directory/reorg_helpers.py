"""Shared by the reorganisation tests: plans written on the fly, a hub with a settable day."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.cli import main
from docexchange.hub import Hub
from tests.conftest import HubEnv

REPO = Path(__file__).resolve().parents[2]
DEMO_PLAN = REPO / "config" / "reorg-2025-07.csv"
HEADER = "effective_date,operation,from_code,to_code,to_name,to_kind,to_parent,placeholder\n"

# demo units used by the plans below (config/demo-province.csv)
SO_TU_PHAP = "000.00.04.H45"
SO_CONG_THUONG = "000.00.05.H45"
SO_XAY_DUNG = "000.00.08.H45"
SO_GTVT = "000.00.07.H45"
SO_LDTBXH = "000.00.11.H45"
SO_Y_TE = "000.00.16.H45"
SO_GDDT = "000.00.15.H45"
DAI_PTTH = "000.00.21.H45"
DH_PHU_YEN = "000.00.22.H45"


def plan(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


def write_plan(tmp_path: Path, text: str, name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cli(env: HubEnv, *args: str) -> int:
    return main(["--config", str(env.config_path), *args])


async def acli(env: HubEnv, *args: str) -> int:
    """main() runs its own event loop: from an async test, call it in a thread."""
    return await asyncio.to_thread(cli, env, *args)


async def hub_client(env: HubEnv, aiohttp_client: Any, **exchange: Any) -> TestClient:
    config = replace(env.config, exchange=replace(env.config.exchange, **exchange))
    return await aiohttp_client(create_app(config))


def hub_of(client: TestClient) -> Hub:
    return client.app[HUB_KEY]


def set_day(client: TestClient, day: dt.date) -> None:
    """The hub's 'today' (routing, validity, grace), as a fake clock."""
    hub_of(client).directory.clock = lambda: day


def today(client: TestClient) -> dt.date:
    hub = hub_of(client)
    return hub.directory.today(hub.config.zone)
