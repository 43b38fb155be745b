"""An async client of the hub's native API (/api/v1), for DMS integrators, the CLI and tests.

    async with HubClient("http://127.0.0.1:8080", api_key) as hub:
        receipt = await hub.send_document(packet_bytes)
        for item in await hub.inbox(wait=30):
            packet = await hub.fetch(item["message_id"])   # digest checked
            ...                                              # store it first
            await hub.ack(item["delivery_id"])

    or, in batches (packets in the listing, one ack request for all):

        items = await hub.inbox(wait=30, packets=True)
        for item in items:
            packet = item.get("packet") or await hub.fetch(item["message_id"])
            ...                                              # store it first
        await hub.ack_many([item["delivery_id"] for item in items])

Every error answer of the hub raises `HubError` carrying its stable `code` (e.g.
``DX_UNAUTHENTICATED``) and both human sentences. Network failures and timeouts are not wrapped:
they propagate as ``aiohttp.ClientError`` / ``asyncio.TimeoutError`` so callers can retry them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import math
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import aiohttp

API_PREFIX = "/api/v1"
#: most ids the hub takes in one POST /deliveries/ack
MAX_ACK_BATCH = 1000
EDXML_CONTENT_TYPE = "application/xml"


class HubError(Exception):
    """The hub answered with an error (application/problem+json).

    ``code`` is the hub's stable error code; ``problem`` the whole problem document (with
    ``request_id`` and per-item ``errors``), empty when the answer was not problem+json (for
    example a proxy's HTML page; ``code`` is then ``HTTP_<status>``).
    """

    def __init__(self, status: int, code: str, detail_en: str, detail_vi: str,
                 problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {code}: {detail_en}")
        self.status = status
        self.code = code
        self.detail_en = detail_en
        self.detail_vi = detail_vi
        self.problem = problem

    @property
    def request_id(self) -> str | None:
        """The id to quote to the hub's operators."""
        value = self.problem.get("request_id")
        return str(value) if value else None


class DigestMismatchError(HubError):
    """A fetched packet's bytes do not match the hub's X-Content-SHA256 header.

    Raised by the client itself (code ``DX_DIGEST_MISMATCH``): the bytes were damaged on the way
    and must not be stored or acknowledged; fetch again.
    """


class HubClient:
    """A connection to one hub as one unit (its API key).

    ``base_url`` is the hub's root (``http://host:port``); the client adds ``/api/v1``.
    ``timeout`` bounds each request in seconds; an inbox long-poll gets its ``wait`` on top.
    Pass ``session`` to share an ``aiohttp.ClientSession`` (it is then not closed here);
    otherwise the client opens one and closes it in ``close()`` / on leaving ``async with``.
    """

    def __init__(self, base_url: str, api_key: str, *,
                 session: aiohttp.ClientSession | None = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._session = session
        self._owns_session = session is None
        self._timeout = timeout

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session this client opened (a session passed in is left open)."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    # -- documents and statuses ------------------------------------------------------------

    async def send_document(self, data: bytes, *, progress: Progress | None = None
                            ) -> dict[str, Any]:
        """Send an edXML document packet; returns the hub's receipt.

        A repeat of identical bytes returns the first receipt with ``"duplicate": true``, so
        resending after a lost answer is safe. ``progress(sent, total)`` is called as the
        body goes out (it is then streamed in chunks).
        """
        return await self._post_packet("/documents", data, progress)

    async def send_document_json(self, document: dict[str, Any]) -> dict[str, Any]:
        """Send metadata and base64 files (the JSON body of docs/integration.md); the hub
        builds the edXML packet and returns the same receipt, whose ``sha256`` is the built
        packet's. Give ``sent_at`` to make a retry build the same bytes."""
        return await self._json("POST", "/documents", json=document)

    async def validate_document(self, data: bytes | dict[str, Any]) -> dict[str, Any]:
        """Every check of a send, nothing stored: ``{"valid": ..., "problems": [...]}`` with
        each problem's code, element path and Vietnamese and English sentences."""
        if isinstance(data, dict):
            return await self._json("POST", "/documents/validate", json=data)
        return await self._post_packet("/documents/validate", data)

    async def send_status(self, data: bytes) -> dict[str, Any]:
        """Send an edXML status packet (01 … 16) answering a document."""
        return await self._post_packet("/statuses", data)

    async def inbox(self, wait: float = 0, limit: int = 100, *, packets: bool = False
                    ) -> list[dict[str, Any]]:
        """Pending deliveries of this unit, oldest first.

        With ``wait`` > 0 the hub holds the request up to that many seconds (rounded up to a
        whole second) until something arrives; a wait above the hub's
        ``exchange.inbox_max_wait`` is refused with DX_BAD_REQUEST.

        ``packets=True`` asks the hub to carry the packets in the listing (``packets=inline``):
        each item whose packet is at most the hub's ``exchange.inbox_inline_packet_bytes``
        then has ``packet``, its exact bytes (decoded here and checked against ``sha256``;
        DigestMismatchError if damaged), and the hub has marked it fetched; larger ones have
        none: ``fetch`` them. Store them, then ``ack_many`` the lot.
        """
        seconds = math.ceil(max(wait, 0))
        params = {"wait": str(seconds), "limit": str(limit)}
        if packets:
            params["packets"] = "inline"
        body = await self._json("GET", "/inbox", params=params, extra_timeout=seconds)
        items = list(body["items"])
        if packets:
            for item in items:
                if "packet" in item:
                    item["packet"] = _checked(item["message_id"], item["sha256"],
                                              base64.b64decode(item["packet"], validate=True))
        return items

    async def fetch(self, message_id: str, *, progress: Progress | None = None) -> bytes:
        """The exact packet bytes of a message; raises DigestMismatchError if damaged.
        ``progress(received, total)`` is called as the body arrives."""
        async with self._request("GET", f"/documents/{_segment(message_id)}") as resp:
            await _raise_for_problem(resp)
            data = await _read(resp, progress)
            expected = resp.headers.get("X-Content-SHA256", "")
        return _checked(message_id, expected, data, resp.status)

    async def ack(self, delivery_id: str) -> dict[str, Any]:
        """Acknowledge a delivery once its packet is safely stored (idempotent)."""
        return await self._json("POST", f"/deliveries/{_segment(delivery_id)}/ack")

    async def ack_many(self, delivery_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Acknowledge many deliveries in one request and one hub transaction (idempotent).

        One result per id, in order: what ``ack`` returns, or ``{"delivery_id", "error"}``
        (``error["code"]`` DX_NOT_FOUND) for an id that is not this unit's delivery, the others
        still acknowledged. More than MAX_ACK_BATCH ids go in several requests."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(delivery_ids), MAX_ACK_BATCH):
            body = await self._json("POST", "/deliveries/ack", json={
                "delivery_ids": list(delivery_ids[start:start + MAX_ACK_BATCH])})
            results += body["results"]
        return results

    async def deliveries(self, message_id: str) -> dict[str, Any]:
        """The delivery timeline of a message this unit sent or received."""
        return await self._json("GET", f"/documents/{_segment(message_id)}/deliveries")

    # -- relay between hubs (as a [[downstream]] account; docs/push-and-relay.md) ----------

    async def relay_packet(self, kind: str, data: bytes) -> dict[str, Any]:
        """Relay a document or status packet of one of the units our hub serves."""
        path = "/relay/documents" if kind == "document" else "/relay/statuses"
        return await self._post_packet(path, data)

    async def relay_inbox(self, limit: int = 100) -> list[dict[str, Any]]:
        """What the hub holds for the units our hub serves."""
        body = await self._json("GET", "/relay/inbox", params={"limit": str(limit)})
        return list(body["items"])

    async def relay_fetch(self, message_id: str) -> bytes:
        async with self._request("GET", f"/relay/messages/{_segment(message_id)}") as resp:
            await _raise_for_problem(resp)
            data = await resp.read()
            expected = resp.headers.get("X-Content-SHA256", "")
        if not hmac.compare_digest(expected.strip().lower(), hashlib.sha256(data).hexdigest()):
            raise DigestMismatchError(resp.status, "DX_DIGEST_MISMATCH",
                                      f"Packet {message_id}: SHA-256 mismatch.",
                                      f"Gói tin {message_id}: SHA-256 không khớp.", {})
        return data

    async def relay_ack(self, delivery_id: str) -> dict[str, Any]:
        return await self._json("POST", f"/relay/deliveries/{_segment(delivery_id)}/ack")

    # -- directory ---------------------------------------------------------------------------

    async def units(self, **filters: str | None) -> list[dict[str, Any]]:
        """The unit directory; filters are query parameters (``kind=``, ``parent=``)."""
        params = {key: value for key, value in filters.items() if value is not None}
        body = await self._json("GET", "/units", params=params)
        return list(body["units"])

    async def unit(self, code: str) -> dict[str, Any]:
        """One unit by OrganId or former code, with ``parent_unit`` and ``children``."""
        return await self._json("GET", f"/units/{_segment(code)}")

    async def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET any other endpoint; ``path`` is relative to /api/v1 (e.g. ``"/openapi.json"``)."""
        return await self._json("GET", path, params=params)

    # -- plumbing ----------------------------------------------------------------------------

    async def _post_packet(self, path: str, data: bytes, progress: Progress | None = None
                           ) -> dict[str, Any]:
        headers = {"Content-Type": EDXML_CONTENT_TYPE}
        body: Any = data
        if progress is not None:
            body = _chunks(data, progress)
        elif len(data) > CHUNK:  # aiohttp writes big raw bytes in one go on the loop
            body = io.BytesIO(data)
        return await self._json("POST", path, data=body, headers=headers)

    async def _json(self, method: str, path: str, *, extra_timeout: float = 0,
                    **kwargs: Any) -> Any:
        async with self._request(method, path, extra_timeout=extra_timeout, **kwargs) as resp:
            await _raise_for_problem(resp)
            return await resp.json(content_type=None)

    @asynccontextmanager
    async def _request(self, method: str, path: str, *, extra_timeout: float = 0,
                       headers: dict[str, str] | None = None,
                       **kwargs: Any) -> AsyncIterator[aiohttp.ClientResponse]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=self._timeout + max(extra_timeout, 0))
        async with self._session.request(method, f"{self.base_url}{API_PREFIX}{path}",
                                         headers={**self._headers, **(headers or {})},
                                         timeout=timeout, **kwargs) as resp:
            yield resp


CHUNK = 256 * 1024
Progress = Callable[[int, int], None]


async def _chunks(data: bytes, progress: Progress) -> AsyncIterator[bytes]:
    """The body in chunks, reporting each one as aiohttp takes it."""
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]
        progress(min(start + CHUNK, len(data)), len(data))


async def _read(resp: aiohttp.ClientResponse, progress: Progress | None) -> bytes:
    if progress is None:
        return await resp.read()
    total = resp.content_length or 0
    parts = bytearray()
    async for chunk in resp.content.iter_chunked(CHUNK):
        parts += chunk
        progress(len(parts), max(total, len(parts)))
    return bytes(parts)


def _checked(message_id: str, expected: str, data: bytes, status: int = 200) -> bytes:
    """`data`, if it hashes to the hub's `expected` SHA-256; else DigestMismatchError."""
    actual = hashlib.sha256(data).hexdigest()
    if not hmac.compare_digest(expected.strip().lower(), actual):
        raise DigestMismatchError(
            status, "DX_DIGEST_MISMATCH",
            f"Packet {message_id}: SHA-256 {actual} does not match the hub's "
            f"{expected or '(missing header)'}.",
            f"Gói tin {message_id}: SHA-256 không khớp với giá trị hệ thống gửi kèm.", {})
    return data


def _segment(value: str) -> str:
    """One URL path segment: ids and codes are opaque, so quote everything reserved."""
    return quote(value, safe="")


async def _raise_for_problem(resp: aiohttp.ClientResponse) -> None:
    if resp.status < 400:
        return
    problem: dict[str, Any] = {}
    if resp.content_type in ("application/problem+json", "application/json"):
        try:
            body = await resp.json(content_type=None)
        except ValueError:
            body = None
        if isinstance(body, dict):
            problem = body
    raise HubError(resp.status, str(problem.get("code") or f"HTTP_{resp.status}"),
                   str(problem.get("detail_en") or resp.reason or ""),
                   str(problem.get("detail_vi") or ""), problem)
