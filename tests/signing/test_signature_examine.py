"""PacketVerifier.examine: a refusal comes back with what the exchange needs to judge it, in
particular which carried certificate the bytes do not match (tampering) — even when the
certificate's chain is not trusted, since registration, not the chain, makes it checkable."""

from __future__ import annotations

import datetime as dt

from docexchange.edxml import Organization, build_document, new_document
from docexchange.signing.certificates import key_id
from docexchange.signing.xmldsig import (
    PacketSigner,
    PacketVerifier,
    SignatureFailure,
    VerifiedPacket,
)
from tests.signing.conftest import PROVINCE, Pki


def _packet(subject: str) -> bytes:
    return build_document(new_document(
        sender=Organization(organ_id=PROVINCE, organ_name="UBND tỉnh"),
        recipients=["000.00.12.H45"], code_number="9", code_notation="UBND", subject=subject,
        files=[("a.pdf", b"%PDF-1.4")], now=dt.datetime(2026, 11, 28, 9)))


def test_a_valid_signature_is_verified(pki: Pki) -> None:
    signed = PacketSigner(pki.ec.key, pki.ec.certificate).sign(_packet("V/v họp"))
    outcome = PacketVerifier([pki.ca]).examine(signed)
    assert isinstance(outcome, VerifiedPacket)
    assert outcome.certificate == pki.ec.certificate


def test_tampering_names_the_certificate_whatever_its_chain(pki: Pki) -> None:
    for signer, trusted in ((pki.ec, True), (pki.stranger, False)):
        signed = PacketSigner(signer.key, signer.certificate).sign(_packet("V/v họp"))
        tampered = signed.replace("V/v họp".encode(), b"V/v hop")
        outcome = PacketVerifier([pki.ca]).examine(tampered)
        assert isinstance(outcome, SignatureFailure)
        assert outcome.mismatch_key_id == key_id(signer.certificate)
        expected = "digest_mismatch" if trusted else "untrusted_certificate"
        assert outcome.error.details["reason"] == expected


def test_an_untrusted_signature_that_matches_is_no_mismatch(pki: Pki) -> None:
    signed = PacketSigner(pki.stranger.key, pki.stranger.certificate).sign(_packet("V/v họp"))
    outcome = PacketVerifier([pki.ca]).examine(signed)
    assert isinstance(outcome, SignatureFailure)
    assert outcome.mismatch_key_id is None
    assert outcome.error.details["reason"] == "untrusted_certificate"


def test_an_uncheckable_signature_names_no_certificate(pki: Pki) -> None:
    signed = PacketSigner(pki.ec.key, pki.ec.certificate).sign(_packet("V/v họp"))
    sha1 = signed.replace(b"xmldsig-more#ecdsa-sha256", b"xmldsig#rsa-sha1")
    outcome = PacketVerifier([pki.ca]).examine(sha1.replace("V/v họp".encode(), b"x"))
    assert isinstance(outcome, SignatureFailure)
    assert outcome.mismatch_key_id is None
    assert outcome.error.details["reason"] == "sha1_refused"
