"""libxmlsec1 (the fast path) and signxml (the reference) give the same verdict on every case
of the signature-wrapping corpus: the security corpus's signature attacks
(tests/attacks/corpus.py), the wrapping attacks (test_signature_wrapping.py), signatures nested
in signatures, and the valid shapes the field sends (both key types, the QCVN namespace, the
2016 sample's inclusive C14N with rsa-sha1).

The hub takes libxmlsec1's yes as final and asks signxml whenever it says no, so the danger is a
yes where signxml says no: ``XmlsecOnly`` makes libxmlsec1's no final too, and each case is
compared certificate by certificate on the bytes alone (pinned, no chain), then through the whole
verifier (trusted CA, ``verify`` and ``examine``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import pytest
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from docexchange.errors import DocExchangeError
from docexchange.signing import xmlsec_check
from docexchange.signing.certificates import load_certificates
from docexchange.signing.signature_placement import into_dsig_namespace, single_signature
from docexchange.signing.xmldsig import (
    PacketSigner,
    PacketVerifier,
    SignatureFailure,
    _carried_certificates,
    parse_packet,
)
from tests.attacks import corpus

from .conftest import Pki
from .test_packet_verification import into_qcvn_namespace
from .test_signature_wrapping import ATTACKS

ENGINE_NO = "libxmlsec1_said_no"


class XmlsecOnly(PacketVerifier):
    """libxmlsec1's verdict alone: where the hub would ask signxml, this one refuses."""

    def _signxml_verify(self, root: etree._Element, location: str, signer: Any,
                        at: datetime) -> etree._Element:
        raise DocExchangeError("DX_BAD_SIGNATURE", "-", "-", reason=ENGINE_NO)


def _cases(pki: Pki, edoc: bytes, sign_with_signxml: Callable[..., bytes]) -> dict[str, bytes]:
    ec = PacketSigner(pki.ec.key, pki.ec.certificate)
    signed = ec.sign(edoc)
    legacy = sign_with_signxml(edoc, pki.rsa, method=SignatureMethod.RSA_SHA1,
                               digest=DigestAlgorithm.SHA1,
                               c14n=CanonicalizationMethod.CANONICAL_XML_1_0)
    cases = {
        "valid/ec": signed,
        "valid/rsa": PacketSigner(pki.rsa.key, pki.rsa.certificate).sign(edoc),
        "valid/qcvn-namespace": into_qcvn_namespace(signed),
        "valid/legacy-inclusive-sha1-qcvn": into_qcvn_namespace(legacy),
        "valid/legacy-inclusive-sha1": legacy,
        "valid/stranger": PacketSigner(pki.stranger.key, pki.stranger.certificate).sign(edoc),
        "valid/rsa-sha512": sign_with_signxml(edoc, pki.rsa, method=SignatureMethod.RSA_SHA512,
                                              digest=DigestAlgorithm.SHA512),
        "valid/exclusive-with-inclusive-sha384": sign_with_signxml(
            edoc, pki.ec, method=SignatureMethod.ECDSA_SHA256, digest=DigestAlgorithm.SHA384),
        "tampered/qcvn-namespace": into_qcvn_namespace(signed).replace(
            b"<edXML:Priority>1", b"<edXML:Priority>3"),
        "tampered/legacy": legacy.replace(b"<edXML:Priority>1", b"<edXML:Priority>3"),
    }
    cases |= {f"wrapping/{name}": attack(signed) for name, attack in ATTACKS.items()}
    variants = corpus.signature_variants(
        corpus._doc, ec.sign, PacketSigner(pki.rsa.key, pki.rsa.certificate).sign)
    cases |= {f"corpus/{name}": make() for name, make in variants.items()}
    nest = b"<x>" * 300 + b"</x>" * 300
    deep_signature = b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">' * 50
    cases["nesting/in-signed-info"] = signed.replace(b"</SignedInfo>", nest + b"</SignedInfo>")
    cases["nesting/signature-in-signature"] = signed.replace(
        b"</Signature>", deep_signature + b"</Signature>" * 50 + b"</Signature>", 1)
    return cases


def _outcome(call: Callable[[], Any]) -> tuple[str, ...]:
    try:
        result = call()
    except DocExchangeError as refused:
        return ("refused", refused.code, str(refused.details.get("reason")))
    if isinstance(result, SignatureFailure):
        return ("failure", str(result.error.details.get("reason")), str(result.mismatch_key_id))
    canonical = etree.tostring(result.signed_root, method="c14n", exclusive=True)
    return ("verified", result.algorithm, canonical.decode())


def _carried(data: bytes) -> list[Any]:
    """The certificates the signature carries, or none when the packet is refused before any
    implementation looks at the bytes (not XML, no or several signatures, garbled base64)."""
    try:
        return _carried_certificates(into_dsig_namespace(single_signature(parse_packet(data))))
    except DocExchangeError:
        return []


def test_python_xmlsec_is_usable_here() -> None:
    """The fast path is on: python-xmlsec imported and its libxml2 is lxml's (pip installs
    matching wheels of both; otherwise every packet would silently take the slower path)."""
    assert xmlsec_check.available(), xmlsec_check.unavailable_reason()
    assert PacketVerifier([]).engine == "xmlsec"


@pytest.mark.parametrize("allow_sha1", [False, True])
def test_both_implementations_agree_on_the_bytes(
    pki: Pki, edoc: bytes, sign_with_signxml: Callable[..., bytes], allow_sha1: bool
) -> None:
    checked = 0
    for name, data in _cases(pki, edoc, sign_with_signxml).items():
        reference = PacketVerifier([], allow_sha1=allow_sha1, engine="signxml")
        fast = XmlsecOnly([], allow_sha1=allow_sha1, engine="xmlsec")
        for cert in _carried(data) or [pki.ec.certificate]:
            by_signxml = _outcome(partial(reference.verify, data, expected_certs=[cert]))
            by_xmlsec = _outcome(partial(fast.verify, data, expected_certs=[cert]))
            if by_xmlsec[-1] == ENGINE_NO:
                assert by_signxml[0] == "refused", (name, by_signxml)
                assert by_signxml[2] in {"digest_mismatch", "signature_mismatch",
                                         "malformed_signature"}, (name, by_signxml)
            else:
                assert by_xmlsec == by_signxml, name
            checked += by_signxml[0] == "verified"
    assert checked >= (8 if allow_sha1 else 6)  # the valid shapes did reach both implementations


@pytest.mark.parametrize("allow_sha1", [False, True])
def test_the_hub_sees_the_same_outcome_with_either_engine(
    pki: Pki, edoc: bytes, sign_with_signxml: Callable[..., bytes], allow_sha1: bool
) -> None:
    trusted = [pki.ca]
    engines = [PacketVerifier(trusted, allow_sha1=allow_sha1, engine=engine)
               for engine in ("signxml", "xmlsec")]
    for name, data in _cases(pki, edoc, sign_with_signxml).items():
        verified = [_outcome(partial(v.verify, data)) for v in engines]
        examined = [_outcome(partial(v.examine, data)) for v in engines]
        assert verified[0] == verified[1], name
        assert examined[0] == examined[1], name


def test_the_trusted_ca_file_is_what_the_hub_loads(pki: Pki, tmp_path: Any) -> None:
    """The process-wide verifier of exchange/packet_check.py takes the automatic engine."""
    from docexchange.exchange.packet_check import _verifier
    from docexchange.signing.certificates import write_certificate

    write_certificate(tmp_path / "ca.crt", pki.ca)
    assert load_certificates(tmp_path / "ca.crt") == [pki.ca]
    assert _verifier((tmp_path / "ca.crt",), False).engine == "xmlsec"
