"""Schema validation of edXML packets against the project's own XSDs.

No official XSD exists; schemas/edxml-document.xsd and schemas/edxml-status.xsd (sharing
schemas/edxml-common.xsd) are written from docs/EDXML.md and carry its length limits.

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
from pathlib import Path
from typing import Any

from lxml import etree

from docexchange.edxml import layout
from docexchange.edxml.problems import invalid_packet_many

_LOCK = threading.Lock()
_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '[^']*')?: ")
_NAMESPACE = re.compile(r"\{[^}]*\}")
_MAX_REASON = 300


def schema_dir() -> Path:
    """The repository's schemas/ folder (the project is always installed editable)."""
    return Path(__file__).resolve().parents[2] / "schemas"


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
        errors.setdefault((item["element"], item["line"]), item)
    return list(errors.values()) or [{"element": "edXML", "reason": "schema violation", "line": 0}]


def _error(message: str, line: int) -> dict[str, Any]:
    """Split libxml2's "Element '{ns}Name': why" into the element's local name and why."""
    match = _ELEMENT.match(message)
    element = match[1] if match else "edXML"
    reason = _NAMESPACE.sub("", message[match.end() :] if match else message).strip()
    if len(reason) > _MAX_REASON:
        reason = reason[: _MAX_REASON - 1] + "…"
    return {"element": element, "reason": reason, "line": line}
