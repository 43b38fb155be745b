"""Signature wrapping: an attacker keeps a valid signature and adds a header of their own.

The defence has two parts: the signature must cover the whole packet (one Reference URI=""),
and callers read only ``VerifiedPacket.signed_root``. Each attack must either be refused or
leave the attacker's header out of ``signed_root``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from docexchange.errors import DocExchangeError
from docexchange.signing.xmldsig import PacketVerifier

from .conftest import QCVN

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"e": QCVN}
EVIL_SUBJECT = "Lệnh chuyển tiền khẩn"
EVIL_HEADER = (
    f'<edXML:MessageHeader xmlns:edXML="{QCVN}"><edXML:From>'
    "<edXML:OrganId>000.00.99.H45</edXML:OrganId>"
    f"</edXML:From><edXML:Subject>{EVIL_SUBJECT}</edXML:Subject></edXML:MessageHeader>"
).encode()
NS_DECL = f'xmlns="{QCVN}" xmlns:edXML="{QCVN}"'.encode()


def assert_attacker_unseen(verifier: PacketVerifier, packet: bytes) -> str:
    """Refused, or verified with a signed_root free of the attacker's header."""
    try:
        verified = verifier.verify(packet)
    except DocExchangeError as refused:
        assert refused.code in {"DX_BAD_SIGNATURE", "DX_INVALID_PACKET"}
        return str(refused.details["reason"])
    assert EVIL_SUBJECT not in etree.tostring(verified.signed_root, encoding="unicode")
    return "accepted"


def _body(packet: bytes) -> bytes:
    """The packet without its XML declaration, ready to be nested inside another element."""
    return packet[packet.index(b"<edXML ") :]


def _signature(packet: bytes) -> bytes:
    start = packet.index(b"<Signature")
    return packet[start : packet.index(b"</Signature>") + len(b"</Signature>")]


def _wrapped(signed: bytes) -> bytes:
    return (
        f"<edXML {NS_DECL.decode()}><edXML:edXMLEnvelope><edXML:edXMLHeader>".encode()
        + EVIL_HEADER
        + b"<edXML:Wrapper>"
        + _body(signed)
        + b"</edXML:Wrapper>"
        + b"</edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>"
    )


def _moved(signed: bytes) -> bytes:
    original_without_signature = _body(signed).replace(_signature(signed), b"")
    return (
        f"<edXML {NS_DECL.decode()}><edXML:edXMLEnvelope><edXML:edXMLHeader>".encode()
        + EVIL_HEADER
        + b"<edXML:TraceHeaderList/>"
        + _signature(signed)
        + b"</edXML:edXMLHeader></edXML:edXMLEnvelope>"
        + b"<AttachmentEncoded>"
        + original_without_signature
        + b"</AttachmentEncoded></edXML>"
    )


def _nested(signed: bytes) -> bytes:
    return (
        f"<edXMLEnvelope {NS_DECL.decode()}><edXML:edXMLHeader>".encode()
        + EVIL_HEADER
        + b"</edXML:edXMLHeader>"
        + _body(signed)
        + b"</edXMLEnvelope>"
    )


#: Each wrapping attack as a function of the signed packet, shared with the test that holds
#: libxmlsec1 and signxml to the same verdicts (test_verifier_agreement.py).
ATTACKS: dict[str, Callable[[bytes], bytes]] = {
    "second-header-before": lambda signed: signed.replace(
        b"<edXML:edXMLHeader>\n", b"<edXML:edXMLHeader>\n" + EVIL_HEADER),
    "wrapped-in-forged-packet": _wrapped,
    "signature-moved-original-as-sibling": _moved,
    "nested-next-to-forged-header": _nested,
    "copied-second-signature": lambda signed: signed.replace(
        b"<edXML:edXMLHeader>\n", b"<edXML:edXMLHeader>\n" + EVIL_HEADER + _signature(signed)),
    "comment-splits-subject": lambda signed: signed.replace(
        "V/v đẩy mạnh".encode(), "V/v <!-- -->đẩy mạnh".encode(), 1),
    "header-before-attachment": lambda signed: signed.replace(
        b"<AttachmentEncoded>", EVIL_HEADER + b"<AttachmentEncoded>"),
    "header-at-the-end": lambda signed: signed.replace(b"</edXML>", EVIL_HEADER + b"</edXML>"),
}


def test_a_second_header_before_the_signed_one(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    attacked = ATTACKS["second-header-before"](signed_edoc)

    assert assert_attacker_unseen(verifier, attacked) == "digest_mismatch"


def test_the_signed_packet_wrapped_inside_the_attackers_packet(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    """The original signed packet hides in an extension element of a forged packet."""
    attacked = ATTACKS["wrapped-in-forged-packet"](signed_edoc)

    assert assert_attacker_unseen(verifier, attacked) == "digest_mismatch"


def test_the_signature_moved_into_a_forged_packet_with_the_original_as_sibling(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    """The forged envelope carries the signature; the signed one is kept further down."""
    attacked = ATTACKS["signature-moved-original-as-sibling"](signed_edoc)

    assert assert_attacker_unseen(verifier, attacked) == "digest_mismatch"


def test_the_signed_packet_nested_in_a_new_root_next_to_a_forged_header(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    attacked = ATTACKS["nested-next-to-forged-header"](signed_edoc)

    assert assert_attacker_unseen(verifier, attacked) == "digest_mismatch"


def test_a_copied_second_signature_is_refused(signed_edoc: bytes, verifier: PacketVerifier) -> None:
    attacked = ATTACKS["copied-second-signature"](signed_edoc)

    assert assert_attacker_unseen(verifier, attacked) == "multiple_signatures"


def test_comments_split_text_in_the_raw_tree_but_not_in_the_signed_root(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    """Comments are outside the signed data: a naive reader of the raw tree sees a cut
    Subject, while signed_root holds the text exactly as it was signed."""
    subject = "V/v đẩy mạnh cải cách hành chính năm 2018"
    attacked = ATTACKS["comment-splits-subject"](signed_edoc)

    verified = verifier.verify(attacked)

    raw = etree.fromstring(attacked).find(".//e:Subject", NS)
    assert raw.text == "V/v "
    assert verified.signed_root.findtext(".//e:Subject", namespaces=NS) == subject
    assert not list(verified.signed_root.iter(etree.Comment))


@pytest.mark.parametrize("attack", ["header-before-attachment", "header-at-the-end"])
def test_an_unsigned_header_appended_anywhere_else_is_refused(
    signed_edoc: bytes, verifier: PacketVerifier, attack: str
) -> None:
    attacked = ATTACKS[attack](signed_edoc)

    assert assert_attacker_unseen(verifier, attacked) == "digest_mismatch"
