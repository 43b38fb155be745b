"""Schema validation of edXML packets against the project's own XSDs.

No official XSD exists; xsd/edxml-document.xsd and xsd/edxml-status.xsd (sharing
xsd/edxml-common.xsd) are written from docs/EDXML.md and carry its length limits. They live in
the package (package data), so an installed wheel validates exactly as a checkout does.

Design for lenient input: the XSDs describe ONE canonical shape, and ``validate`` checks the
packet itself first (no deep copy for what the builder and most DMS write: every difference
``canonical_copy`` would make fails the XSD in place). When that fails, or the packet is signed
or rooted at edXMLEnvelope, it validates a normalised copy
made by ``layout.canonical_copy`` (root edXML, Status renamed MessageHeader, Signature elements
removed, ``Business…`` spellings renamed, blank ResponseFor forms and unknown QCVN/XLink
elements and attributes left out, edXMLHeader / MessageHeader / TraceHeaderList children put in
table order), and reports that copy's errors. Groups whose children occur at most once use
``xs:all``, so they need no reordering. This keeps cardinalities (exactly one DocumentId, at
least one To, ...) in the schema rather than in Python, and the builder's output validates as
is. Which children are "known" is read from the XSDs themselves, so there is one list.
Signatures are verified elsewhere (docexchange.signing), never by the schema.

The compiled schemas are cached for the life of the process. lxml keeps a validator's error log
on the schema object, so validation runs under a lock to keep concurrent threads' errors apart.
"""

from __future__ import annotations

import functools
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from docexchange.edxml import layout
from docexchange.edxml.model import PacketWarning
from docexchange.edxml.problems import invalid_packet_many, no_recipient
from docexchange.safexml import parse_file

_LOCK = threading.Lock()
_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '[^']*')?: ")
#: "{http://...}Name" in libxml2's messages; never a regex quantifier such as \d{4}.
_NAMESPACE = re.compile(r"\{[a-z][a-z0-9+.-]*:[^}]*\}")
_XS = "{http://www.w3.org/2001/XMLSchema}"
_PREFIX = re.compile(r"(?<=/)[A-Za-z_][\w.-]*:")
_MAX_REASON = 300


def schema_dir() -> Path:
    """The package's xsd/ folder, wherever the package is installed (wheel or checkout)."""
    return Path(str(resources.files("docexchange.edxml").joinpath("xsd")))


@functools.cache
def _schema(kind: str) -> etree.XMLSchema:
    """Compiled schema for "document" or "status", loaded on first use."""
    return etree.XMLSchema(parse_file(schema_dir() / f"edxml-{kind}.xsd"))


def warm(kind: str) -> None:
    """Compile the schema of ``kind`` and its declared children now (a worker's start)."""
    _schema(kind)
    known_children(kind)


@functools.cache
def known_children(kind: str) -> layout.KnownChildren:
    """Element name -> the child names the XSDs of that kind declare for it (union over the
    types the name is used with; elements of simple or open content are absent), and every
    element name either kind declares, plus Signature (refused where it does not belong)."""
    of = _declared_children(("edxml-common.xsd", f"edxml-{kind}.xsd"))
    both = _declared_children(("edxml-common.xsd", "edxml-document.xsd", "edxml-status.xsd"))
    anywhere = {name for names in both.values() for name in names} | set(both) | {"Signature"}
    return layout.KnownChildren(of, frozenset(anywhere))


def _declared_children(files: tuple[str, ...]) -> dict[str, frozenset[str]]:
    trees = [parse_file(schema_dir() / name) for name in files]
    types = {
        str(complex_type.get("name")): _declared(complex_type)
        for tree in trees
        for complex_type in tree.iter(f"{_XS}complexType")
        if complex_type.get("name")
    }
    known: dict[str, frozenset[str]] = {}
    for tree in trees:
        for element in tree.iter(f"{_XS}element"):
            anonymous = element.find(f"{_XS}complexType")
            names = types.get((element.get("type") or "").partition(":")[2], frozenset())
            names |= _declared(anonymous) if anonymous is not None else frozenset()
            if names and element.get("name"):
                name = str(element.get("name"))
                known[name] = known.get(name, frozenset()) | names
    return known


def _declared(complex_type: etree._Element) -> frozenset[str]:
    return frozenset(
        str(e.get("name")) for e in complex_type.iter(f"{_XS}element") if e.get("name")
    )


def validate(root: etree._Element, *, status: bool | None = None,
             signed: bool | None = None) -> tuple[PacketWarning, ...]:
    """Check a (lenient) packet against the document or status schema; return the warnings
    for what the check left out (unknown QCVN/XLink elements and attributes).

    ``status`` (``layout.is_status``) and ``signed`` (any ``layout.signatures``): what the
    caller has already found out about this very tree, so that it is not looked up twice.

    Raises DX_INVALID_PACKET whose errors list each failing element (local name) with the
    reason, its Vietnamese wording and the input line; the messages name the first one. A
    document with no To at all is told so plainly, first.
    """
    layout.check_root(root)
    if status is None:
        status = layout.is_status(root)
    kind = "status" if status else "document"
    schema = _schema(kind)
    in_place = (root.tag == layout.q("edXML") and not signed if signed is not None
                else layout.worth_validating_in_place(root))
    if in_place and not _failures(schema, root):
        return ()  # already canonical: whatever canonical_copy would change fails the XSD
    canon, notes = layout.canonical_copy(root, known_children(kind))
    entries = _failures(schema, canon)
    if not entries:
        return notes
    errors = _errors(entries, canon)
    head = layout.message_header(canon)
    if kind == "document" and head is not None and layout.child(head, "To") is None:
        errors = [no_recipient(head.sourceline or 0)] + [
            e for e in errors if "( To" not in e["reason"] and "To )" not in e["reason"]
        ]
    raise invalid_packet_many(errors)


#: libxml2 reports every failing attribute: 20,000 bad attributes are 20,000 entries. The
#: first thousand are enough to list each distinct problem a real packet has.
_MAX_ENTRIES = 1000


def _failures(schema: etree.XMLSchema, element: etree._Element) -> list[Any]:
    """The validator's error entries (empty when valid), copied out under the lock."""
    with _LOCK:
        if schema.validate(element):
            return []
        return list(schema.error_log)


def _errors(entries: list[Any], validated: etree._Element) -> list[dict[str, Any]]:
    """One entry per (element, line): libxml2 often reports a facet failure twice."""
    errors: dict[tuple[str, int], dict[str, Any]] = {}
    for entry in entries[:_MAX_ENTRIES]:
        item = _error(entry.message, entry.line)
        key = (item["element"], item["line"])
        if key in errors:  # look the path up once per listed error, not once per entry
            continue
        if entry.path:
            item["path"] = _path(validated, entry.path)
        errors[key] = item
    return list(errors.values()) or [{"element": "edXML", "reason": "schema violation", "line": 0}]


def _path(validated: etree._Element, xpath: str) -> str:
    """The failing element's place as local names (``edXML/edXMLEnvelope/.../Code``), for
    vendors to find it: libxml2's path (``/*[1]/*[1]/*[5]`` or ``/*/edXML:edXMLEnvelope``)
    is looked up in the tree that was validated, whose children are in table order."""
    try:
        found = validated.getroottree().xpath(xpath, namespaces={"edXML": layout.NS})
    except etree.XPathError:
        found = None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        element = found[0]
        names = [etree.QName(e).localname for e in [element, *element.iterancestors()]]
        return "/".join(reversed(names))
    path = _PREFIX.sub("", xpath)
    return "edXML" + path[2:] if path.startswith("/*") else path.lstrip("/")


def _error(message: str, line: int) -> dict[str, Any]:
    """Split libxml2's "Element '{ns}Name': why" into the element's local name and why."""
    match = _ELEMENT.match(message)
    element = match[1] if match else "edXML"
    reason = _NAMESPACE.sub("", message[match.end() :] if match else message).strip()
    if len(reason) > _MAX_REASON:
        reason = reason[: _MAX_REASON - 1] + "…"
    return {"element": element, "reason": reason, "line": line}
