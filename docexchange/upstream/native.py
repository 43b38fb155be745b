"""The `native` protocol: another docexchange hub, through its relay API (/api/v1/relay/…)
with docexchange.client.HubClient, authenticated as our [[downstream]] account there."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import aiohttp

from docexchange.client import HubClient, HubError
from docexchange.config import UpstreamConfig
from docexchange.upstream.protocol import RelayRefused, RelayUnavailable, RemoteItem

API_SUFFIX = "/api/v1"
T = TypeVar("T")


class NativeAdapter:
    def __init__(self, config: UpstreamConfig) -> None:
        self.name = config.name
        base = config.endpoint.rstrip("/")
        base = base[: -len(API_SUFFIX)] if base.endswith(API_SUFFIX) else base
        self._client = HubClient(base, config.api_key, timeout=30)

    async def send(self, kind: str, data: bytes) -> str:
        try:
            receipt = await self._client.relay_packet(kind, data)
        except HubError as exc:
            if exc.status >= 500 or exc.status in (401, 408, 429):
                raise RelayUnavailable(f"{exc.status} {exc.code}") from exc
            raise RelayRefused(exc.code, exc.detail_en) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RelayUnavailable(type(exc).__name__) from exc
        return str(receipt.get("message_id") or receipt.get("document_id") or "")

    async def pending(self, limit: int) -> list[RemoteItem]:
        items = await self._guard(self._client.relay_inbox(limit))
        return [RemoteItem(i["delivery_id"], i["message_id"], i["kind"]) for i in items]

    async def fetch(self, item: RemoteItem) -> bytes:
        return await self._guard(self._client.relay_fetch(item.message_id))

    async def acknowledge(self, item: RemoteItem) -> None:
        await self._guard(self._client.relay_ack(item.remote_id))

    async def close(self) -> None:
        await self._client.close()

    @staticmethod
    async def _guard(call: Awaitable[T]) -> T:
        try:
            return await call
        except (HubError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RelayUnavailable(type(exc).__name__) from exc
