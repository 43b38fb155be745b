"""Where things sit in a packet as the field writes it, and its canonical form.

Input is lenient (EDXML.md §1 and §7): root ``edXML`` or ``edXMLEnvelope``; the header named
``MessageHeader`` or ``Status``; a ``Signature`` in the QCVN or the XML-DSig namespace, inside
``edXMLHeader`` (where the spec puts it) or directly under the root or envelope (where generic
enveloped signers put it); children of any group in any order; ``Business…`` spellings; blank
``ResponseFor`` forms; elements and attributes of the QCVN and XLink namespaces that the hub
does not know. The locating functions here accept all of that, and ``canonical_copy`` rewrites a
copy into the one shape the XSDs describe, saying what it left out.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from lxml import etree

from docexchange.edxml.model import PacketWarning
from docexchange.edxml.problems import invalid_packet

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XLINK_NS = "http://www.w3.org/1999/xlink"


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
    "ResponseForTask",
    "ApplicationType",
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

_ROOTS = ("edXML", "edXMLEnvelope")
_SIGNATURES = (f"{{{NS}}}Signature", f"{{{DSIG_NS}}}Signature")
#: Bkav's parser reads both spellings; the XSDs know the field's misspelt one.
_SPELLINGS = {
    f"{{{NS}}}{right}": f"{{{NS}}}{spelt}"
    for right, spelt in (
        ("Business", "Bussiness"),
        ("BusinessDocType", "BussinessDocType"),
        ("BusinessDocReason", "BussinessDocReason"),
        ("BusinessDocumentInfo", "BussinessDocumentInfo"),
    )
}
#: xlink attributes the XSD declares on Reference (the .NET SDK writes them).
_KNOWN_XLINK = frozenset(f"{{{XLINK_NS}}}{name}" for name in ("href", "role", "type"))
_QCVN = f"{{{NS}}}"
_LENIENT_NAMESPACES = (_QCVN, f"{{{XLINK_NS}}}")

Element: TypeAlias = etree._Element


@dataclass(frozen=True)
class KnownChildren:
    """What the XSDs declare (local names): the children of each element, and every element
    name of either packet kind. A QCVN element is *unknown* when its name is declared nowhere:
    a known element in the wrong place (a body in a status) is left for the XSD to refuse."""

    of: Mapping[str, frozenset[str]]
    anywhere: frozenset[str]


class _Qualified(dict[str, str]):
    """Local name -> QCVN tag, built once per name: the locators below run a few dozen times
    per packet, and formatting the tag each time was a fifth of their cost."""

    def __missing__(self, local: str) -> str:
        self[local] = tag = f"{{{NS}}}{local}"
        return tag


_QUALIFIED = _Qualified()


def q(local: str) -> str:
    """The QCVN-namespace tag for a local name."""
    return _QUALIFIED[local]


def child(element: Element, local: str) -> Element | None:
    """The first child with this local name (iterchildren is much faster than find())."""
    return next(element.iterchildren(_QUALIFIED[local]), None)


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


_ENVELOPE = f"{{{NS}}}edXMLEnvelope"
_HEADER = f"{{{NS}}}edXMLHeader"


def envelope(root: Element) -> Element | None:
    return root if root.tag == _ENVELOPE else next(root.iterchildren(_ENVELOPE), None)


def header(root: Element) -> Element | None:
    """The edXMLHeader element."""
    env = envelope(root)
    return None if env is None else next(env.iterchildren(_HEADER), None)


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
    env = envelope(root)
    head = None if env is None else next(env.iterchildren(_HEADER), None)
    places = dict.fromkeys(p for p in (root, env, head) if p is not None)
    return [child for place in places for child in place.iterchildren(*_SIGNATURES)]


def is_blank(element: Element) -> bool:
    """No text anywhere inside (comments aside): a form left empty, e.g. a blank ResponseFor."""
    return not any(
        (node.text or "").strip()
        for node in element.iter()
        if isinstance(node.tag, str)
    )


def worth_validating_in_place(root: Element) -> bool:
    """Whether the packet may already be in the XSDs' shape (what the builder and most DMS
    write): then it is validated as it is, without a deep copy, and only copied when that
    fails. A Signature or an edXMLEnvelope root always needs the copy."""
    return root.tag == q("edXML") and not signatures(root)


def canonical_copy(
    root: Element, known: KnownChildren | None = None
) -> tuple[Element, tuple[PacketWarning, ...]]:
    """A copy of the packet in canonical form, for schema validation; root is not modified.

    With ``known`` (from the XSDs) the copy also leaves out the leniencies of §7: unknown
    elements and attributes of the QCVN and XLink namespaces, blank document ResponseFor
    forms; each left-out unknown name is returned as a warning. Elements of any other
    namespace stay, for the XSD to judge. Source line numbers survive the copy, so schema
    errors still point into the input.
    """
    check_root(root)
    canon = _rooted_copy(root)
    for signature in signatures(canon):
        parent = signature.getparent()
        if parent is not None:
            parent.remove(signature)
    head = message_header(canon)
    if head is not None and head.tag == q("Status"):
        head.tag = q("MessageHeader")
    for element in canon.iter(*_SPELLINGS):
        element.tag = _SPELLINGS[str(element.tag)]
    notes: tuple[PacketWarning, ...] = ()
    if known is not None:
        if head is not None and not is_status(canon):
            _drop_blank_response_for(head)
        notes = _drop_unknown(canon, known)
    for element in list(canon.iter(*(q(name) for name in _CHILD_ORDER))):
        _sort_children(element, _CHILD_ORDER[local_name(element)])
    return canon, notes


def _drop_blank_response_for(head: Element) -> None:
    """The reader skips (and notes) these; the schema must not see them either."""
    for element in list(head.iterchildren(q("ResponseFor"))):
        if is_blank(element):
            head.remove(element)


def _drop_unknown(canon: Element, known: KnownChildren) -> tuple[PacketWarning, ...]:
    """Remove unknown QCVN children of known parents and unknown QCVN/xlink attributes."""
    dropped: dict[str, tuple[int, int]] = {}  # name -> (first line, count)

    def note(name: str, line: int | None) -> None:
        first, count = dropped.get(name, (line or 0, 0))
        dropped[name] = (first, count + 1)

    stack = [canon]
    while stack:
        element = stack.pop()
        for attribute in list(element.attrib):
            if attribute.startswith(_LENIENT_NAMESPACES) and not (
                attribute in _KNOWN_XLINK and element.tag == q("Reference")
            ):
                note("@" + str(etree.QName(attribute).localname), element.sourceline)
                del element.attrib[attribute]
        allowed = known.of.get(local_name(element)) if element.tag.startswith(_QCVN) else None
        for child in list(element):
            if not isinstance(child.tag, str):
                continue
            name = local_name(child)
            if (
                allowed is not None
                and child.tag.startswith(_QCVN)
                and name not in allowed
                and name not in known.anywhere
            ):
                note(name, child.sourceline)
                element.remove(child)
            else:
                stack.append(child)
    in_order = sorted(dropped.items(), key=lambda item: item[1][0])
    return tuple(_unknown(name, line, count) for name, (line, count) in in_order)


def _unknown(name: str, line: int, count: int) -> PacketWarning:
    times_vi = f", {count} lần" if count > 1 else ""
    times_en = f", {count} times" if count > 1 else ""
    return PacketWarning(
        name,
        "unknown_element_ignored" if not name.startswith("@") else "unknown_attribute_ignored",
        f"{name} (từ dòng {line}{times_vi}) không có trong QCVN 102:2016 mà hub biết; hub bỏ "
        "qua nó khi đọc, gói tin vẫn được lưu nguyên.",
        f"{name} (from line {line}{times_en}) is not part of QCVN 102:2016 as the hub knows "
        "it; the hub ignored it when reading, and stores the packet unchanged.",
    )


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
