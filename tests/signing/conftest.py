"""Keys, certificates and packets for the signing tests, all generated at test time.

The PKI is built once per session (RSA key generation is slow) into a temporary folder; tests
that change key files build their own keys/ folder in ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner

from docexchange.signing.certificates import (
    PrivateKey,
    create_ca,
    generate_private_key,
    issue_certificate,
)
from docexchange.signing.signature_placement import DSIG_NS, place_placeholder
from docexchange.signing.xmldsig import PacketSigner, PacketVerifier, parse_packet

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PROVINCE = "000.00.00.H45"
QCVN = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


@dataclass(frozen=True)
class Signer:
    key: PrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class Pki:
    ca_key: PrivateKey
    ca: x509.Certificate
    ec: Signer
    rsa: Signer
    other_ca: x509.Certificate
    stranger: Signer  # issued by other_ca, not by the trusted CA


def _issue(ca_key: PrivateKey, ca: x509.Certificate, algorithm: str, name: str) -> Signer:
    key = generate_private_key(algorithm)
    cert = issue_certificate(
        ca_key, ca, common_name=name, organ_id=PROVINCE, public_key=key.public_key()
    )
    return Signer(key, cert)


@pytest.fixture(scope="session")
def pki() -> Pki:
    ca_key = generate_private_key("ec-p256")
    ca = create_ca("Test CA", ca_key)
    other_key = generate_private_key("ec-p256")
    other_ca = create_ca("Other CA", other_key)
    return Pki(
        ca_key,
        ca,
        ec=_issue(ca_key, ca, "ec-p256", "UBND tỉnh Phú Yên (EC)"),
        rsa=_issue(ca_key, ca, "rsa-2048", "UBND tỉnh Phú Yên (RSA)"),
        other_ca=other_ca,
        stranger=_issue(other_key, other_ca, "ec-p256", "Kẻ mạo danh"),
    )


@pytest.fixture(params=["ec", "rsa"])
def unit(request: pytest.FixtureRequest, pki: Pki) -> Signer:
    signer: Signer = getattr(pki, request.param)
    return signer


@pytest.fixture(scope="session")
def edoc() -> bytes:
    return (SAMPLES / "edoc_new.edxml").read_bytes()


@pytest.fixture(scope="session")
def status_packet() -> bytes:
    return (SAMPLES / "status_01_arrived.edxml").read_bytes()


@pytest.fixture(scope="session")
def signed_edoc(pki: Pki, edoc: bytes) -> bytes:
    return PacketSigner(pki.ec.key, pki.ec.certificate).sign(edoc)


@pytest.fixture
def verifier(pki: Pki) -> PacketVerifier:
    return PacketVerifier([pki.ca])


class LegacySigner(XMLSigner):
    """signxml refuses to produce SHA-1 signatures; this test-only subclass lifts the check to
    build the legacy rsa-sha1 input the 2016 sample circulates with."""

    def check_deprecated_methods(self) -> None:
        return None


@pytest.fixture
def sign_with_signxml() -> Callable[..., bytes]:
    """Sign in the edXML place with arbitrary signxml settings (legacy or odd signatures)."""

    def sign(
        data: bytes,
        signer: Signer,
        *,
        method: SignatureMethod,
        digest: DigestAlgorithm,
        c14n: CanonicalizationMethod = CanonicalizationMethod.CANONICAL_XML_1_0,
        reference_uri: str | None = None,
    ) -> bytes:
        root = parse_packet(data)
        place_placeholder(root)
        xml_signer = LegacySigner(
            signature_algorithm=method, digest_algorithm=digest, c14n_algorithm=c14n
        )
        xml_signer.namespaces = {None: DSIG_NS}  # type: ignore[dict-item]
        signed = xml_signer.sign(
            root, key=signer.key, cert=[signer.certificate], reference_uri=reference_uri
        )
        return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")

    return sign
