"""`serve` runs on uvloop, every process of it, unless `[server] event_loop = "asyncio"` (issue
12): each process says which loop it runs, and a hub on either loop serves, stops cleanly on
SIGTERM (signal handlers) and starts its children (`--workers`). And what else serve does for
the loop's lag: its start-up objects are frozen out of garbage collection."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import aiohttp
import pytest
import uvloop

from docexchange.config import ConfigError, load_config
from docexchange.server import loop_factory, loop_name
from tests.conftest import HubEnv
from tests.hub_process import HubProcess

LOOP_LINE = re.compile(r"event loop: (\w+) \(process (\d+)\)")


def _set_event_loop(config_path: Path, name: str) -> None:
    text = config_path.read_text("utf-8")
    new, count = re.subn(r'(?m)^event_loop = "\w+"$', f'event_loop = "{name}"', text)
    assert count == 1
    config_path.write_text(new, encoding="utf-8")


async def _announced_loops(hub: HubProcess, processes: int) -> dict[int, str]:
    """The loop each process logged, once ``processes`` have (the log is flushed twice a
    second, so it is read until then, for 30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        found = {int(pid): name for name, pid in LOOP_LINE.findall(hub.log.read_text("utf-8"))}
        if len(found) >= processes or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def _serve_and_stop(hub: HubProcess, processes: int) -> dict[int, str]:
    await hub.start()
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(4):
                async with session.get(f"{hub.url}/healthz") as resp:
                    assert resp.status == 200
        loops = await _announced_loops(hub, processes)
    finally:
        hub.stop()
    assert hub.proc is not None and hub.proc.returncode == 0  # SIGTERM: a clean stop
    return loops


async def test_serve_runs_every_process_on_uvloop(hub_env: HubEnv) -> None:
    hub = HubProcess(hub_env, "--workers", "2")
    loops = await _serve_and_stop(hub, processes=2)
    assert hub.proc is not None and hub.proc.pid in loops
    assert len(loops) == 2 and set(loops.values()) == {"uvloop"}


async def test_serve_freezes_its_start_up_objects_out_of_garbage_collection(
        hub_env: HubEnv) -> None:
    """A full collection walked every module, schema and cache object (16-19 ms with the loop
    stopped); serve freezes them once set up, so collections walk only what requests make."""
    hub = HubProcess(hub_env)
    await _serve_and_stop(hub, processes=1)
    frozen = re.search(r"(\d+) start-up objects frozen", hub.log.read_text("utf-8"))
    assert frozen is not None and int(frozen[1]) > 10_000


async def test_serve_falls_back_to_asyncio_when_asked(hub_env: HubEnv) -> None:
    _set_event_loop(hub_env.config_path, "asyncio")
    hub = HubProcess(hub_env)
    loops = await _serve_and_stop(hub, processes=1)
    assert hub.proc is not None and loops == {hub.proc.pid: "asyncio"}


def test_the_loop_factory_follows_the_option() -> None:
    factory = loop_factory("uvloop")
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop) and loop_name(loop) == "uvloop"
    finally:
        loop.close()
    assert loop_factory("asyncio") is None
    loop = asyncio.new_event_loop()
    try:
        assert loop_name(loop) == "asyncio"
    finally:
        loop.close()


def test_an_unknown_event_loop_is_refused(hub_env: HubEnv) -> None:
    _set_event_loop(hub_env.config_path, "trio")
    with pytest.raises(ConfigError, match="event_loop"):
        load_config(hub_env.config_path)
