"""Every text of a packet where a secrecy mark may be written, read from the parsed XML tree.

Why the tree and not the model: the model keeps one value per field and drops what it does not
need (a Manifest Reference's name when its Attachment has one, comments, unknown elements), and
a mark in any of those would travel and be stored with the packet's bytes. So the guard reads
every element's text, every attribute value and every comment or processing instruction, of
document and status packets alike, before the schema or the signature is looked at.

Skipped: the base64 values (attachment payload ContentTransferEncoded; XML-DSig/XAdES
digests, signature values, certificates), and only while they hold nothing but base64: a base64
line may spell "MAT" by chance, and nobody writes a mark in base64. docs/secrecy.md lists the
fields a person writes; keep it in step.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from docexchange.edxml.layout import Element
from docexchange.exchange.secrecy import SecrecyFinding, mark_in

__all__ = ["BASE64_ELEMENTS", "packet_marks", "secrecy_fields"]

#: Local names whose value is base64 (edXML payload, the .NET SDK's DigitalSignature, XML-DSig,
#: XAdES).
BASE64_ELEMENTS = frozenset({
    "ContentTransferEncoded", "DigitalSignature", "SignatureValue", "DigestValue",
    "X509Certificate", "X509CRL", "X509SKI", "Modulus", "Exponent",
    "EncapsulatedX509Certificate", "EncapsulatedCRLValue", "EncapsulatedOCSPValue",
    "EncapsulatedTimeStamp",
})
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
#: The same set as bytes, for ASCII texts: what ``\s`` matches in ASCII is listed in full.
_BASE64_BYTES = (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
                 b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")
#: Up to this many characters a base64 text is checked as a bytes copy (2.5 times faster than
#: the regex); a larger one (a big attachment) by the regex, which copies nothing.
_COPIED_BASE64 = 64 * 1024
#: Markup inside a comment: DMS comment out whole elements ("<!--<Subject>…</Subject>-->"), so
#: tags are set on lines of their own and each commented-out element's text is a line too.
_TAG = re.compile(r"<[^<>]*>")

#: More findings than this add nothing to the refusal.
MAX_FINDINGS = 20

#: Above this many attributes on one element they are read through XPath (linear), not
#: items() (20,000 attributes took 0.6 s there and stalled the event loop).
_FEW_ATTRIBUTES = 32

Place = tuple[etree._Element, str | None]  # a node and, for an attribute value, its name


def secrecy_fields(root: Element) -> Iterator[tuple[Place, str]]:
    """(place, text) for every text of the document containing ``root``: elements' texts and
    attribute values in document order, then comments and processing instructions.

    An element's text is all its own text nodes joined (a comment or child element inside
    ``<Subject>[<!---->MẬT]</Subject>`` must not split a mark in two). Flat loops filtered by
    lxml: this runs on every packet, so it stays cheaper than the rest of the inspection.
    """
    elements = list(root.iter(etree.Element))  # alive, so getparent() returns these objects
    joined = _with_text_between_children(root)
    for node in elements:
        text = node.text
        if joined and node in joined:
            text = "".join([text or "", *(child.tail or "" for child in node)])
        if text and not text.isspace() and not (_holds_base64(node.tag) and _is_base64(text)):
            yield (node, None), text
        if node.keys():
            if len(node.attrib) <= _FEW_ATTRIBUTES:
                for name, value in node.items():
                    yield (node, str(name)), value
            else:  # lxml's items() looks each value up by name: quadratic in their number
                for value in node.xpath("@*"):
                    yield (node, str(value.attrname)), str(value)
    others = (etree.Comment, etree.ProcessingInstruction)
    outside = [*root.itersiblings(*others, preceding=True), *root.itersiblings(*others)]
    for node in (*outside, *root.iter(*others)):
        if node.text:
            yield (node, None), _TAG.sub("\n\\g<0>\n", node.text)


def _with_text_between_children(root: Element) -> set[etree._Element]:
    """The elements with text after a child (a child's tail that is not blank): one pass over
    every node's tail, instead of looking through each element's children in turn."""
    return {node.getparent() for node in root.iter()
            if (tail := node.tail) and not tail.isspace() and node is not root}


@lru_cache(maxsize=1024)
def _holds_base64(tag: object) -> bool:
    """Whether an element of this tag (any namespace) holds a base64 value."""
    return isinstance(tag, str) and tag.rpartition("}")[2] in BASE64_ELEMENTS


def _is_base64(text: str) -> bool:
    """Only base64 letters and whitespace (``_BASE64``)."""
    if len(text) <= _COPIED_BASE64 and text.isascii():
        return not text.encode("ascii").translate(None, _BASE64_BYTES)
    return _BASE64.fullmatch(text) is not None


def packet_marks(root: Element) -> tuple[SecrecyFinding, ...]:
    """The secrecy marks anywhere in the packet (at most MAX_FINDINGS), each with its path.

    Most texts are ASCII without "mat" (codes, numbers, URIs): they are passed over here with
    the test ``may_fold_to_mat`` would make first, without the two calls it takes to get there.
    """
    findings: list[SecrecyFinding] = []
    for place, text in secrecy_fields(root):
        if text.isascii() and "mat" not in (lowered := text.lower()) and "rnat" not in lowered:
            continue
        mark = mark_in(text)
        if mark is not None:
            findings.append(SecrecyFinding(field=element_path(*place), mark=mark))
            if len(findings) == MAX_FINDINGS:
                break
    return tuple(findings)


def element_path(node: etree._Element, attribute: str | None = None) -> str:
    """An XPath-like path with local names: "/edXML/.../Reference[2]/Description", "…/@Id",
    "…/comment()". Built only for a finding: walking up is cheap once, not for every node."""
    steps: list[str] = []
    if attribute is not None:
        steps.append("@" + attribute.rpartition("}")[2])
    current: etree._Element | None = node
    while current is not None:
        steps.append(_step(current))
        current = current.getparent()
    return "/" + "/".join(reversed(steps))


def _step(node: etree._Element) -> str:
    if not isinstance(node.tag, str):
        return "comment()" if isinstance(node, etree._Comment) else "processing-instruction()"
    parent = node.getparent()
    if parent is None:
        return _local(node)
    same = [sibling for sibling in parent.iterchildren(node.tag)]
    return _local(node) if len(same) == 1 else f"{_local(node)}[{same.index(node) + 1}]"


def _local(node: etree._Element) -> str:
    return str(node.tag).rpartition("}")[2]
