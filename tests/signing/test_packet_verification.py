"""PacketVerifier: what it accepts, what it refuses, and the reason it gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from docexchange.errors import DocExchangeError
from docexchange.signing.xmldsig import PacketSigner, PacketVerifier

from .conftest import QCVN, Pki, Signer

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"e": QCVN}
SUBJECT = "V/v đẩy mạnh cải cách hành chính năm 2018".encode()


def refusal(call: Callable[[], object], code: str = "DX_BAD_SIGNATURE") -> str:
    """Run ``call``, expect a DocExchangeError with ``code``; return its reason."""
    with pytest.raises(DocExchangeError) as caught:
        call()
    assert caught.value.code == code
    assert caught.value.message_vi and caught.value.message_en
    return str(caught.value.details["reason"])


def into_qcvn_namespace(packet: bytes) -> bytes:
    """Simulate a real file: the Signature is written unprefixed without a namespace
    declaration of its own, so it inherits the document's default (QCVN) namespace."""
    start = packet.index(b"<Signature")
    end = packet.index(b"</Signature>") + len(b"</Signature>")
    region = packet[start:end].replace(f' xmlns="{DS}"'.encode(), b"")
    assert b"xmlns" not in region
    return packet[:start] + region + packet[end:]


def test_signed_packet_verifies_and_returns_the_signed_header(
    unit: Signer, edoc: bytes, verifier: PacketVerifier
) -> None:
    signed = PacketSigner(unit.key, unit.certificate).sign(edoc)

    verified = verifier.verify(signed)

    assert verified.certificate == unit.certificate
    assert verified.algorithm in {"ecdsa-sha256", "rsa-sha256"}
    original = etree.fromstring(edoc).find(".//e:MessageHeader", NS)
    returned = verified.signed_root.find(".//e:MessageHeader", NS)
    assert returned is not None
    c14n = {"method": "c14n", "exclusive": True}
    assert etree.tostring(returned, **c14n) == etree.tostring(original, **c14n)
    assert verified.signed_root.find(f".//{{{DS}}}Signature") is None


def test_changing_one_character_of_the_subject_is_detected(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    tampered = signed_edoc.replace(SUBJECT, SUBJECT.replace(b"2018", b"2019"))
    assert tampered != signed_edoc

    assert refusal(lambda: verifier.verify(tampered)) == "digest_mismatch"


def test_a_changed_signature_value_is_detected(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    start = signed_edoc.index(b"<SignatureValue>") + len(b"<SignatureValue>")
    flipped = b"B" if signed_edoc[start + 10 : start + 11] != b"B" else b"C"
    tampered = signed_edoc[: start + 10] + flipped + signed_edoc[start + 11 :]

    assert refusal(lambda: verifier.verify(tampered)) == "signature_mismatch"


def test_a_packet_without_signature_is_refused_clearly(
    edoc: bytes, verifier: PacketVerifier
) -> None:
    with pytest.raises(DocExchangeError) as caught:
        verifier.verify(edoc)
    assert caught.value.code == "DX_BAD_SIGNATURE"
    assert caught.value.details["reason"] == "no_signature"
    assert "no signature" in caught.value.message_en


def test_a_certificate_from_another_ca_is_refused(
    pki: Pki, edoc: bytes, verifier: PacketVerifier
) -> None:
    signed = PacketSigner(pki.stranger.key, pki.stranger.certificate).sign(edoc)

    assert refusal(lambda: verifier.verify(signed)) == "untrusted_certificate"
    assert PacketVerifier([pki.other_ca]).verify(signed).certificate == pki.stranger.certificate


def test_the_signer_must_be_one_of_the_expected_certificates(
    pki: Pki, signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    reason = refusal(lambda: verifier.verify(signed_edoc, expected_certs=[pki.rsa.certificate]))
    assert reason == "unexpected_certificate"

    verified = verifier.verify(
        signed_edoc, expected_certs=[pki.rsa.certificate, pki.ec.certificate]
    )
    assert verified.certificate == pki.ec.certificate


def test_without_trusted_cas_only_pinned_certificates_are_trusted(
    pki: Pki, signed_edoc: bytes
) -> None:
    pinning = PacketVerifier([])

    assert refusal(lambda: pinning.verify(signed_edoc)) == "untrusted_certificate"
    assert pinning.verify(signed_edoc, expected_certs=[pki.ec.certificate]).algorithm == (
        "ecdsa-sha256"
    )


def test_a_certificate_outside_its_validity_is_refused(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)

    assert refusal(lambda: verifier.verify(signed_edoc, at=later)) == "certificate_not_valid_now"


def test_a_ca_certificate_cannot_sign_packets(pki: Pki, edoc: bytes) -> None:
    signed = PacketSigner(pki.ca_key, pki.ca).sign(edoc)

    assert refusal(lambda: PacketVerifier([pki.ca]).verify(signed)) == "untrusted_certificate"


def test_rsa_sha1_is_refused_by_default_and_accepted_when_allowed(
    pki: Pki, edoc: bytes, sign_with_signxml: Callable[..., bytes]
) -> None:
    legacy = sign_with_signxml(
        edoc, pki.rsa, method=SignatureMethod.RSA_SHA1, digest=DigestAlgorithm.SHA1
    )

    reason = refusal(lambda: PacketVerifier([pki.ca]).verify(legacy))
    assert reason == "sha1_refused"
    verified = PacketVerifier([pki.ca], allow_sha1=True).verify(legacy)
    assert verified.algorithm == "rsa-sha1"
    assert verified.signed_root.findtext(".//e:Subject", namespaces=NS) == SUBJECT.decode()


def test_a_sha1_digest_under_a_sha256_signature_is_refused_too(
    pki: Pki, edoc: bytes, sign_with_signxml: Callable[..., bytes]
) -> None:
    mixed = sign_with_signxml(
        edoc, pki.rsa, method=SignatureMethod.RSA_SHA256, digest=DigestAlgorithm.SHA1
    )

    assert refusal(lambda: PacketVerifier([pki.ca]).verify(mixed)) == "sha1_refused"


def test_other_signature_methods_are_refused(
    pki: Pki, edoc: bytes, sign_with_signxml: Callable[..., bytes]
) -> None:
    rsa_sha512 = sign_with_signxml(
        edoc, pki.rsa, method=SignatureMethod.RSA_SHA512, digest=DigestAlgorithm.SHA512
    )

    assert refusal(lambda: PacketVerifier([pki.ca]).verify(rsa_sha512)) == ("unsupported_algorithm")


def test_signature_in_the_qcvn_namespace_still_verifies(
    unit: Signer, edoc: bytes, verifier: PacketVerifier
) -> None:
    real_file_shape = into_qcvn_namespace(PacketSigner(unit.key, unit.certificate).sign(edoc))
    signature = etree.fromstring(real_file_shape).find(f".//{{{QCVN}}}Signature")
    assert signature is not None

    verified = verifier.verify(real_file_shape)

    assert verified.certificate == unit.certificate
    assert verified.signed_root.findtext(".//e:Subject", namespaces=NS) == SUBJECT.decode()


def test_legacy_inclusive_c14n_signature_in_the_qcvn_namespace_verifies(
    pki: Pki, edoc: bytes, sign_with_signxml: Callable[..., bytes]
) -> None:
    """The 2016 sample's shape: rsa-sha1, inclusive C14N, Signature in the QCVN namespace."""
    legacy = sign_with_signxml(
        edoc,
        pki.rsa,
        method=SignatureMethod.RSA_SHA1,
        digest=DigestAlgorithm.SHA1,
        c14n=CanonicalizationMethod.CANONICAL_XML_1_0,
    )

    verified = PacketVerifier([pki.ca], allow_sha1=True).verify(into_qcvn_namespace(legacy))

    assert verified.algorithm == "rsa-sha1"


def test_a_qcvn_signature_that_was_tampered_with_still_fails(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    tampered = into_qcvn_namespace(signed_edoc).replace(b"<edXML:Priority>1", b"<edXML:Priority>3")

    assert refusal(lambda: verifier.verify(tampered)) == "digest_mismatch"


def test_a_reference_to_part_of_the_packet_is_refused(
    pki: Pki, edoc: bytes, sign_with_signxml: Callable[..., bytes]
) -> None:
    """Partial references are what wrapping attacks build on: only URI="" is accepted."""
    with_id = edoc.replace(b"<edXML:MessageHeader>", b'<edXML:MessageHeader Id="hdr">')
    partial = sign_with_signxml(
        with_id,
        pki.ec,
        method=SignatureMethod.ECDSA_SHA256,
        digest=DigestAlgorithm.SHA256,
        reference_uri="#hdr",
    )

    assert refusal(lambda: PacketVerifier([pki.ca]).verify(partial)) == "bad_reference"


def test_a_signature_without_certificate_is_refused(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    start = signed_edoc.index(b"<KeyInfo>")
    end = signed_edoc.index(b"</KeyInfo>") + len(b"</KeyInfo>")
    stripped = signed_edoc[:start] + signed_edoc[end:]

    assert refusal(lambda: verifier.verify(stripped)) == "no_certificate"


def test_a_garbled_certificate_is_refused(signed_edoc: bytes, verifier: PacketVerifier) -> None:
    start = signed_edoc.index(b"<X509Certificate>") + len(b"<X509Certificate>")
    garbled = signed_edoc[:start] + b"AAAA" + signed_edoc[start + 4 :]

    assert refusal(lambda: verifier.verify(garbled)) == "malformed_signature"


def test_a_signature_missing_its_value_is_refused(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    start = signed_edoc.index(b"<SignatureValue>")
    end = signed_edoc.index(b"</SignatureValue>") + len(b"</SignatureValue>")

    reason = refusal(lambda: verifier.verify(signed_edoc[:start] + signed_edoc[end:]))
    assert reason == "malformed_signature"


@pytest.mark.parametrize(
    "hostile",
    [
        b'<!DOCTYPE edXML [<!ENTITY x "boom">]><edXML>&x;</edXML>',
        b'<!DOCTYPE edXML SYSTEM "http://attacker.invalid/x.dtd"><edXML/>',
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>',
        b"<edXML><unclosed></edXML>",
        b"",
    ],
)
def test_hostile_xml_is_refused_before_any_signature_work(
    hostile: bytes, pki: Pki, verifier: PacketVerifier
) -> None:
    assert refusal(lambda: verifier.verify(hostile), "DX_INVALID_PACKET")
    signer = PacketSigner(pki.ec.key, pki.ec.certificate)
    assert refusal(lambda: signer.sign(hostile), "DX_INVALID_PACKET")


def test_a_packet_with_an_attachment_over_libxml2s_text_limit_round_trips(
    pki: Pki, edoc: bytes, verifier: PacketVerifier
) -> None:
    """Attachments reach 20 MB; one base64 text node over 10 MB needs lxml's huge_tree."""
    start = edoc.index(b">", edoc.index(b"<edXML:ContentTransferEncoded")) + 1
    end = edoc.index(b"</edXML:ContentTransferEncoded>")
    big = edoc[:start] + b"QUJD" * 2_700_000 + edoc[end:]

    signed = PacketSigner(pki.ec.key, pki.ec.certificate).sign(big)

    assert verifier.verify(signed).certificate == pki.ec.certificate


def test_a_naive_verification_time_is_taken_as_utc(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    naive_now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    assert verifier.verify(signed_edoc, at=naive_now).algorithm == "ecdsa-sha256"


def test_comments_inside_the_carried_certificate_are_ignored(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    start = signed_edoc.index(b"<X509Certificate>") + len(b"<X509Certificate>") + 8
    commented = signed_edoc[:start] + b"<!-- x -->" + signed_edoc[start:]

    assert verifier.verify(commented).algorithm == "ecdsa-sha256"


def test_a_signature_without_signature_method_is_malformed(
    signed_edoc: bytes, verifier: PacketVerifier
) -> None:
    start = signed_edoc.index(b"<SignatureMethod")
    end = signed_edoc.index(b"/>", start) + 2

    reason = refusal(lambda: verifier.verify(signed_edoc[:start] + signed_edoc[end:]))
    assert reason == "malformed_signature"


def test_one_verifier_serves_several_threads(
    pki: Pki, edoc: bytes, verifier: PacketVerifier
) -> None:
    """signxml keeps per-call state on its verifier object; ours makes one per call."""
    packets = [PacketSigner(s.key, s.certificate).sign(edoc) for s in (pki.ec, pki.rsa)] * 8

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(verifier.verify, packets))

    expected = [pki.ec.certificate, pki.rsa.certificate] * 8
    assert [result.certificate for result in results] == expected


@pytest.mark.parametrize("element", [b"DigestValue", b"SignatureValue"])
def test_an_empty_value_is_malformed_not_a_crash(
    signed_edoc: bytes, verifier: PacketVerifier, element: bytes
) -> None:
    start = signed_edoc.index(b"<" + element + b">")
    end = signed_edoc.index(b"</" + element + b">") + len(element) + 3
    emptied = signed_edoc[:start] + b"<" + element + b"/>" + signed_edoc[end:]

    assert refusal(lambda: verifier.verify(emptied)) in {
        "malformed_signature",
        "signature_mismatch",
    }
