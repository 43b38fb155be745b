"""The per-certificate caches (key ids, libxmlsec1's keys) answer for the exact certificate
asked about: two certificates that differ only in their key never share an entry, and a copy
of a certificate (decoded again from its bytes) finds the same one."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from docexchange.signing import xmlsec_check
from docexchange.signing.certificates import PrivateKey, generate_private_key, key_id, public_key_id
from docexchange.signing.signature_placement import into_dsig_namespace, single_signature
from docexchange.signing.xmldsig import PacketSigner, parse_packet

from .conftest import Pki

_XMLDSIG_MORE = "http://www.w3.org/2001/04/xmldsig-more#"


def _twin(pki: Pki, key: PrivateKey) -> x509.Certificate:
    """A certificate with a fixed subject, serial and validity: twins differ only in the key."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sở Tài chính")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(pki.ca.subject)
            .public_key(key.public_key()).serial_number(4242).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=3650))
            .sign(pki.ca_key, hashes.SHA256()))


def test_certificates_differing_only_in_their_key_have_their_own_key_id(pki: Pki) -> None:
    first_key, second_key = generate_private_key(), generate_private_key()
    first, second = _twin(pki, first_key), _twin(pki, second_key)

    assert key_id(first) == public_key_id(first_key.public_key())
    assert key_id(second) == public_key_id(second_key.public_key())
    assert key_id(second) != key_id(first)
    copy = x509.load_der_x509_certificate(first.public_bytes(Encoding.DER))
    assert copy is not first and key_id(copy) == key_id(first)


def test_libxmlsec1_checks_each_certificate_with_its_own_key(pki: Pki, edoc: bytes) -> None:
    signer_key, other_key = generate_private_key(), generate_private_key()
    signer, other = _twin(pki, signer_key), _twin(pki, other_key)
    check = xmlsec_check.XmlsecCheck(frozenset({_XMLDSIG_MORE + "ecdsa-sha256"}),
                                     frozenset({"http://www.w3.org/2001/04/xmlenc#sha256"}))
    signed = PacketSigner(signer_key, signer).sign(edoc)

    def matches(certificate: x509.Certificate) -> bool:
        signature = into_dsig_namespace(single_signature(parse_packet(signed)))
        return check.matches(signature, certificate)

    assert matches(signer)
    assert not matches(other)  # after the signer's key was cached
    assert matches(x509.load_der_x509_certificate(signer.public_bytes(Encoding.DER)))
