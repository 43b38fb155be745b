"""Where the XML-DSig Signature sits in an edXML packet, and how to find, place and repair it.

edXML puts the enveloped Signature inside ``edXML:edXMLHeader`` after ``TraceHeaderList``.
Real files write it unprefixed inside a document whose default namespace is the QCVN one, so
the Signature and its descendants end up in the QCVN namespace; ``into_dsig_namespace`` moves
such a subtree back into the XML-DSig namespace so signxml can verify it.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from docexchange.errors import DocExchangeError

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
QCVN_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
SIGNATURE_TAGS = (f"{{{DSIG_NS}}}Signature", f"{{{QCVN_NS}}}Signature")

_ENVELOPE = f"{{{QCVN_NS}}}edXMLEnvelope"
_HEADER = f"{{{QCVN_NS}}}edXMLHeader"
_TRACE = f"{{{QCVN_NS}}}TraceHeaderList"
_END_TAG = r"</(?:[A-Za-z_][\w.\-]*:)?{local}\s*>"


def has_signature(root: etree._Element) -> bool:
    """True if the packet holds a Signature element in the XML-DSig or the QCVN namespace."""
    return next(root.iter(*SIGNATURE_TAGS), None) is not None


def single_signature(root: etree._Element) -> etree._Element:
    """The packet's only Signature element; DX_BAD_SIGNATURE when there is none or several.

    Several signatures are refused rather than guessed between: each enveloped signature
    would cover the others differently, and picking one is what wrapping attacks exploit.
    """
    found = list(root.iter(*SIGNATURE_TAGS))
    if not found:
        raise bad_signature("no_signature")
    if len(found) > 1:
        raise bad_signature("multiple_signatures")
    return found[0]


def into_dsig_namespace(signature: etree._Element) -> etree._Element:
    """Return the Signature in the XML-DSig namespace, rebuilding a QCVN-namespaced one in place.

    The copy declares XML-DSig as the default namespace, so element names stay unprefixed and
    SignedInfo canonicalises as the signer saw it, provided the signer built a standard
    XML-DSig SignedInfo and only its serialisation lost the namespace (the field's pattern).
    """
    if etree.QName(signature).namespace == DSIG_NS:
        return signature
    rebuilt = _copy_into_dsig(signature, None)
    parent = signature.getparent()
    if parent is None:
        raise bad_signature("malformed_signature")
    parent.replace(signature, rebuilt)
    return rebuilt


def signature_location(signature: etree._Element) -> str:
    """signxml's ``location``: the ElementPath from the root to the Signature's parent."""
    steps = [ancestor.tag for ancestor in signature.iterancestors()][::-1][1:]
    return "./" + "".join(f"{step}/" for step in steps)


def header_of(root: etree._Element) -> etree._Element:
    """``edXMLHeader``, under an ``edXML`` root or directly under an ``edXMLEnvelope`` root."""
    envelope = root if root.tag == _ENVELOPE else root.find(_ENVELOPE)
    header = envelope.find(_HEADER) if envelope is not None else None
    if header is None:
        raise DocExchangeError(
            "DX_INVALID_PACKET",
            "Gói tin không có phần tử edXMLHeader để đặt chữ ký.",
            "The packet has no edXMLHeader to hold the signature.",
            reason="no_header",
        )
    return header


def place_placeholder(root: etree._Element) -> tuple[etree._Element, str, bool]:
    """Insert signxml's ``<Signature Id="placeholder">`` where edXML wants the signature.

    Returns the placeholder, the local name of the end tag it follows or precedes in the
    source bytes, and whether it goes after that end tag (TraceHeaderList) or before it
    (edXMLHeader, for status packets without a trace). The source text around it is kept:
    after removal by the enveloped transform the document is exactly the original one.
    """
    header = header_of(root)
    placeholder = etree.Element(SIGNATURE_TAGS[0], nsmap={None: DSIG_NS}, Id="placeholder")
    trace = header.find(_TRACE)
    if trace is None:
        header.append(placeholder)
        return placeholder, "edXMLHeader", False
    placeholder.tail, trace.tail = trace.tail, None
    trace.addnext(placeholder)
    return placeholder, "TraceHeaderList", True


def splice(data: bytes, signature_xml: bytes, local_name: str, after: bool) -> bytes | None:
    """Insert the signature bytes next to the single end tag ``local_name`` in ``data``.

    Keeps every other byte of the sender's file. Returns None when the end tag is not found
    exactly once (another encoding, a self-closing element, a look-alike in a comment); the
    caller then re-serialises and checks the result.
    """
    matches = list(re.finditer(_END_TAG.format(local=local_name).encode(), data))
    if len(matches) != 1:
        return None
    at = matches[0].end() if after else matches[0].start()
    return data[:at] + signature_xml + data[at:]


def bad_signature(reason: str) -> DocExchangeError:
    """DX_BAD_SIGNATURE with a stable ``reason`` and its sentence in both languages."""
    message_vi, message_en = REASONS[reason]
    return DocExchangeError("DX_BAD_SIGNATURE", message_vi, message_en, reason=reason)


REASONS: dict[str, tuple[str, str]] = {
    "no_signature": (
        "Gói tin không có chữ ký số XML.",
        "The packet has no XML signature (no signature).",
    ),
    "multiple_signatures": (
        "Gói tin có nhiều hơn một chữ ký số XML; chỉ chấp nhận một chữ ký.",
        "The packet has more than one XML signature; exactly one is accepted.",
    ),
    "malformed_signature": (
        "Phần tử chữ ký không đúng cấu trúc XML-DSig.",
        "The Signature element is not well-formed XML-DSig.",
    ),
    "sha1_refused": (
        (
            "Chữ ký dùng SHA-1 không còn an toàn nên bị từ chối; "
            "hãy ký bằng rsa-sha256 hoặc ecdsa-sha256."
        ),
        "SHA-1 signatures are refused as insecure; sign with rsa-sha256 or ecdsa-sha256.",
    ),
    "unsupported_algorithm": (
        "Thuật toán chữ ký không được hỗ trợ; hãy dùng rsa-sha256 hoặc ecdsa-sha256.",
        "Unsupported signature algorithm; use rsa-sha256 or ecdsa-sha256.",
    ),
    "bad_reference": (
        'Chữ ký phải bao trùm toàn bộ gói tin (một Reference URI="").',
        'The signature must cover the whole packet (one Reference with URI="").',
    ),
    "no_certificate": (
        "Chữ ký không kèm chứng thư số (X509Certificate).",
        "The signature carries no X509Certificate.",
    ),
    "certificate_not_valid_now": (
        "Chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực.",
        "The signer's certificate has expired or is not yet valid.",
    ),
    "untrusted_certificate": (
        "Chứng thư số của người ký không do tổ chức chứng thực tin cậy cấp.",
        "The signer's certificate is not issued by a trusted certification authority.",
    ),
    "unexpected_certificate": (
        "Chứng thư số ký gói tin không phải chứng thư đã đăng ký của đơn vị gửi.",
        "The signing certificate is not one registered for the sending unit.",
    ),
    "digest_mismatch": (
        "Nội dung gói tin đã bị thay đổi sau khi ký.",
        "The packet was changed after it was signed (digest mismatch).",
    ),
    "signature_mismatch": (
        "Giá trị chữ ký không khớp với chứng thư số của người ký.",
        "The signature value does not verify with the signer's certificate.",
    ),
}


def _copy_into_dsig(source: etree._Element, parent: etree._Element | None) -> etree._Element:
    """Recursive copy renaming QCVN-namespaced elements into XML-DSig; anything else (other
    namespaces, comments) is copied untouched."""
    tag = f"{{{DSIG_NS}}}{etree.QName(source).localname}"
    if parent is None:
        target = etree.Element(tag, nsmap={None: DSIG_NS})
    else:
        target = etree.SubElement(parent, tag)
    target.attrib.update(source.attrib)
    target.text, target.tail = source.text, source.tail
    for child in source:
        if isinstance(child.tag, str) and etree.QName(child).namespace == QCVN_NS:
            _copy_into_dsig(child, target)
        else:
            target.append(copy.deepcopy(child))
    return target
