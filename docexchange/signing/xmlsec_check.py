"""The fast yes of signature verification: libxmlsec1 (python-xmlsec), XML-DSig's C reference
implementation, run on the tree lxml already parsed.

Why: signxml serialises and re-parses the packet and its signature about six times per
verification and holds the GIL throughout; libxmlsec1 checks the same signature in C on the
parsed tree, about twice as fast for a 5 KB packet (bench/bench_verify.py). It answers only yes
or no: a yes means the bytes match the certificate's key under the algorithms allowed here; on a
no the caller asks signxml, which names the reason (digest or signature mismatch, malformed),
so refusals read exactly as before and only the common case takes the fast path.

The allowed transforms are listed, never left open: SignedInfo may use a C14N method and one of
the accepted signature methods; the Reference may use only the enveloped transform, C14N
without comments and an accepted digest. XPath, XSLT, base64 and the like are refused by
libxmlsec1 itself. The key is the certificate the caller chose (trust is decided elsewhere), so
libxmlsec1 never reads KeyInfo and never touches the network.

python-xmlsec refuses to import when its libxml2 differs from lxml's (each of its wheels
matches one lxml release): then ``available()`` is False and every packet goes to signxml.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from lxml import etree

log = logging.getLogger(__name__)

try:
    import xmlsec

    _IMPORT_ERROR: str | None = None
except Exception as exc:  # xmlsec.InternalError on a libxml2 mismatch, ImportError if absent
    xmlsec = None  # type: ignore[assignment]
    _IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

_XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
_XMLDSIG_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
_XMLENC = "http://www.w3.org/2001/04/xmlenc#"
_C14N_WITHOUT_COMMENTS = (
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/2006/12/xml-c14n11",
)


def available() -> bool:
    """True when python-xmlsec imported and its libxml2 is lxml's."""
    return xmlsec is not None


def unavailable_reason() -> str | None:
    """Why python-xmlsec cannot be used here (for the log and the benchmark), or None."""
    return _IMPORT_ERROR


def _transforms() -> dict[str, Any]:
    """Algorithm URI -> libxmlsec1 transform, for what the hub may accept at all."""
    c = xmlsec.constants
    return {
        _C14N_WITHOUT_COMMENTS[0]: c.TransformExclC14N,
        _C14N_WITHOUT_COMMENTS[1]: c.TransformInclC14N,
        _C14N_WITHOUT_COMMENTS[2]: c.TransformInclC14N11,
        _XMLDSIG + "enveloped-signature": c.TransformEnveloped,
        _XMLDSIG_MORE + "rsa-sha256": c.TransformRsaSha256,
        _XMLDSIG_MORE + "ecdsa-sha256": c.TransformEcdsaSha256,
        _XMLDSIG + "rsa-sha1": c.TransformRsaSha1,
        _XMLENC + "sha256": c.TransformSha256,
        _XMLDSIG_MORE + "sha384": c.TransformSha384,
        _XMLENC + "sha512": c.TransformSha512,
        _XMLDSIG + "sha1": c.TransformSha1,
    }


class XmlsecCheck:
    """Checks enveloped signatures with libxmlsec1 under fixed algorithm lists (thread-safe:
    a context per call; keys are cached and copied into each context by libxmlsec1)."""

    def __init__(self, methods: frozenset[str], digests: frozenset[str]) -> None:
        """``methods``/``digests``: the accepted SignatureMethod and DigestMethod URIs."""
        if xmlsec is None:
            raise RuntimeError(f"python-xmlsec is not usable here: {_IMPORT_ERROR}")
        known = _transforms()
        c14n = [known[uri] for uri in _C14N_WITHOUT_COMMENTS]
        with_comments = [xmlsec.constants.TransformExclC14NWithComments,
                         xmlsec.constants.TransformInclC14NWithComments,
                         xmlsec.constants.TransformInclC14N11WithComments]
        self._signature_transforms = [*c14n, *with_comments,
                                      *(known[uri] for uri in methods if uri in known)]
        self._reference_transforms = [known[_XMLDSIG + "enveloped-signature"], *c14n,
                                      *(known[uri] for uri in digests if uri in known)]

    def matches(self, signature: etree._Element, certificate: x509.Certificate) -> bool:
        """True if ``signature`` (in the XML-DSig namespace, inside its packet's tree) verifies
        with ``certificate``'s key; False for any mismatch or anything libxmlsec1 refuses."""
        context = xmlsec.SignatureContext()
        for transform in self._signature_transforms:
            context.enable_signature_transform(transform)
        for transform in self._reference_transforms:
            context.enable_reference_transform(transform)
        context.key = _key(certificate)
        try:
            context.verify(signature)
        except xmlsec.Error as exc:
            log.debug("libxmlsec1 did not verify the signature: %s", type(exc).__name__)
            return False
        return True


@lru_cache(maxsize=1024)
def _key(certificate: x509.Certificate) -> Any:
    """The certificate's bare public key: a context copies the key it is given, and copying one
    loaded from a certificate copies its X.509 data too (0.04 ms, a fifth of a verification);
    loading costs as much again, and a unit signs with the same key for years. Keyed by the
    certificate (equal exactly when its DER bytes are), so exporting the key (3 µs) is not
    paid per packet either."""
    der = certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return xmlsec.Key.from_memory(der, xmlsec.constants.KeyDataFormatDer)
