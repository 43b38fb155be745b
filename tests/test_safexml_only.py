"""Every XML parse in the package goes through docexchange/safexml.py (issue 11: there were
two hardened parsers, and a third, softer one loading the XSDs).

A second parser is how a hardening rule gets lost: the next one written by copy forgets
`resolve_entities=False` or the depth cap. So no module but safexml.py may build a parser or
call lxml's (or the standard library's) parsing functions; the attack corpus
(tests/attacks/, tests/edxml/, tests/signing/) proves the rules hold at every entry point.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

import docexchange
from docexchange import safexml

ROOT = Path(docexchange.__file__).parent
#: ways to parse XML that bypass the factory
FORBIDDEN = re.compile(
    r"etree\.(XMLParser|fromstring|parse|XML|iterparse|XMLPullParser|fromstringlist|HTMLParser)\("
    r"|from lxml\.etree import|from lxml import (objectify|html)|import xml\.(etree|dom|sax)"
    r"|from xml\.(etree|dom|sax)|defusedxml")


def test_no_parser_outside_safexml() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in sorted(ROOT.rglob("*.py")) if path.name != "safexml.py"
                 or path.parent != ROOT
                 for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                 if FORBIDDEN.search(line)]
    assert not offenders, "\n".join(offenders)


def test_the_grep_sees_a_parser() -> None:
    assert FORBIDDEN.search("root = etree.fromstring(data)")
    assert FORBIDDEN.search("parser = etree.XMLParser(resolve_entities=False)")
    assert not FORBIDDEN.search("root = parse_bytes(data)")


def test_the_parser_resolves_no_entity_and_loads_no_dtd(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("S3CRET")
    data = (f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>').encode()
    root = safexml.parse_bytes(data)
    assert b"S3CRET" not in etree.tostring(root)
    assert safexml.has_doctype(root)
    external = f'<!DOCTYPE r SYSTEM "file://{tmp_path}/missing.dtd"><r/>'.encode()
    assert safexml.has_doctype(safexml.parse_bytes(external))  # parsed without fetching


def test_the_parser_keeps_the_depth_cap_and_huge_text() -> None:
    deep = b"<a>" * (safexml.MAX_DEPTH + 1) + b"</a>" * (safexml.MAX_DEPTH + 1)
    assert safexml.deeper_than(safexml.parse_bytes(deep))
    big = b"<r>" + b"A" * (11 * 1024 * 1024) + b"</r>"  # over libxml2's 10 MB text limit
    assert len(safexml.parse_bytes(big).text or "") == 11 * 1024 * 1024


def test_malformed_is_a_syntax_error() -> None:
    with pytest.raises(etree.XMLSyntaxError):
        safexml.parse_bytes(b"<r>")


def _nested(levels: int, inner: bytes = b"") -> bytes:
    return b"<a>" * levels + inner + b"</a>" * levels


def _walked_depth(root: etree._Element) -> int:
    """The reference: the deepest element level by an explicit walk (root = level 1)."""
    deepest, depth = 0, 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def test_the_depth_cap_counts_elements_only_and_stops_at_the_limit() -> None:
    at_limit = safexml.parse_bytes(_nested(safexml.MAX_DEPTH, b"text<!--c--><?pi x?>"))
    assert not safexml.deeper_than(at_limit)
    assert safexml.deeper_than(safexml.parse_bytes(_nested(safexml.MAX_DEPTH, b"<b/>")))
    assert safexml.deeper_than(safexml.parse_bytes(_nested(2000)))  # libxml2's range, no stack
    assert safexml.deeper_than(safexml.parse_bytes(_nested(3)), limit=2)
    assert not safexml.deeper_than(safexml.parse_bytes(_nested(3)), limit=3)


def test_the_depth_cap_finds_a_deep_branch_anywhere() -> None:
    """Shallow siblings first, the deep branch last, with prefixed namespaces on the way."""
    deep = b'<x:a xmlns:x="urn:x">' * (safexml.MAX_DEPTH - 1) + b"<b/>" + b"</x:a>" * (
        safexml.MAX_DEPTH - 1)
    data = b"<r>" + b"<s><t/></s>" * 50 + b"<!--c-->" + deep + b"</r>"
    root = safexml.parse_bytes(data)
    assert _walked_depth(root) == safexml.MAX_DEPTH + 1
    assert safexml.deeper_than(root)
    for limit in range(1, safexml.MAX_DEPTH + 2):
        assert safexml.deeper_than(root, limit) == (_walked_depth(root) > limit)
