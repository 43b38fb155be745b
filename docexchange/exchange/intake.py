"""The one intake pipeline: how a packet, document or status, enters the hub (DESIGN.md §2).

Both kinds go through the same steps in the same order, so a rule added to one (a size bound,
the secrecy guard, how a refusal is recorded, how a spool file is cleaned up) holds for the
other:

1. the body, bounded and hashed while it streamed, spooled past the inline limit
   (exchange/incoming.py, read by the door that took it);
2. parsed safely, secrecy guard, XSD, signature found and checked (`ctx.inspect`,
   exchange/packet_check.py, in a worker process for large packets);
3. the kind's own checks (`PacketKind.check`: sender, lifetime, signature status, routing);
4. a large payload made durable before any row refers to it;
5. ONE write transaction: the kind's rows, the payload and the evidence leaves
   (`PacketKind.store_txn`);
6. after the commit, the kind's answer (`PacketKind.answer`: wake inboxes, receipt).

A refusal at any step is recorded (hash, sender, code, element paths: never the content) before
it reaches the caller, and whatever ends the intake early leaves no spool file or orphan blob.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar

from docexchange.exchange.checks import refusals_recorded
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.incoming import RequestBody, nothing_left_behind
from docexchange.exchange.packet_check import Inspection
from docexchange.store.failures import is_unique_violation
from docexchange.store.tx import Tx

Stored = TypeVar("Stored")
Answer = TypeVar("Answer")


class PacketKind(ABC, Generic[Stored, Answer]):
    """What differs between a document and a status; one instance per packet taken in, so the
    checks can keep what the transaction needs (the parsed packet, the signature status)."""

    #: the name of the write transaction (metrics, logs)
    txn_name: str = "intake"

    @abstractmethod
    async def check(self, ctx: ExchangeContext, caller: str, inspection: Inspection) -> None:
        """Everything that can refuse the packet before the transaction; raises
        DocExchangeError."""

    @abstractmethod
    def store_txn(self, ctx: ExchangeContext, conn: Tx, caller: str,
                  body: RequestBody) -> Stored:
        """The packet's rows, its payload and its evidence leaves, inside the one
        transaction; may still refuse (an unknown reference, a transition not allowed)."""

    @abstractmethod
    async def answer(self, ctx: ExchangeContext, caller: str, body: RequestBody,
                     stored: Stored) -> Answer:
        """After the commit: wake the inboxes concerned, build what the caller gets."""


async def take_in(ctx: ExchangeContext, caller: str, body: RequestBody,
                  kind: PacketKind[Stored, Answer]) -> Answer:
    """Steps 2 to 6 above for one packet from `caller` (the authenticated unit)."""
    async with nothing_left_behind(ctx.payloads, body):
        async with refusals_recorded(ctx, caller, body.sha256, body.spool):
            await kind.check(ctx, caller, await ctx.inspect(body))
        await ctx.payloads.make_durable(body.sha256, body.spool)  # before the row commits

        def txn(conn: Tx) -> Stored:
            return kind.store_txn(ctx, conn, caller, body)
        async with refusals_recorded(ctx, caller, body.sha256, None):
            try:
                stored = await ctx.db.write(kind.txn_name, txn)
            except Exception as exc:
                if not is_unique_violation(exc):
                    raise
                # the same packet committed meanwhile on another node (a retry sent there
                # while this one was in flight): looked up again, it is answered as a repeat
                stored = await ctx.db.write(kind.txn_name, txn)
        return await kind.answer(ctx, caller, body, stored)
