"""A status packet written from a template: the same bytes as builder.py's lxml tree.

Why: the hub issues a status 01 for every acknowledged document (exchange/status_messages.py),
and building and serialising an lxml tree of thirty elements for it cost about 30 µs each
time, a tenth of the CPU the hub spends on a small document. A status has a fixed shape, so
its bytes are the template's text with the values escaped as lxml escapes them. When a value
holds a character lxml would refuse or write as a character reference (control characters,
carriage return), ``status_bytes`` returns None and the caller builds the tree, which raises or
escapes exactly as before. tests/edxml/test_status_template.py holds the two to the same bytes.
"""

from __future__ import annotations

import re

from docexchange.edxml import values
from docexchange.edxml.layout import NS
from docexchange.edxml.model import Organization, ResponseFor, StaffInfo, StatusPacket

#: What the template writes as is (after escaping & < >): XML 1.0 characters, tab and newline.
_PLAIN = re.compile(r"[^\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]*")
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<edXML xmlns="{NS}">\n'
    f'<edXML:edXMLEnvelope xmlns:edXML="{NS}">\n'
    "<edXML:edXMLHeader>\n"
    "<edXML:MessageHeader>\n"
)
_TAIL = "</edXML:edXMLHeader>\n</edXML:edXMLEnvelope>\n</edXML>\n"
_ORGANIZATION = ("OrganId", "OrganizationInCharge", "OrganName", "OrganAdd", "Email",
                 "Telephone", "Fax", "Website")


def status_bytes(packet: StatusPacket) -> bytes | None:
    """The packet's bytes, or None when a value needs lxml's own checks or escapes."""
    parts = [_HEAD, _organization(packet.from_), _response_for(packet.response_for),
             _staff(packet.staff_info),
             _line("StatusCode", packet.status_code), _line("Description", packet.description),
             _line("Timestamp", values.format_timestamp(packet.timestamp)),
             "</edXML:MessageHeader>\n"]
    if packet.traces:
        parts.append("<edXML:TraceHeaderList>\n")
        parts.extend(
            "<edXML:TraceHeader>" + _leaf("OrganId", trace.organ_id)
            + _leaf("Timestamp", values.format_timestamp(trace.timestamp))
            + "</edXML:TraceHeader>\n"
            for trace in packet.traces)
        parts.append("</edXML:TraceHeaderList>\n")
    parts.append(_TAIL)
    text = "".join(parts)
    # The template's own text is plain, so the whole is plain exactly when every value is:
    # one regex over the packet instead of one per value (half of the time it took).
    return text.encode("utf-8") if _PLAIN.fullmatch(text) else None


def _text(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _leaf(name: str, value: str) -> str:
    return f"<edXML:{name}>{_text(value)}</edXML:{name}>"


def _line(name: str, value: str) -> str:
    return _leaf(name, value) + "\n"


def _organization(org: Organization) -> str:
    inner = "".join(_leaf(name, getattr(org, _FIELD[name])) for name in _ORGANIZATION)
    return f"<edXML:From>{inner}</edXML:From>\n"


_FIELD = {"OrganId": "organ_id", "OrganizationInCharge": "organization_in_charge",
          "OrganName": "organ_name", "OrganAdd": "organ_add", "Email": "email",
          "Telephone": "telephone", "Fax": "fax", "Website": "website"}


def _response_for(answered: ResponseFor) -> str:
    when = answered.promulgation_date
    inner = (_leaf("OrganId", answered.organ_id) + _leaf("Code", answered.code)
             + ("" if when is None else _leaf("PromulgationDate", values.format_date(when)))
             + _leaf("DocumentId", answered.document_id))
    return f"<edXML:ResponseFor>{inner}</edXML:ResponseFor>\n"


def _staff(staff: StaffInfo) -> str:
    """In the status header's order (Mobile before Email, unlike Bussiness)."""
    inner = (_leaf("Department", staff.department) + _leaf("Staff", staff.staff)
             + _leaf("Mobile", staff.mobile) + _leaf("Email", staff.email))
    return f"<edXML:StaffInfo>{inner}</edXML:StaffInfo>\n"
