"""Schema validation of edXML packets against the project's own XSDs.

No official XSD exists; xsd/edxml-document.xsd and xsd/edxml-status.xsd (sharing
xsd/edxml-common.xsd) are written from docs/EDXML.md and carry its length limits. They live in
the package (package data), so an installed wheel validates exactly as a checkout does.

Design for lenient input: the XSDs describe ONE canonical shape, and ``validate`` checks the
packet itself when it already has that shape, else a normalised copy made by
``layout.canonical_copy`` (root edXML, Status renamed MessageHeader,
Signature elements removed, edXMLHeader / MessageHeader / TraceHeaderList children put in table
order). Groups whose children occur at most once use ``xs:all``, so they need no reordering. This
keeps cardinalities (exactly one DocumentId, at least one To, ...) in the schema rather than in
Python, and the builder's output validates as is. Signatures are verified elsewhere
(docexchange.signing), never by the schema.

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
from docexchange.edxml.problems import invalid_packet_many

_LOCK = threading.Lock()
_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '[^']*')?: ")
_NAMESPACE = re.compile(r"\{[^}]*\}")
_PREFIX = re.compile(r"(?<=/)[A-Za-z_][\w.-]*:")
_MAX_REASON = 300


def schema_dir() -> Path:
    """The package's xsd/ folder, wherever the package is installed (wheel or checkout)."""
    return Path(str(resources.files("docexchange.edxml").joinpath("xsd")))


@functools.cache
def _schema(kind: str) -> etree.XMLSchema:
    """Compiled schema for "document" or "status", loaded on first use."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    path = schema_dir() / f"edxml-{kind}.xsd"
    return etree.XMLSchema(etree.parse(str(path), parser))


def validate(root: etree._Element) -> None:
    """Check a (lenient) packet against the document or status schema.

    Raises DX_INVALID_PACKET whose errors list each failing element (local name) with the
    reason and the input line; message_en names the first one.
    """
    canon = layout.schema_view(root)
    schema = _schema("status" if layout.is_status(canon) else "document")
    with _LOCK:
        if schema.validate(canon):
            return
        entries = list(schema.error_log)
    raise invalid_packet_many(_errors(entries))


def _errors(entries: list[Any]) -> list[dict[str, Any]]:
    """One entry per (element, line): libxml2 often reports a facet failure twice."""
    errors: dict[tuple[str, int], dict[str, Any]] = {}
    for entry in entries:
        item = _error(entry.message, entry.line)
        if entry.path:
            item["path"] = _path(entry.path)
        errors.setdefault((item["element"], item["line"]), item)
    return list(errors.values()) or [{"element": "edXML", "reason": "schema violation", "line": 0}]


def _path(xpath: str) -> str:
    """libxml2's ``/*/edXML:edXMLEnvelope/edXML:edXMLHeader`` as ``edXML/edXMLEnvelope/...``:
    the element's place in the packet, for vendors to find it (indexes follow table order)."""
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
