"""The `vdxp` protocol adapter: waits for docexchange/vdxp/client.py (the vdxp branch).

Until that client lands on main, an [[upstream]] with protocol = "vdxp" fails at start with
a clear message instead of relaying half-way.
"""

from __future__ import annotations

from docexchange.config import UpstreamConfig
from docexchange.upstream.protocol import RelayUnavailable, RemoteItem


class VdxpAdapter:
    def __init__(self, config: UpstreamConfig) -> None:
        raise NotImplementedError(
            f"upstream {config.name}: protocol vdxp needs docexchange/vdxp/client.py, which "
            "this build does not have yet")

    name = ""

    async def send(self, kind: str, data: bytes) -> str:
        raise RelayUnavailable("vdxp")

    async def pending(self, limit: int) -> list[RemoteItem]:
        return []

    async def fetch(self, item: RemoteItem) -> bytes:
        raise RelayUnavailable("vdxp")

    async def acknowledge(self, item: RemoteItem) -> None:
        raise RelayUnavailable("vdxp")

    async def close(self) -> None:
        return None
