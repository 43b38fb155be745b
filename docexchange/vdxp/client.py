"""An SDK-like VDXP client: one object behaves like one of the SDK's service objects.

Written from the protocol alone (docs/vdxp.md), quirks included, because that is what the hub
must accept: the timestamp is fixed when the object is created, every parameter key ever
passed stays in the signed map (so `docId` from a getEdoc is still signed during a later
updateStatus next to its `docid`), the map is walked in Java HashMap order, sendEdoc's body
ends with CRLF and its hash-file drops each byte's leading zero. HttpClient's treatment of
non-ASCII header values (every operation but sendEdoc) is reproduced too: each character
outside Latin-1 travels as `?`, so such a request cannot verify, exactly as with the SDK.

The hub's tests use it, and an upstream relay to the national axis or another hub can reuse
it (`call` signs any operation).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from collections.abc import Mapping
from typing import Any

import aiohttp

from docexchange.vdxp import wire

JSON = "application/json"
OCTETS = "application/octet-stream"


def sdk_timestamp(now: dt.datetime) -> str:
    """`ddMMyyyy'T'HHmmss+SSSS`: local wall-clock time; `+SSSS` is milliseconds, not a zone."""
    return now.strftime("%d%m%YT%H%M%S") + f"+{now.microsecond // 1000:04d}"


def httpclient_value(value: str) -> str:
    """What Apache HttpClient 4.5 puts on the wire for a header value: characters outside
    printable Latin-1 become `?` (Latin-1 letters stay, as single bytes on the wire)."""
    return "".join(ch if 0x20 <= ord(ch) <= 0x7E or 0xA0 <= ord(ch) <= 0xFF else "?"
                   for ch in value)


class VdxpClient:
    """One SDK service object against `endpoint` (e.g. `https://hub.example/vdxp`)."""

    def __init__(self, session: aiohttp.ClientSession, endpoint: str, system_id: str,
                 secret: str, *, timestamp: str | None = None) -> None:
        self._session = session
        self._endpoint = endpoint
        self._secret = secret
        stamp = timestamp or sdk_timestamp(dt.datetime.now())
        self._map: dict[str, str] = {"systemid": system_id, "timestamp": stamp,
                                     "Content-Type": JSON}

    @property
    def keys(self) -> list[str]:
        """The signed keys in the order the next request will carry them."""
        return wire.java_hashmap_order(self._map)

    def sign(self, params: Mapping[str, Any], content_type: str
             ) -> tuple[list[tuple[str, str]], bytes]:
        """Add `params` to the object's map and return the request headers (in wire order)
        and the exact sign-header bytes they carry."""
        for key, value in params.items():
            self._map[key] = value if isinstance(value, str) else json.dumps(value)
        self._map["Content-Type"] = content_type
        keys = self.keys
        entries = [(k, self._map[k]) for k in keys]
        signed = wire.sign_header(entries).encode("utf-8")
        headers: list[tuple[str, str]] = []
        for key, value in entries:
            headers.append((wire.PREFIX + key, value))
            if key == "Content-Type":
                headers.append(("Content-Type", value))
        headers += [(wire.SIGN_HEADER_KEY, ";".join(keys)),
                    (wire.SIGN_HEADER, signed.decode("utf-8")),
                    (wire.HASH_HEADER, wire.signature(self._secret, signed)),
                    ("User-Agent", wire.USER_AGENT), ("XroadVnpt-version", wire.VERSION)]
        return headers, signed

    async def call(self, operation: str, params: Mapping[str, Any], body: bytes = b"",
                   content_type: str = JSON) -> dict[str, Any]:
        headers, _ = self.sign(params, content_type)
        if operation != "sendEdoc":  # HttpClient, not HttpURLConnection
            headers = [(k, httpclient_value(v)) for k, v in headers]
        # a stream with a known length: Content-Length, never chunked, like the SDK
        async with self._session.post(self._endpoint + "/" + operation, data=io.BytesIO(body),
                                      headers=headers, skip_auto_headers=("Content-Type",),
                                      ) as response:
            text = await response.text(encoding="utf-8")
        reply: dict[str, Any] = json.loads(text)
        return reply

    async def send_edoc(self, params: Mapping[str, Any], packet: bytes) -> dict[str, Any]:
        """`from`, `servicetype`, `messagetype` (edoc | status); the body gets its CRLF."""
        signed = {**params, "hash-file": wire.hash_file(packet)}
        return await self.call("sendEdoc", signed, packet + b"\r\n", OCTETS)

    async def get_received_edoc_list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return await self.call("getReceivedEdocList", params)

    async def get_sent_edoc_list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return await self.call("getSentEdocList", params)

    async def get_edoc(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return await self.call("getEdoc", params, b"{}")

    async def update_status(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return await self.call("updateStatus", params, b"{}")

    async def get_agencies_list(self) -> dict[str, Any]:
        return await self.call("getAgenciesList", {})

    async def get_synchronize_unit(self) -> dict[str, Any]:
        return await self.call("getSynchronizeUnit", {})

    async def register_agency(self, unit_json: str) -> dict[str, Any]:
        return await self.call("registerAgency", {}, unit_json.encode("utf-8"))

    async def delete_agency(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return await self.call("deleteAgency", params, b"{}")


def edoc_bytes(reply: Mapping[str, Any]) -> bytes:
    """The packet in a getEdoc reply as the SDK saves it: base64 (line breaks and missing
    padding tolerated), then decoded as UTF-8 text and encoded again (bad bytes become U+FFFD)."""
    data = "".join(str(reply.get("data", "")).split())
    raw = base64.b64decode(data + "=" * (-len(data) % 4))
    return raw.decode("utf-8", "replace").encode("utf-8")
