"""The relay tasks of a running hub: per [[upstream]], the outbound queue and the poller."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from docexchange.config import UpstreamConfig
from docexchange.hub import Hub
from docexchange.upstream.native import NativeAdapter
from docexchange.upstream.protocol import UpstreamAdapter
from docexchange.upstream.relay import Relay

log = logging.getLogger(__name__)


def adapter_for(config: UpstreamConfig) -> UpstreamAdapter:
    if config.protocol == "native":
        return NativeAdapter(config)
    from docexchange.upstream.vdxp import VdxpAdapter  # needs docexchange/vdxp/client.py
    return VdxpAdapter(config)


def relay_tasks(hub: Hub) -> list[Coroutine[Any, Any, None]]:
    tasks: list[Coroutine[Any, Any, None]] = []
    for config in hub.config.upstream:
        try:
            adapter = adapter_for(config)
        except NotImplementedError as exc:  # an upstream this build cannot speak to
            log.error("%s; its deliveries wait in the relay queue", exc)
            continue
        relay = Relay(hub, config, adapter)
        hub.db.add_commit_listener(relay.wake)
        tasks += [relay.run_outbound(), relay.run_poller()]
    return tasks
