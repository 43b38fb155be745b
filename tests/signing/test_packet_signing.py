"""PacketSigner: where the signature goes, what it says, and that the sender's bytes survive."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from docexchange.errors import DocExchangeError
from docexchange.signing.xmldsig import PacketSigner, PacketVerifier, has_signature

from .conftest import QCVN, Pki, Signer

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DS, "e": QCVN}


def _signature_span(packet: bytes) -> tuple[int, int]:
    start = packet.index(b"<Signature")
    return start, packet.index(b"</Signature>") + len(b"</Signature>")


def test_signature_is_unprefixed_and_follows_trace_header_list(unit: Signer, edoc: bytes) -> None:
    signed = PacketSigner(unit.key, unit.certificate).sign(edoc)

    assert b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">' in signed
    assert b"<ds:" not in signed
    root = etree.fromstring(signed)
    signature = root.find(".//ds:Signature", NS)
    assert signature is not None and signature.prefix is None
    assert signature.getparent().tag == f"{{{QCVN}}}edXMLHeader"
    assert signature.getprevious().tag == f"{{{QCVN}}}TraceHeaderList"
    assert signature.getnext() is None


def test_every_other_byte_of_the_packet_is_unchanged(unit: Signer, edoc: bytes) -> None:
    signed = PacketSigner(unit.key, unit.certificate).sign(edoc)

    start, end = _signature_span(signed)
    assert signed[:start] + signed[end:] == edoc


def test_signed_info_names_the_algorithms_by_key_type(pki: Pki, edoc: bytes) -> None:
    for signer, method in ((pki.ec, "ecdsa-sha256"), (pki.rsa, "rsa-sha256")):
        root = etree.fromstring(PacketSigner(signer.key, signer.certificate).sign(edoc))
        signed_info = root.find(".//ds:SignedInfo", NS)
        assert signed_info.find("ds:SignatureMethod", NS).get("Algorithm").endswith(method)
        assert signed_info.find("ds:CanonicalizationMethod", NS).get("Algorithm") == (
            "http://www.w3.org/2001/10/xml-exc-c14n#"
        )
        reference = signed_info.find("ds:Reference", NS)
        assert reference.get("URI") == ""
        transforms = [t.get("Algorithm") for t in reference.iterfind("ds:Transforms/*", NS)]
        assert f"{DS}enveloped-signature" in transforms
        assert reference.find("ds:DigestMethod", NS).get("Algorithm").endswith("#sha256")


def test_key_info_carries_the_certificate(unit: Signer, edoc: bytes) -> None:
    root = etree.fromstring(PacketSigner(unit.key, unit.certificate).sign(edoc))

    carried = root.findtext(".//ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=NS)
    pem_body = unit.certificate.public_bytes(Encoding.PEM).decode().splitlines()[1:-1]
    assert "".join(carried.split()) == "".join(pem_body)


def test_status_packet_without_trace_gets_the_signature_last_in_the_header(
    pki: Pki, status_packet: bytes
) -> None:
    signed = PacketSigner(pki.ec.key, pki.ec.certificate).sign(status_packet)

    start, end = _signature_span(signed)
    assert signed[:start] + signed[end:] == status_packet
    signature = etree.fromstring(signed).find(".//ds:Signature", NS)
    assert signature.getparent().tag == f"{{{QCVN}}}edXMLHeader"
    assert signature.getprevious().tag == f"{{{QCVN}}}MessageHeader"
    assert PacketVerifier([pki.ca]).verify(signed).algorithm == "ecdsa-sha256"


def test_envelope_as_root_is_signed_too(pki: Pki, edoc: bytes) -> None:
    """Real files have been seen with edXMLEnvelope as the root element."""
    start = edoc.index(b"<edXML:edXMLEnvelope")
    end = edoc.index(b"</edXML:edXMLEnvelope>") + len(b"</edXML:edXMLEnvelope>")
    envelope_only = edoc[start:end]

    signed = PacketSigner(pki.rsa.key, pki.rsa.certificate).sign(envelope_only)

    verified = PacketVerifier([pki.ca]).verify(signed)
    assert verified.signed_root.tag == f"{{{QCVN}}}edXMLEnvelope"


def test_falls_back_to_reserialising_when_the_end_tag_is_ambiguous(pki: Pki, edoc: bytes) -> None:
    """A look-alike end tag in a comment makes splicing unsafe; the result must still verify."""
    tricky = edoc.replace(
        b"<edXML:edXMLBody>", b"<!-- </edXML:TraceHeaderList> --><edXML:edXMLBody>"
    )

    signed = PacketSigner(pki.ec.key, pki.ec.certificate).sign(tricky)

    signature = etree.fromstring(signed).find(".//ds:Signature", NS)
    assert signature.getprevious().tag == f"{{{QCVN}}}TraceHeaderList"
    assert PacketVerifier([pki.ca]).verify(signed).certificate == pki.ec.certificate


def test_an_already_signed_packet_is_refused(pki: Pki, signed_edoc: bytes) -> None:
    with pytest.raises(DocExchangeError) as caught:
        PacketSigner(pki.rsa.key, pki.rsa.certificate).sign(signed_edoc)
    assert caught.value.code == "DX_INVALID_PACKET"
    assert caught.value.details["reason"] == "already_signed"


def test_a_packet_without_header_is_refused(pki: Pki) -> None:
    with pytest.raises(DocExchangeError) as caught:
        PacketSigner(pki.ec.key, pki.ec.certificate).sign(f'<edXML xmlns="{QCVN}"/>'.encode())
    assert caught.value.details["reason"] == "no_header"


def test_a_certificate_for_another_key_is_refused(pki: Pki) -> None:
    with pytest.raises(ValueError):
        PacketSigner(pki.ec.key, pki.rsa.certificate)


def test_has_signature_sees_both_namespaces(signed_edoc: bytes, edoc: bytes) -> None:
    assert has_signature(etree.fromstring(signed_edoc))
    assert not has_signature(etree.fromstring(edoc))
    qcvn_signature = edoc.replace(
        b"</edXML:TraceHeaderList>", b"</edXML:TraceHeaderList><Signature/>"
    )
    assert has_signature(etree.fromstring(qcvn_signature))
