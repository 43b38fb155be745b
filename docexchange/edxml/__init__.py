"""edXML (QCVN 102:2016) packets: model, hardened parser, schema validation and builder.

Read leniently with ``parse_packet``; write exactly the field's layout with ``build_document``
and ``build_status``. See docs/EDXML.md §1 and §3.
"""

from docexchange.edxml.builder import build_document, build_status
from docexchange.edxml.factories import document_id, new_document, new_status
from docexchange.edxml.model import (
    STATUS_CODES,
    Attachment,
    Business,
    Code,
    DocumentPacket,
    DocumentType,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPacket,
    TraceHeader,
)
from docexchange.edxml.parser import parse_packet, parse_root, parse_xml
from docexchange.edxml.schema import schema_dir, validate

__all__ = [
    "STATUS_CODES",
    "Attachment",
    "Business",
    "Code",
    "DocumentPacket",
    "DocumentType",
    "MessageHeader",
    "Organization",
    "OtherInfo",
    "PromulgationInfo",
    "Receiver",
    "Replacement",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusPacket",
    "TraceHeader",
    "build_document",
    "build_status",
    "document_id",
    "new_document",
    "new_status",
    "parse_packet",
    "parse_root",
    "parse_xml",
    "schema_dir",
    "validate",
]
