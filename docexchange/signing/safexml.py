"""A hardened lxml parser for signature work: no DTD, no entities, no network.

Kept inside ``signing`` so that signing does not depend on the packet model; the rules are the
same as the edxml parser's. A fresh parser is made per call because lxml parser objects hold
per-parse state and serialise concurrent use.
"""

from __future__ import annotations

from lxml import etree

from docexchange.errors import DocExchangeError
from docexchange.xmldepth import deeper_than


def hardened_parser() -> etree.XMLParser:
    """Entities stay unresolved, DTDs are neither loaded nor fetched.

    ``huge_tree`` is on because a base64 attachment of a few MB exceeds libxml2's 10 MB text
    node limit; the byte size of a packet is bounded before it reaches us, and with entities
    off there is no expansion attack left for that limit to stop.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
    )


def parse_packet(data: bytes) -> etree._Element:
    """Parse packet bytes; DX_INVALID_PACKET when not XML or when a DOCTYPE is present."""
    try:
        root = etree.fromstring(data, parser=hardened_parser())
    except (etree.XMLSyntaxError, ValueError, TypeError) as exc:
        raise DocExchangeError(
            "DX_INVALID_PACKET",
            "Gói tin không phải là XML hợp lệ.",
            "The packet is not well-formed XML.",
            reason="not_xml",
        ) from exc
    if _has_dtd(root):
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


def _has_dtd(root: etree._Element) -> bool:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return True
    return any(True for _ in root.iter(etree.Entity))
