"""What several commands share: opening the hub from a config path."""

from __future__ import annotations

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
