"""Packets for exchange tests: the field samples, rewritten where a test needs another shape."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from docexchange.edxml import (
    Attachment,
    Organization,
    Replacement,
    ResponseFor,
    build_document,
    build_status,
    new_document,
    new_status,
)
from docexchange.signing.certificates import load_certificate, load_private_key
from docexchange.signing.xmldsig import PacketSigner
from tests.conftest import SAMPLES, HubEnv

_counter = iter(range(1, 10**9))


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def document(sender: str, to: list[str], *, subject: str = "V/v báo cáo tháng",
             priority: int = 0, number: int | None = None, files: list[tuple[str, bytes]] | None
             = None, type_name: str = "Công văn", document_id: str | None = None,
             business_type: int = 0, business_document_id: str | None = None,
             replaces: tuple[str, ...] = (), response_for: ResponseFor | None = None) -> bytes:
    """A fresh, unique document packet from `sender` to `to`.

    `document_id` reuses a given DocumentId (header and Bussiness); `business_type` 1-3 makes
    a revocation, update or replacement, whose Bussiness/DocumentId, ReplacementInfo and
    ResponseFor are set by `business_document_id`, `replaces` and `response_for`.
    """
    packet = new_document(
        sender=Organization(organ_id=sender, organ_name="Đơn vị gửi"),
        recipients=[Organization(organ_id=code, organ_name="") for code in to],
        code_number=str(number or next(_counter)), code_notation="UBND-VP", subject=subject,
        priority=priority, files=files or [("cv.pdf", b"%PDF-1.4 test")],
        now=dt.datetime(2026, 11, 28, 9, 0, 0), type_name=type_name)
    doc_id = document_id or packet.header.document_id
    header = replace(packet.header, document_id=doc_id,
                     response_for=(response_for,) if response_for else ())
    business = replace(packet.business, document_id=business_document_id or doc_id,
                       business_doc_type=business_type,
                       replacements=tuple(Replacement(r, tuple(to)) for r in replaces))
    return build_document(replace(packet, header=header, business=business))


def status(sender: str, original_sender: str, document_id: str, code: str,
           stamp: dt.datetime | None = None, note: str = "") -> bytes:
    response = ResponseFor(organ_id=original_sender, document_id=document_id, code="1/UBND")
    return build_status(new_status(Organization(organ_id=sender, organ_name=""), response, code,
                                   note or f"Trạng thái {code}",
                                   stamp or dt.datetime(2026, 11, 28, 10, 0, 0)))


def sign_as(env: HubEnv, organ_id: str, data: bytes) -> bytes:
    entry: dict[str, Any] = env.credentials[organ_id]
    signer = PacketSigner(load_private_key(Path(entry["signing_key"])),
                          load_certificate(Path(entry["certificate"])))
    return signer.sign(data)


XML = {"Content-Type": "application/xml"}
__all__ = ["Attachment", "ResponseFor", "XML", "document", "sample", "sign_as", "status"]
