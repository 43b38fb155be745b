"""POST an alert to the operators' webhook, retrying with exponential backoff.

Called only after the alert is committed, never inside a transaction: a slow or dead webhook
must not hold the database writer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)
ATTEMPT_TIMEOUT_S = 10


async def post_json(session: aiohttp.ClientSession, url: str, body: dict[str, Any], *,
                    retries: int, backoff_ms: int) -> bool:
    """True once the webhook answers 2xx; False after 1 + `retries` failed attempts. Waits
    backoff_ms, then twice that, and so on, between attempts."""
    timeout = aiohttp.ClientTimeout(total=ATTEMPT_TIMEOUT_S)
    for attempt in range(retries + 1):
        if attempt:
            await asyncio.sleep(backoff_ms * 2 ** (attempt - 1) / 1000)
        try:
            async with session.post(url, json=body, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return True
                log.warning("alert webhook answered %s (attempt %d)", response.status,
                            attempt + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("alert webhook failed (attempt %d): %s", attempt + 1,
                        type(exc).__name__)
    return False
