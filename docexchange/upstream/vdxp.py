"""The `vdxp` protocol: the national axis (or any VDXP door, this hub's /vdxp included)
through docexchange/vdxp/client.py, which signs like VNPT's SDK.

VDXP knows one system as one agency: our [[upstream]] `system_id` speaks for `organ_id`, so
what crosses this way is what that agency sends and receives (documents and statuses
`From`/`To` it); the axis decides which of our codes it hands to our system. Sending is
`sendEdoc` (messagetype edoc | status), its `DocId` is the upstream's id; polling is
`getReceivedEdocList` for both message types, `getEdoc`, then `updateStatus done` once the
packet is stored here.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from docexchange.config import UpstreamConfig
from docexchange.upstream.protocol import RelayRefused, RelayUnavailable, RemoteItem
from docexchange.vdxp.client import VdxpClient, edoc_bytes

MESSAGE_TYPES = {"document": "edoc", "status": "status"}
#: the door's answers that may change on retry; any other failure code refuses the packet
TRANSIENT = frozenset({"DX_UNAUTHENTICATED", "DX_RATE_LIMITED", "DX_INTERNAL"})


class VdxpAdapter:
    def __init__(self, config: UpstreamConfig) -> None:
        self.name = config.name
        self._config = config
        self._session: aiohttp.ClientSession | None = None
        self._client: VdxpClient | None = None

    def _sdk(self) -> VdxpClient:
        """One SDK service object for the adapter's life, as a DMS keeps one."""
        if self._client is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
            c = self._config
            self._client = VdxpClient(self._session, c.endpoint.rstrip("/"), c.system_id,
                                      c.secret)
        return self._client

    async def send(self, kind: str, data: bytes) -> str:
        params = {"from": self._config.organ_id, "servicetype": "eDoc",
                  "messagetype": MESSAGE_TYPES[kind]}
        reply = await self._call(self._sdk().send_edoc(params, data))
        if reply.get("status") != "OK":
            code = str(reply.get("ErrorCode") or "VDXP_FAIL")
            if code in TRANSIENT:
                raise RelayUnavailable(code)
            raise RelayRefused(code, str(reply.get("ErrorDesc", ""))[:300])
        return str(reply.get("DocId", ""))

    async def pending(self, limit: int) -> list[RemoteItem]:
        items: list[RemoteItem] = []
        for kind, messagetype in MESSAGE_TYPES.items():
            reply = self._ok(await self._call(self._sdk().get_received_edoc_list(
                {"servicetype": "eDoc", "messagetype": messagetype})))
            items += [RemoteItem(str(i["docId"]), str(i["docId"]), kind)
                      for i in reply.get("data") or []]
        return items[:limit]

    async def fetch(self, item: RemoteItem) -> bytes:
        reply = self._ok(await self._call(self._sdk().get_edoc({"docId": item.message_id})))
        return edoc_bytes(reply)

    async def acknowledge(self, item: RemoteItem) -> None:
        self._ok(await self._call(self._sdk().update_status(
            {"status": "done", "docid": item.remote_id})))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    @staticmethod
    def _ok(reply: dict[str, Any]) -> dict[str, Any]:
        if reply.get("status") != "OK":
            raise RelayUnavailable(str(reply.get("ErrorCode")))
        return reply

    @staticmethod
    async def _call(call: Any) -> dict[str, Any]:
        try:
            reply: dict[str, Any] = await call
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            raise RelayUnavailable(type(exc).__name__) from exc
        return reply
