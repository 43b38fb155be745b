"""Checks shared by documents and status packets, and the one way refusals are recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from docexchange.errors import DocExchangeError
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.packet_check import Inspection


@asynccontextmanager
async def refusals_recorded(ctx: ExchangeContext, caller: str, sha256: str,
                            spool: Path | None) -> AsyncIterator[None]:
    """A refusal inside the block drops the spooled body and is logged (hash and reason only)
    before it reaches the caller."""
    try:
        yield
    except DocExchangeError as exc:
        if spool is not None:
            spool.unlink(missing_ok=True)
        await ctx.record_refusal(caller, sha256, exc)
        raise


def check_sender(sender_id: str, caller: str, former_codes: Sequence[str] = ()) -> None:
    """The packet's From must be the authenticated unit. `former_codes`: the caller's codes
    before a recode, whose credentials now act as the caller; a DMS still writing one of them
    is told the new code."""
    if sender_id == caller:
        return
    recoded = sender_id in former_codes
    raise DocExchangeError(
        "DX_SENDER_MISMATCH",
        f"Đơn vị gửi trong gói tin ({sender_id}) khác đơn vị đã xác thực ({caller})."
        + (f" Mã {sender_id} đã được đổi thành {caller}: hãy ghi mã mới trong From."
           if recoded else ""),
        f"The packet's From ({sender_id}) is not the authenticated unit ({caller})."
        + (f" Code {sender_id} became {caller}: put the new code in From." if recoded else ""),
        errors=[{"element": "From/OrganId", "value": sender_id}
                | ({"reason": "recoded", "new_code": caller} if recoded else {})])


@dataclass(frozen=True)
class SignatureCheck:
    """The sender's signature as the hub judged it (FIELD-PACKETS.md §2 "Signatures").

    ``status``: ``verified`` (accepted algorithm, certificate registered to the sender, trusted
    chain, bytes match), ``absent`` (no signature element at all) or ``unverified`` (anything
    the hub cannot check: the field's placeholders, SHA-1 when refused, another algorithm, a
    certificate not registered to the sender). ``key_id``: the registered key, when verified.
    """

    status: str
    key_id: str | None = None


async def check_signature(ctx: ExchangeContext, inspection: Inspection, caller: str
                          ) -> SignatureCheck:
    """Judge the signature; raises DX_BAD_SIGNATURE for tampering (in every mode) and for
    anything not verified when ``require_sender_signature`` is set."""
    found = inspection.signature
    require = ctx.config.exchange.require_sender_signature
    if not found.present:
        if require:
            raise DocExchangeError(
                "DX_BAD_SIGNATURE", "Gói tin phải có chữ ký số của đơn vị gửi.",
                "The packet must carry the sending unit's XML signature.", reason="missing")
        return SignatureCheck("absent")
    registered = await ctx.registered_key_ids(caller)
    if found.signer_key_id is not None and found.signer_key_id in registered:
        return SignatureCheck("verified", found.signer_key_id)
    if found.error is not None and found.mismatch_key_id in registered:
        raise found.error  # checkable and wrong: changed after signing
    if require:
        raise found.error or DocExchangeError(
            "DX_BAD_SIGNATURE", "Chứng thư ký số không được đăng ký cho đơn vị gửi.",
            "The signing certificate is not registered to the sending unit.",
            reason="unregistered_certificate", key_id=found.signer_key_id)
    return SignatureCheck("unverified")
