"""Bytes -> edXML model, refusing anything hostile or malformed with DX_INVALID_PACKET.

Order of defences: size cap, a parser that never resolves entities or touches the network,
refusal of any DOCTYPE, schema validation (schema.validate), then value checks while building
the model (dates, base64, Manifest/Attachment matching). Packets are read leniently: see
layout.py for the variants accepted.
"""

from __future__ import annotations

from lxml import etree

from docexchange.edxml import layout, reader
from docexchange.edxml.layout import Element
from docexchange.edxml.model import DocumentPacket, StatusPacket
from docexchange.edxml.problems import invalid_packet
from docexchange.edxml.schema import validate
from docexchange.errors import DocExchangeError
from docexchange.xmldepth import MAX_DEPTH, deeper_than


def _hardened_parser() -> etree.XMLParser:
    """A new parser per call (lxml parsers must not be shared between threads).

    huge_tree=True lifts libxml2's 10,000,000-byte text node limit: attachments reach 20 MB in
    the field (EDXML.md §6). What bounds memory instead is the hub's packet size cap, and
    entity expansion cannot happen: any DOCTYPE is refused below and entities never resolve.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=False,
    )


def parse_xml(data: bytes) -> Element:
    """Parse bytes into an lxml root; no DTD, no entities, no network, no DOCTYPE at all."""
    if not data or not data.strip():
        raise invalid_packet("edXML", "empty body")
    try:
        root = etree.fromstring(data, _hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    if root.getroottree().docinfo.doctype or root.getroottree().docinfo.internalDTD is not None:
        raise invalid_packet("DOCTYPE", "DOCTYPE declarations are not allowed")
    if deeper_than(root):
        raise invalid_packet("edXML", f"elements nested deeper than {MAX_DEPTH} levels")
    return root


def _syntax_error(exc: etree.XMLSyntaxError) -> DocExchangeError:
    """Not XML, or over a libxml2 size limit (which the caller can act on: DX_TOO_LARGE)."""
    line = exc.lineno or 0
    if "Resource limit exceeded" in str(exc.msg):
        return DocExchangeError(
            "DX_TOO_LARGE",
            "Một phần tử của gói tin (thường là tệp đính kèm) vượt quá 10 MB văn bản.",
            "An element of the packet (usually an attachment) exceeds 10 MB of text.",
            errors=[{"element": "edXML", "reason": str(exc.msg), "line": line}],
        )
    return invalid_packet("edXML", f"not well-formed XML: {exc.msg}", line=line)


def parse_packet(data: bytes, *, max_bytes: int | None = None) -> DocumentPacket | StatusPacket:
    """Parse, validate and model a packet. Raises DX_TOO_LARGE or DX_INVALID_PACKET."""
    if max_bytes is not None and len(data) > max_bytes:
        raise DocExchangeError(
            "DX_TOO_LARGE",
            f"Gói tin vượt quá {max_bytes} byte.",
            f"The packet exceeds {max_bytes} bytes.",
        )
    return parse_root(parse_xml(data))


def parse_root(root: Element) -> DocumentPacket | StatusPacket:
    """Validate and model exactly this element (e.g. what a signature verifier returned).

    has_signature reflects this element: a verifier that strips the Signature returns an
    element without one, so set it with dataclasses.replace if needed.
    """
    validate(root)
    signed = bool(layout.signatures(root))
    if layout.is_status(root):
        return reader.status_packet(root, signed)
    return reader.document_packet(root, signed)
