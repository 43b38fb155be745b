"""The contract between the relay core and a protocol adapter (aiosmtpd-style: the core
decides what and when, the adapter only speaks the wire). An adapter raises RelayRefused for
an answer that will not change on retry (the upstream refused the packet), and anything else
(RelayUnavailable, network errors) is retried with backoff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class RelayRefused(Exception):
    """The upstream refused the packet for good; `code` is its error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class RelayUnavailable(Exception):
    """The upstream could not be reached or failed; try again later."""


@dataclass(frozen=True)
class RemoteItem:
    """Something the upstream holds for one of our units."""

    remote_id: str          # the upstream's handle to acknowledge it
    message_id: str         # the upstream's id of the packet (to fetch it)
    kind: str               # document | status


class UpstreamAdapter(Protocol):
    name: str

    async def send(self, kind: str, data: bytes) -> str:
        """Hand one packet over; returns the upstream's id of it (its DocId)."""

    async def pending(self, limit: int) -> list[RemoteItem]:
        """What the upstream holds for our units, oldest first."""

    async def fetch(self, item: RemoteItem) -> bytes:
        """The packet's exact bytes."""

    async def acknowledge(self, item: RemoteItem) -> None:
        """Tell the upstream the packet is safely stored here (idempotent)."""

    async def close(self) -> None:
        """Release connections."""
