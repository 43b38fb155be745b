"""Bytes -> edXML model, refusing anything hostile or malformed.

Order of defences: size cap, a parser that never resolves entities or touches the network,
refusal of any DOCTYPE, schema validation (schema.validate), then value checks while building
the model (dates, base64, Manifest/Attachment matching). Packets are read leniently: see
layout.py and docs/EDXML.md §7 for the variants accepted.

Undeclared prefixes: VNPT's own test packet uses ``edXML:`` and ``xlink:`` where nothing
declares them. Such bytes are parsed a second time with exactly those two declarations supplied
on the root start tag (same line, so line numbers hold); any other undeclared prefix stays
malformed XML. Only the parsed copy sees the declarations: the caller keeps and stores the
sender's bytes. The tree remembers this through its base URL so that parse_root can say so in
a warning.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from docexchange.edxml import layout, reader
from docexchange.edxml.layout import NS, Element
from docexchange.edxml.model import DocumentPacket, PacketWarning, StatusPacket
from docexchange.edxml.problems import invalid_packet, malformed_xml
from docexchange.edxml.schema import validate
from docexchange.edxml.schema_reasons import in_vietnamese
from docexchange.errors import DocExchangeError
from docexchange.safexml import MAX_DEPTH, deeper_than, has_doctype, parse_bytes, parse_path

XLINK_NS = "http://www.w3.org/1999/xlink"
#: The only prefixes the field uses without declaring them, and what they mean.
SUPPLIED_PREFIXES = {"edXML": NS, "xlink": XLINK_NS}
_SUPPLIED_URL = "urn:docexchange:supplied-prefixes"
_UNDECLARED = re.compile(r"Namespace prefix (\S+) (?:on|for) ")
_PROLOGUE = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*<([^\s/>!?]+)", re.DOTALL
)
_ROOT_ATTRIBUTES = re.compile(rb"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*""")
_ELEMENT_IN_REASON = (
    re.compile(r"tag mismatch: (\S+) line"),
    re.compile(r"Namespace prefix \S+ (?:on|for) (?:\S+ on )?(\S+) is not defined"),
    re.compile(r"in tag (\S+) line"),
)


def parse_xml(data: bytes) -> Element:
    """Parse bytes into an lxml root; no DTD, no entities, no network, no DOCTYPE at all.

    Raises DX_MALFORMED_XML for bytes that are not well-formed XML (once ``edXML:`` and
    ``xlink:`` are supplied), DX_INVALID_PACKET for a DOCTYPE, DX_TOO_LARGE over libxml2's
    limits.
    """
    if not data or not data.strip():
        raise malformed_xml("edXML", "the body is empty", "nội dung gửi lên rỗng", 0)
    try:
        root = parse_bytes(data)
    except etree.XMLSyntaxError as exc:
        root = _with_supplied_prefixes(data, exc)
    return _checked(root)


def parse_xml_file(path: Path) -> Element:
    """`parse_xml` of a spooled body, which libxml2 reads from its file in small pieces, so a
    worker never holds a large packet as bytes beside its tree. A file that does not parse
    as it is (undeclared prefixes, or not XML) is read and handled exactly as bytes are."""
    try:
        root = parse_path(path)
    except etree.XMLSyntaxError:
        return parse_xml(path.read_bytes())
    return _checked(root)


def _checked(root: Element) -> Element:
    """The refusals every parsed packet goes through: a DOCTYPE, and nesting too deep."""
    if has_doctype(root):
        raise invalid_packet(
            "DOCTYPE",
            "DOCTYPE declarations are not allowed",
            reason_vi="không được phép có khai báo DOCTYPE",
        )
    if deeper_than(root):
        raise invalid_packet("edXML", f"elements nested deeper than {MAX_DEPTH} levels",
                             reason_vi=f"các phần tử lồng sâu quá {MAX_DEPTH} cấp")
    return root


def _with_supplied_prefixes(data: bytes, first: etree.XMLSyntaxError) -> Element:
    """The second parse for undeclared ``edXML:``/``xlink:``; anything else is malformed."""
    match = _UNDECLARED.match(str(first.msg))
    declared = _declare_missing(data) if match and match[1] in SUPPLIED_PREFIXES else None
    if declared is None:
        raise _syntax_error(first)
    try:
        return parse_bytes(declared, base_url=_SUPPLIED_URL)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None


def _declare_missing(data: bytes) -> bytes | None:
    """data with xmlns:edXML / xmlns:xlink added to the root start tag where it lacks them;
    None when the root tag cannot be found in an ASCII-compatible encoding."""
    prologue = _PROLOGUE.match(data)
    if prologue is None:
        return None
    attributes = _ROOT_ATTRIBUTES.match(data, prologue.end())
    start_tag = data[prologue.start(1) : attributes.end() if attributes else prologue.end()]
    extra = b"".join(
        f' xmlns:{prefix}="{uri}"'.encode()
        for prefix, uri in SUPPLIED_PREFIXES.items()
        if f"xmlns:{prefix}".encode() not in start_tag
    )
    return data[: prologue.end()] + extra + data[prologue.end() :] if extra else None


def supplied_prefixes(root: Element) -> bool:
    """Whether this tree was parsed with the ``edXML:``/``xlink:`` declarations supplied."""
    return root.getroottree().docinfo.URL == _SUPPLIED_URL


def _syntax_error(exc: etree.XMLSyntaxError) -> DocExchangeError:
    """Not XML, or over a libxml2 size limit (which the caller can act on: DX_TOO_LARGE)."""
    line = exc.lineno or 0
    reason = str(exc.msg)
    if "Resource limit exceeded" in reason:
        return DocExchangeError(
            "DX_TOO_LARGE",
            "Một phần tử của gói tin (thường là tệp đính kèm) vượt quá 10 MB văn bản.",
            "An element of the packet (usually an attachment) exceeds 10 MB of text.",
            errors=[{"element": "edXML", "reason": reason, "line": line}],
        )
    reason = re.sub(r", line \d+, column \d+$", "", reason)
    element = next((m[1] for p in _ELEMENT_IN_REASON if (m := p.search(reason))), "edXML")
    column = exc.position[1] if exc.position else 0
    return malformed_xml(element, reason, in_vietnamese(reason), line, column)


def parse_packet(data: bytes, *, max_bytes: int | None = None) -> DocumentPacket | StatusPacket:
    """Parse, validate and model a packet. Raises DX_TOO_LARGE, DX_MALFORMED_XML or
    DX_INVALID_PACKET."""
    if max_bytes is not None and len(data) > max_bytes:
        raise DocExchangeError(
            "DX_TOO_LARGE",
            f"Gói tin vượt quá {max_bytes} byte.",
            f"The packet exceeds {max_bytes} bytes.",
        )
    return parse_root(parse_xml(data))


def parse_root(root: Element, *, contents: bool = True) -> DocumentPacket | StatusPacket:
    """Validate and model exactly this element (e.g. what a signature verifier returned).

    has_signature reflects this element: a verifier that strips the Signature returns an
    element without one, so set it with dataclasses.replace if needed. warnings gather what
    the parser, the schema step and the reader each read leniently. ``contents=False``:
    attachments are checked but their content not decoded (the exchange stores the bytes).
    """
    status, signed = layout.is_status(root), bool(layout.signatures(root))
    notes = list(validate(root, status=status, signed=signed))
    if supplied_prefixes(root):
        notes.insert(0, _prefixes_supplied())
    if status:
        return reader.status_packet(root, signed, notes)
    return reader.document_packet(root, signed, notes, contents=contents)


def _prefixes_supplied() -> PacketWarning:
    return PacketWarning(
        "edXML",
        "undeclared_prefix",
        "Gói tin dùng tiền tố edXML: hoặc xlink: mà không khai báo; hub đọc chúng theo "
        "QCVN 102:2016 và XLink, gói tin được lưu nguyên như đã gửi.",
        "The packet uses the edXML: or xlink: prefix without declaring it; the hub read them "
        "as QCVN 102:2016 and XLink, and stores the packet exactly as sent.",
    )
