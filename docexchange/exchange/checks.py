"""Checks shared by documents and status packets, and the one way refusals are recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from cryptography import x509

from docexchange.errors import DocExchangeError
from docexchange.exchange.context import ExchangeContext
from docexchange.exchange.inspect import Inspection
from docexchange.signing.certificates import key_id


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


def check_sender(sender_id: str, caller: str) -> None:
    if sender_id != caller:
        raise DocExchangeError(
            "DX_SENDER_MISMATCH",
            f"Đơn vị gửi trong gói tin ({sender_id}) khác đơn vị đã xác thực ({caller}).",
            f"The packet's From ({sender_id}) is not the authenticated unit ({caller}).",
            errors=[{"element": "From/OrganId", "value": sender_id}])


async def check_signature(ctx: ExchangeContext, inspection: Inspection, caller: str
                           ) -> str | None:
    """The signer's key id when signed by a certificate registered to the sender."""
    if inspection.signature_error is not None:
        raise inspection.signature_error
    if inspection.signer_cert_der is None:
        if ctx.config.exchange.require_sender_signature:
            raise DocExchangeError(
                "DX_BAD_SIGNATURE", "Gói tin phải có chữ ký số của đơn vị gửi.",
                "The packet must carry the sending unit's XML signature.", reason="missing")
        return None
    kid = key_id(x509.load_der_x509_certificate(inspection.signer_cert_der))
    if kid not in await ctx.registered_key_ids(caller):
        raise DocExchangeError(
            "DX_BAD_SIGNATURE", "Chứng thư ký số không được đăng ký cho đơn vị gửi.",
            "The signing certificate is not registered to the sending unit.",
            reason="unregistered_certificate", key_id=kid)
    return kid
