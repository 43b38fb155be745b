"""The relay tasks of a running hub: per [[upstream]], the outbound queue and the poller."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from docexchange.config import UpstreamConfig
from docexchange.hub import Hub
from docexchange.upstream.native import NativeAdapter
from docexchange.upstream.protocol import UpstreamAdapter
from docexchange.upstream.relay import Relay
from docexchange.upstream.vdxp import VdxpAdapter


def adapter_for(config: UpstreamConfig) -> UpstreamAdapter:
    if config.protocol == "native":
        return NativeAdapter(config)
    return VdxpAdapter(config)


def relay_tasks(hub: Hub) -> list[tuple[Coroutine[Any, Any, None], Callable[[], None]]]:
    """Each task with what wakes it after a commit (the caller registers and removes it)."""
    tasks: list[tuple[Coroutine[Any, Any, None], Callable[[], None]]] = []
    for config in hub.config.upstream:
        relay = Relay(hub, config, adapter_for(config))
        tasks += [(relay.run_outbound(), relay.wake), (relay.run_poller(), relay.wake)]
    return tasks
