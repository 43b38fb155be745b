"""Where things sit in a packet as the field writes it, and its canonical form.

Input is lenient (EDXML.md §1): root ``edXML`` or ``edXMLEnvelope``; the header named
``MessageHeader`` or ``Status``; a ``Signature`` in the QCVN or the XML-DSig namespace, inside
``edXMLHeader`` (where the spec puts it) or directly under the root or envelope (where generic
enveloped signers put it); children of any group in any order. The locating functions here
accept all of that, and ``canonical_copy`` rewrites a copy into the one shape the XSDs describe.
"""

from __future__ import annotations

import copy
from typing import TypeAlias

from lxml import etree

from docexchange.edxml.problems import invalid_packet

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

#: MessageHeader children for documents then statuses, in the order of the EDXML.md tables.
MESSAGE_HEADER_ORDER = (
    "From",
    "To",
    "DocumentId",
    "Code",
    "PromulgationInfo",
    "DocumentType",
    "Subject",
    "Content",
    "SignerInfo",
    "DueDate",
    "OtherInfo",
    "ResponseFor",
    "SteeringType",
    "ToPlaces",
    "StaffInfo",
    "StatusCode",
    "Description",
    "Timestamp",
)

_CHILD_ORDER: dict[str, tuple[str, ...]] = {
    "edXML": ("edXMLEnvelope", "AttachmentEncoded"),
    "edXMLEnvelope": ("edXMLHeader", "edXMLBody"),
    "edXMLHeader": ("MessageHeader", "TraceHeaderList"),
    "MessageHeader": MESSAGE_HEADER_ORDER,
    "TraceHeaderList": ("TraceHeader", "Bussiness"),
}

_RANKS: dict[str, dict[str, int]] = {
    f"{{{NS}}}{parent}": {f"{{{NS}}}{name}": i for i, name in enumerate(order)}
    for parent, order in _CHILD_ORDER.items()
}
_ROOTS = ("edXML", "edXMLEnvelope")
_SIGNATURES = (f"{{{NS}}}Signature", f"{{{DSIG_NS}}}Signature")

Element: TypeAlias = etree._Element


def q(local: str) -> str:
    """The QCVN-namespace tag for a local name."""
    return f"{{{NS}}}{local}"


def child(element: Element, local: str) -> Element | None:
    """The first child with this local name (iterchildren is much faster than find())."""
    return next(element.iterchildren(q(local)), None)


def local_name(element: Element) -> str:
    return str(etree.QName(element).localname)


def check_root(root: Element) -> None:
    """Refuse anything but an edXML or edXMLEnvelope root in the QCVN namespace."""
    if isinstance(root.tag, str) and root.tag in (q(name) for name in _ROOTS):
        return
    name = etree.QName(root) if isinstance(root.tag, str) else None
    found = f"{{{name.namespace}}}{name.localname}" if name and name.namespace else str(name)
    raise invalid_packet(
        name.localname if name else "?", f"root must be edXML in namespace {NS}, not {found}"
    )


def envelope(root: Element) -> Element | None:
    return root if root.tag == q("edXMLEnvelope") else child(root, "edXMLEnvelope")


def header(root: Element) -> Element | None:
    """The edXMLHeader element."""
    env = envelope(root)
    return None if env is None else child(env, "edXMLHeader")


def message_header(root: Element) -> Element | None:
    """MessageHeader, or the Status element some products write instead."""
    head = header(root)
    if head is None:
        return None
    found = child(head, "MessageHeader")
    return found if found is not None else child(head, "Status")


def is_status(root: Element) -> bool:
    """A status packet is one whose header has a StatusCode."""
    head = message_header(root)
    return head is not None and child(head, "StatusCode") is not None


def attachment_encoded(root: Element) -> Element | None:
    """AttachmentEncoded: after the envelope, or inside it when the envelope is the root."""
    found = child(root, "AttachmentEncoded")
    env = envelope(root)
    if found is None and env is not None:
        found = child(env, "AttachmentEncoded")
    return found


def signatures(root: Element) -> list[Element]:
    """Signature elements in the places we accept, in either namespace."""
    places = [root, envelope(root), header(root)]
    return [
        child
        for place in dict.fromkeys(p for p in places if p is not None)
        for child in place
        if child.tag in _SIGNATURES
    ]


def schema_view(root: Element) -> Element:
    """What to validate: the packet itself when it is already in canonical form (what the
    builder and most DMS write), otherwise a canonical copy. Saves a deep copy per packet."""
    check_root(root)
    return root if _is_canonical(root) else canonical_copy(root)


def _is_canonical(root: Element) -> bool:
    if root.tag != q("edXML") or signatures(root):
        return False
    head = message_header(root)
    if head is not None and head.tag != q("MessageHeader"):
        return False
    for element in root.iter(*_RANKS):
        rank, last = _RANKS[element.tag], 0
        for child in element:
            position = rank.get(child.tag, len(rank))  # type: ignore[call-overload]
            if position < last:
                return False
            last = position
    return True


def canonical_copy(root: Element) -> Element:
    """A copy of the packet in canonical form, for schema validation; root is not modified.

    Source line numbers survive the copy, so schema errors still point into the input.
    """
    check_root(root)
    canon = _rooted_copy(root)
    for signature in signatures(canon):
        parent = signature.getparent()
        if parent is not None:
            parent.remove(signature)
    status = message_header(canon)
    if status is not None and status.tag == q("Status"):
        status.tag = q("MessageHeader")
    for element in list(canon.iter(*(q(name) for name in _CHILD_ORDER))):
        _sort_children(element, _CHILD_ORDER[local_name(element)])
    return canon


def _rooted_copy(root: Element) -> Element:
    """Copy under an edXML root, with AttachmentEncoded next to the envelope."""
    if root.tag == q("edXML"):
        return copy.deepcopy(root)
    canon = etree.Element(q("edXML"), nsmap={None: NS})
    env = copy.deepcopy(root)
    canon.append(env)
    for attachments in env.findall(q("AttachmentEncoded")):
        canon.append(attachments)
    return canon


def _sort_children(element: Element, order: tuple[str, ...]) -> None:
    """Stable sort into order; unknown children (and comments) go last for the XSD to report."""
    rank = {q(name): index for index, name in enumerate(order)}
    children = sorted(element, key=lambda child: rank.get(child.tag, len(order)))
    element[:] = children
