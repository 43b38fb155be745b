"""Enveloped XML-DSig over whole edXML packets, signed and verified with signxml.

Signing inserts one unprefixed ``<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">`` in
``edXMLHeader`` after ``TraceHeaderList`` and keeps every other byte of the sender's file.

Verification returns what was signed (``VerifiedPacket.signed_root``) and callers must read the
packet from it only: it holds only nodes the digest covers (libxmlsec1's yes: the verified tree
itself without the Signature and the comments; signxml's: its canonical bytes parsed again), so
any element, comment or text an attacker added outside the signed data is not in it. Only a single
signature whose one Reference is ``URI=""`` (the whole packet) is accepted.

The bytes are checked by libxmlsec1 first (signing/xmlsec_check.py, the fast path) when
python-xmlsec is usable; signxml decides whenever libxmlsec1 does not say yes, so a refusal
always carries signxml's reason and the two implementations are held to agree on the attack
corpus (tests/signing/test_verifier_agreement.py). ``engine="signxml"`` skips the fast path.

Known limits: comments and processing instructions outside the root element are not covered
(signxml signs the root element, not the document node); a QCVN-namespaced Signature verifies
only if the signer canonicalised a standard XML-DSig SignedInfo. signxml objects are made per
call because ``XMLVerifier`` keeps per-call state on the instance, so one ``PacketVerifier``
can serve several worker threads.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    InvalidCertificate,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
    SignatureConfiguration,
    SignatureConstructionMethod,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import SignXMLException

from docexchange.errors import DocExchangeError
from docexchange.safexml import deeper_than, hardened_parser, has_doctype, parse_bytes
from docexchange.signing import xmlsec_check
from docexchange.signing.certificates import PrivateKey, key_id, same_key
from docexchange.signing.signature_placement import (
    DSIG_NS,
    bad_signature,
    has_signature,
    into_dsig_namespace,
    place_placeholder,
    signature_location,
    single_signature,
    splice,
)
from docexchange.signing.trust import CertificateTrust

__all__ = [
    "Engine", "PacketSigner", "PacketVerifier", "SignatureFailure", "VerifiedPacket",
    "has_signature",
]

#: Which implementation checks the bytes: "auto" is libxmlsec1 when usable, signxml otherwise.
Engine = Literal["auto", "xmlsec", "signxml"]

log = logging.getLogger(__name__)

_SHA2_DIGESTS = frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512})
_ACCEPTED_METHODS = frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256})
_SHA1 = "sha1"
#: Reasons that mean "the bytes are not what this certificate's key signed".
_MISMATCH_REASONS = frozenset({"digest_mismatch", "signature_mismatch"})


def parse_packet(data: bytes) -> etree._Element:
    """Parse packet bytes; DX_INVALID_PACKET when not XML or when a DOCTYPE is present."""
    try:
        root = parse_bytes(data)
    except (etree.XMLSyntaxError, ValueError, TypeError) as exc:
        raise DocExchangeError(
            "DX_INVALID_PACKET",
            "Gói tin không phải là XML hợp lệ.",
            "The packet is not well-formed XML.",
            reason="not_xml",
        ) from exc
    if has_doctype(root):
        raise DocExchangeError(
            "DX_INVALID_PACKET",
            "Gói tin chứa khai báo DOCTYPE; không được phép.",
            "DOCTYPE declarations are not allowed in packets.",
            reason="doctype_refused",
        )
    if deeper_than(root):  # signxml and our own copies recurse on depth
        raise DocExchangeError(
            "DX_INVALID_PACKET",
            "Gói tin lồng phần tử quá sâu.",
            "The packet nests elements too deeply.",
            reason="too_deep",
        )
    return root



class PacketSigner:
    """Signs packets for one unit key: rsa-sha256 or ecdsa-sha256 by key type, exclusive C14N,
    the certificate (and optional chain) in ``KeyInfo/X509Data``."""

    def __init__(
        self,
        private_key: PrivateKey,
        certificate: x509.Certificate,
        *,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        if not same_key(certificate, private_key):
            raise ValueError("the certificate does not certify this private key")
        self._key = private_key
        self._certs = [certificate, *chain]
        self._method = _signature_method_for(private_key)

    def sign(self, data: bytes) -> bytes:
        """The packet with the signature added; DX_INVALID_PACKET if it is not XML, has no
        edXMLHeader or is already signed (an enveloped signature cannot be added twice)."""
        root = parse_packet(data)
        if has_signature(root):
            raise DocExchangeError(
                "DX_INVALID_PACKET",
                "Gói tin đã có chữ ký số.",
                "The packet is already signed.",
                reason="already_signed",
            )
        _, end_tag, after = place_placeholder(root)
        signed_root = self._signxml().sign(root, key=self._key, cert=self._certs)
        return _signed_bytes(data, signed_root, end_tag, after)

    def _signxml(self) -> XMLSigner:
        signer = _HardenedSigner(
            method=SignatureConstructionMethod.enveloped,
            signature_algorithm=self._method,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        )
        signer.namespaces = {None: DSIG_NS}  # type: ignore[dict-item]  # unprefixed Signature
        return signer


class _HardenedSigner(XMLSigner):
    """signxml's signer with our parser: its own default lacks ``huge_tree``, so it could not
    re-parse a packet with a multi-MB attachment (XMLSigner.sign takes no parser argument)."""

    @property
    def parser(self) -> etree.XMLParser:
        return hardened_parser()


class _SubtreeSafeVerifier(XMLVerifier):
    """signxml's verifier, canonicalising inclusive-C14N subtrees from a re-rooted copy.

    lxml 6.1 with libxml2 2.14 emits a spurious ``xmlns=""`` on grandchildren when inclusive
    C14N is applied to a subtree whose default namespace is declared on an ancestor, which
    is exactly an unprefixed ``<Signature xmlns=...>`` around SignedInfo/Reference/Transforms
    (the field's .NET-made signatures). Canonicalising a re-parsed copy whose root carries the
    in-scope namespace declarations gives the correct bytes; C14N itself is still lxml's.
    """

    def _c14n(
        self,
        nodes: etree._Element | list[etree._Element],
        algorithm: CanonicalizationMethod,
        inclusive_ns_prefixes: list[str] | None = None,
    ) -> bytes:
        if "xml-exc-c14n" not in algorithm.value:
            listed = nodes if isinstance(nodes, list) else [nodes]
            nodes = [self._rerooted(node) for node in listed]
        return bytes(super()._c14n(nodes, algorithm, inclusive_ns_prefixes))

    def get_root(self, data: etree._Element) -> etree._Element:  # type: ignore[override]
        """The caller's tree as it is: signxml copies it (a serialise and a re-parse of the
        whole packet) only to protect it from changes, and it changes nothing in it (the
        enveloped transform works on its own copy in ``_verify_reference``)."""
        return data

    def _rerooted(self, node: etree._Element) -> etree._Element:
        if node.getparent() is None:
            return node
        return self._fromstring(self._tostring(node, with_tail=False))


@dataclass(frozen=True)
class VerifiedPacket:
    """What a valid signature covers. ``signed_root`` is the only tree callers may read."""

    signed_root: etree._Element
    certificate: x509.Certificate
    algorithm: str


@dataclass(frozen=True)
class SignatureFailure:
    """Why a signature was not verified, with what a caller needs to judge it (picklable).

    ``mismatch_key_id`` is the key id of a carried certificate, under an accepted algorithm,
    whose key the bytes do NOT match: if that certificate is registered to the sender, the
    packet was changed after signing (tampering), which the exchange refuses in every mode.
    None when the signature could not be checked at all (placeholder, SHA-1 when refused, an
    algorithm the hub does not accept, no loadable certificate, an expired one).
    """

    error: DocExchangeError
    mismatch_key_id: str | None = None


class PacketVerifier:
    """Verifies a sender's enveloped signature against trusted CAs and optional pinned certs.

    Accepts rsa-sha256 and ecdsa-sha256 (SHA-256/384/512 digests); rsa-sha1 with SHA-1 digests
    only with ``allow_sha1=True`` for legacy input (EDXML.md §1).
    """

    def __init__(
        self, trusted_ca_certs: Sequence[x509.Certificate], *, allow_sha1: bool = False,
        engine: Engine = "auto",
    ) -> None:
        """``engine="xmlsec"`` raises RuntimeError when python-xmlsec is not usable here."""
        self._trust = CertificateTrust(trusted_ca_certs)
        self._methods = _ACCEPTED_METHODS | ({SignatureMethod.RSA_SHA1} if allow_sha1 else set())
        self._digests = _SHA2_DIGESTS | ({DigestAlgorithm.SHA1} if allow_sha1 else set())
        self._fast = _fast_check(engine, self._methods, self._digests)

    @property
    def engine(self) -> str:
        """The implementation that checks matching signatures: "xmlsec" or "signxml"."""
        return "signxml" if self._fast is None else "xmlsec"

    def verify(
        self,
        data: bytes,
        *,
        expected_certs: Sequence[x509.Certificate] | None = None,
        at: datetime | None = None,
    ) -> VerifiedPacket:
        """Verify the packet's single signature; DX_BAD_SIGNATURE (with ``reason``) if it is
        missing, malformed, untrusted or does not match, DX_INVALID_PACKET if not XML.

        ``expected_certs``: the sender's registered certificates; the signer must be one.
        ``at``: the time certificates must be valid at (default now, UTC).
        """
        at = _aware(at or datetime.now(UTC))
        root = parse_packet(data)
        signature = into_dsig_namespace(single_signature(root))
        method = self._check_signed_info(signature)
        signer = self._trust.signer(_carried_certificates(signature), expected_certs, at)
        signed_root = self._verify_bytes(root, signature, signer, at)
        return VerifiedPacket(signed_root, signer, method.value.rpartition("#")[2])

    def examine(self, data: bytes, *, at: datetime | None = None
                ) -> VerifiedPacket | SignatureFailure:
        """``verify`` without pinned certificates, returning a refusal instead of raising it,
        so that the exchange can tell an uncheckable signature (the field's placeholders) from
        a checkable one that does not match. DX_INVALID_PACKET (not XML) is still raised.

        When the chain is not trusted, the bytes are still checked against the carried leaf:
        a certificate registered to the sender proves tampering whatever its chain.
        """
        return self.examine_root(parse_packet(data), at=at)

    def examine_root(self, root: etree._Element, *, at: datetime | None = None
                     ) -> VerifiedPacket | SignatureFailure:
        """``examine`` on a tree the caller already parsed (with `parse_packet`'s rules: no
        DOCTYPE, depth checked), so a large packet is parsed once, not twice. The tree is the
        caller's no more: on success ``signed_root`` is this very tree, with the Signature and
        every comment taken out (what ``URI=""`` covers); on failure a QCVN-namespaced
        Signature has been moved into the XML-DSig namespace."""
        at = _aware(at or datetime.now(UTC))
        try:
            signature = into_dsig_namespace(single_signature(root))
            method = self._check_signed_info(signature)
            carried = _carried_certificates(signature)
            signer = self._trust.signer(carried, None, at)
        except DocExchangeError as exc:
            if exc.details.get("reason") not in ("untrusted_certificate",
                                                 "certificate_not_valid_now"):
                return SignatureFailure(exc)
            return SignatureFailure(exc, self._mismatch(root, signature, carried, at))
        try:
            signed_root = self._verify_bytes(root, signature, signer, at)
        except DocExchangeError as exc:
            mismatch = exc.details.get("reason") in _MISMATCH_REASONS
            return SignatureFailure(exc, key_id(signer) if mismatch else None)
        return VerifiedPacket(signed_root, signer, method.value.rpartition("#")[2])

    def _mismatch(self, root: etree._Element, signature: etree._Element,
                  carried: Sequence[x509.Certificate], at: datetime) -> str | None:
        """The key id of the carried leaf the bytes do not match, if they do not."""
        leaf = carried[0]
        if self._fast is not None and _valid_at(leaf, at) and self._fast.matches(signature, leaf):
            return None
        try:
            self._signxml_verify(root, signature_location(signature), leaf, at)
        except DocExchangeError as exc:
            return key_id(leaf) if exc.details.get("reason") in _MISMATCH_REASONS else None
        return None

    def _check_signed_info(self, signature: etree._Element) -> SignatureMethod:
        """Refuse early, with a precise reason, what signxml would refuse anyway; signxml then
        checks the same SignedInfo cryptographically."""
        methods, references = _signed_info_parts(signature)
        algorithms = [node.get("Algorithm") for node in methods] + [
            digest.get("Algorithm") for reference in references
            for digest in reference.iterchildren(_DIGEST_METHOD)]
        uses_sha1 = any(str(uri).lower().endswith(_SHA1) for uri in algorithms if uri is not None)
        if uses_sha1 and SignatureMethod.RSA_SHA1 not in self._methods:
            raise bad_signature("sha1_refused")
        method = _signature_method_of(methods)
        if method not in self._methods:
            raise bad_signature("unsupported_algorithm")
        if len(references) != 1 or references[0].get("URI") != "":
            raise bad_signature("bad_reference")
        return method

    def _verify_bytes(self, root: etree._Element, signature: etree._Element,
                      signer: x509.Certificate, at: datetime) -> etree._Element:
        """``signed_root`` when the bytes match ``signer``'s key, else DX_BAD_SIGNATURE with
        signxml's reason. libxmlsec1's yes is taken as is; its no is never final."""
        if self._fast is not None and _valid_at(signer, at) and self._fast.matches(signature,
                                                                                 signer):
            return _signed_root(root, signature)
        return self._signxml_verify(root, signature_location(signature), signer, at)

    def _signxml_verify(
        self, root: etree._Element, location: str, signer: x509.Certificate, at: datetime
    ) -> etree._Element:
        config = SignatureConfiguration(
            location=location,
            expect_references=1,
            signature_methods=frozenset(self._methods),
            digest_algorithms=frozenset(self._digests),
            verification_time=at,
        )
        try:
            result = _SubtreeSafeVerifier().verify(
                root, x509_cert=signer, parser=hardened_parser(), expect_config=config
            )
        except SignXMLException as exc:
            raise _translate(exc) from exc
        except (etree.DocumentInvalid, ValueError, TypeError, KeyError, NotImplementedError) as exc:
            # signxml lets these escape on some malformed input (e.g. b64decode of a missing
            # text); bad input must end as a stable error, never a 500.
            log.info("malformed XML signature: %s", type(exc).__name__)
            raise bad_signature("malformed_signature") from exc
        if isinstance(result, list) or result.signed_xml is None:
            raise bad_signature("bad_reference")
        return result.signed_xml


def _fast_check(engine: Engine, methods: frozenset[SignatureMethod],
                digests: frozenset[DigestAlgorithm]) -> xmlsec_check.XmlsecCheck | None:
    if engine == "signxml" or (engine == "auto" and not xmlsec_check.available()):
        if engine == "auto":
            log.warning("python-xmlsec unusable (%s): signatures are checked by signxml only",
                        xmlsec_check.unavailable_reason())
        return None
    return xmlsec_check.XmlsecCheck(frozenset(m.value for m in methods),
                                    frozenset(d.value for d in digests))


def _valid_at(certificate: x509.Certificate, at: datetime) -> bool:
    """What signxml checks of the certificate it is given; libxmlsec1 with a bare key does not."""
    return certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc


def _signed_root(root: etree._Element, signature: etree._Element) -> etree._Element:
    """What a single ``URI=""`` enveloped Reference covers, taken out of the tree libxmlsec1
    has just verified: the whole packet without the Signature element and without comments
    (``URI=""`` never covers comments; each comment's following text joins the text before
    it, as in the canonical form). Every node left is one the digest covered, so nothing
    outside the signed data remains, and no copy of the packet is made: a canonical
    serialisation parsed again (what signxml returns) held a 200 MB packet three times over
    (bench/big_packet.py). Processing instructions stay, as canonicalisation keeps them.

    The tree is changed; callers parsed it for this call only.
    """
    parent = signature.getparent()
    assert parent is not None
    _keep_tail(signature)
    parent.remove(signature)
    for comment in list(root.iter(etree.Comment)):
        holder = comment.getparent()
        assert holder is not None  # root itself is an element, never a comment
        _keep_tail(comment)
        holder.remove(comment)
    return root


_SIGNED_INFO = f"{{{DSIG_NS}}}SignedInfo"
_SIGNATURE_METHOD = f"{{{DSIG_NS}}}SignatureMethod"
_REFERENCE = f"{{{DSIG_NS}}}Reference"
_DIGEST_METHOD = f"{{{DSIG_NS}}}DigestMethod"


def _signed_info_parts(signature: etree._Element
                       ) -> tuple[list[etree._Element], list[etree._Element]]:
    """The SignatureMethod and Reference children of every SignedInfo, in document order: one
    walk over the few children, where an XPath and two path searches cost 12 µs a packet."""
    methods: list[etree._Element] = []
    references: list[etree._Element] = []
    for info in signature.iterchildren(_SIGNED_INFO):
        for node in info.iterchildren(_SIGNATURE_METHOD, _REFERENCE):
            (references if node.tag == _REFERENCE else methods).append(node)
    return methods, references


def _keep_tail(element: etree._Element) -> None:
    """lxml's ``remove`` takes the element's tail text with it; the enveloped transform removes
    the element only, so the text that followed it moves to what precedes it."""
    if not element.tail:
        return
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + element.tail
    else:
        parent = element.getparent()
        assert parent is not None
        parent.text = (parent.text or "") + element.tail


def _signed_bytes(data: bytes, signed_root: etree._Element, end_tag: str, after: bool) -> bytes:
    """Splice the signature into the original bytes; if that is not possible (or does not land
    where signxml put it), fall back to lxml's serialisation of the whole signed tree."""
    signature = signed_root.find(f".//{{{DSIG_NS}}}Signature")
    assert signature is not None
    spliced = splice(data, _standalone(signature), end_tag, after)
    if spliced is not None and _same_place(spliced, signed_root, signature):
        return spliced
    log.warning("signature could not be spliced into the original bytes; re-serialising")
    return etree.tostring(signed_root, xml_declaration=True, encoding="UTF-8")


def _standalone(signature: etree._Element) -> bytes:
    """The Signature element alone, without the namespace declarations lxml copies from its
    ancestors (unused by exclusive C14N) and without its tail."""
    copy = parse_bytes(etree.tostring(signature, with_tail=False))
    etree.cleanup_namespaces(copy)
    return etree.tostring(copy)


def _same_place(spliced: bytes, signed_root: etree._Element, signature: etree._Element) -> bool:
    reparsed = parse_bytes(spliced)
    found = reparsed.findall(f".//{{{DSIG_NS}}}Signature")
    expected = signed_root.getroottree().getpath(signature)
    return len(found) == 1 and reparsed.getroottree().getpath(found[0]) == expected


def _carried_certificates(signature: etree._Element) -> list[x509.Certificate]:
    """Certificates in KeyInfo/X509Data; string() skips comments an attacker may insert."""
    nodes = signature.findall(
        f"{{{DSIG_NS}}}KeyInfo/{{{DSIG_NS}}}X509Data/{{{DSIG_NS}}}X509Certificate"
    )
    try:
        return [_certificate(_text_of(node)) for node in nodes]
    except (ValueError, binascii.Error) as exc:
        raise bad_signature("malformed_signature") from exc


_STRING = etree.XPath("string()", smart_strings=False)


def _text_of(node: etree._Element) -> str:
    """The element's string value; without child nodes (the usual case) it is its text."""
    return (node.text or "") if len(node) == 0 else str(_STRING(node))


#: Carried certificates longer than this (as base64 text) are decoded each time, so that the
#: cache holds at most 1024 × 16 KB; real ones are 1–2 KB.
_CACHED_CERTIFICATE_CHARS = 16 * 1024


def _certificate(encoded: str) -> x509.Certificate:
    """One carried certificate, decoded once per process: a unit carries the same one in
    every packet it signs for years, and decoding it (base64, DER) cost 8 µs a packet. Keyed
    by the exact text, so any other byte decodes afresh; failures are not cached."""
    if len(encoded) > _CACHED_CERTIFICATE_CHARS:
        return _decode_certificate.__wrapped__(encoded)
    return _decode_certificate(encoded)


@lru_cache(maxsize=1024)
def _decode_certificate(encoded: str) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(encoded))


def _signature_method_of(methods: list[etree._Element]) -> SignatureMethod | None:
    """The declared method (the first SignatureMethod); None if unknown to signxml. A missing
    one is malformed."""
    uri = methods[0].get("Algorithm") if methods else None
    if uri is None:
        raise bad_signature("malformed_signature")
    return _signature_method(uri)


@lru_cache(maxsize=64)
def _signature_method(uri: str) -> SignatureMethod | None:
    """signxml's enum member for a method URI, looked up once per URI (1 µs a packet); bounded,
    so made-up URIs only push one another out."""
    try:
        return SignatureMethod(uri)
    except (InvalidInput, ValueError):
        return None


def _aware(at: datetime) -> datetime:
    """Certificate dates are aware UTC; a naive ``at`` is taken as UTC, not local time."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _signature_method_for(key: PrivateKey) -> SignatureMethod:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return SignatureMethod.ECDSA_SHA256
    if isinstance(key, rsa.RSAPrivateKey):
        return SignatureMethod.RSA_SHA256
    raise ValueError("packets are signed with ECDSA or RSA keys")


def _translate(exc: SignXMLException) -> DocExchangeError:
    """signxml's exception text stays in the log (it may quote the input), never in messages."""
    log.info("XML signature refused by signxml: %s", type(exc).__name__)
    if isinstance(exc, InvalidDigest):
        return bad_signature("digest_mismatch")
    if isinstance(exc, InvalidCertificate):
        return bad_signature("certificate_not_valid_now")
    if isinstance(exc, InvalidSignature):
        return bad_signature("signature_mismatch")
    return bad_signature("malformed_signature")
