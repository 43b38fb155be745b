"""One push attempt over HTTP: guarded addresses, no redirects, bounded reads, timeouts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from docexchange.config import PushConfig
from docexchange.push.guard import (
    GuardedResolver,
    address_allowed,
    describe,
    literal_address,
    networks,
)


@dataclass(frozen=True)
class Attempt:
    ok: bool
    detail: str          # "HTTP 200", "HTTP 503", "redirect refused", "timeout", ...


class PushSender:
    """An HTTP session whose every connection passes the address guard."""

    def __init__(self, config: PushConfig) -> None:
        self._config = config
        self._allowed = networks(config.allowed_addresses)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(resolver=GuardedResolver(self._allowed),
                                             limit_per_host=2)
            timeout = aiohttp.ClientTimeout(total=self._config.request_timeout,
                                            sock_connect=self._config.connect_timeout)
            self._session = aiohttp.ClientSession(connector=connector, timeout=timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, body: bytes, headers: dict[str, str], *,
                   allow_http: bool) -> Attempt:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and allow_http):
            return Attempt(False, "refused: only https:// (no operator allowed http)")
        literal = literal_address(parts.hostname or "")
        if literal and not address_allowed(literal, self._allowed):
            return Attempt(False, f"refused: address {literal} is not allowed")
        try:
            async with self._open().post(url, data=body, headers=headers,
                                         allow_redirects=False) as response:
                await response.content.read(self._config.max_response_bytes)  # bounded
                if 300 <= response.status < 400:
                    return Attempt(False, f"HTTP {response.status}: redirect not followed")
                return Attempt(200 <= response.status < 300, f"HTTP {response.status}")
        except TimeoutError:
            return Attempt(False, "timeout")
        except (aiohttp.ClientError, OSError) as exc:
            return Attempt(False, describe(exc))
