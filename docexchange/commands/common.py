"""What several commands share: opening the hub from a config path, and the name the
evidence log records for a change made from the command line."""

from __future__ import annotations

import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from docexchange.config import load_config
from docexchange.hub import Hub


@asynccontextmanager
async def open_hub(config_path: Path) -> AsyncIterator[Hub]:
    hub = await Hub.open(load_config(config_path))
    try:
        yield hub
    finally:
        await hub.close()


def cli_actor() -> str:
    """`cli:USER`: who ran the command, as far as the machine knows (the log's `operator`
    field of every change made from the command line)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return "cli"
