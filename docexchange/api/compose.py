"""``POST /api/v1/documents`` with ``application/json``: metadata and base64 files, for a DMS
that would rather not write edXML.

The hub builds the packet with its own builder (edxml.factories.new_document), then the
exchange accepts those bytes exactly as if the caller had posted them: same checks, same
receipt (whose ``sha256`` is the built packet's), and recipients fetch the built packet. The
packet's time comes from ``sent_at`` when given, so a retry of the same JSON builds the same
bytes and gets the first receipt back instead of a 409.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from typing import Any

from aiohttp import web

from docexchange.edxml import Organization, build_document, new_document
from docexchange.edxml.model import SignerInfo, StaffInfo
from docexchange.errors import DocExchangeError
from docexchange.exchange.incoming import RequestBody, too_large
from docexchange.hub import Hub

#: An example body, also shown in the OpenAPI document and docs/integration.md.
EXAMPLE: dict[str, Any] = {
    "to": ["000.00.12.H45", "000.00.31.H45"],
    "code_number": "125",
    "code_notation": "UBND-KT",
    "subject": "V/v triển khai chuyển đổi số năm 2026",
    "priority": 1,
    "type_name": "Công văn",
    "place": "Phú Yên",
    "due_date": "2026-12-15",
    "sent_at": "2026-11-28T09:00:00+07:00",
    "signer": {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
               "full_name": "Nguyễn Văn A"},
    "staff": {"department": "Văn thư", "staff": "Lê Thị B", "email": "vanthu@example.vn",
              "mobile": "0900000000"},
    "attachments": [{"name": "ke-hoach.pdf", "content_base64": "JVBERi0xLjQgZGVtbwo="}],
}

_TEXT = {"code_number": 30, "code_notation": 100, "subject": 500, "type_name": 100,
         "place": 100}


def _bad(field: str, reason_vi: str, reason_en: str) -> DocExchangeError:
    return DocExchangeError(
        "DX_BAD_REQUEST", f"Trường '{field}' không hợp lệ: {reason_vi}.",
        f"Field '{field}' is invalid: {reason_en}.",
        errors=[{"field": field, "reason": reason_en}])


async def read_json(request: web.Request, limit: int) -> dict[str, Any]:
    """The JSON object of the request, bounded: base64 files take 4/3 of the packet limit."""
    bound = limit * 4 // 3 + 64 * 1024
    if request.content_length is not None and request.content_length > bound:
        raise too_large(limit)
    raw = bytearray()
    async for chunk in request.content.iter_chunked(256 * 1024):
        raw += chunk
        if len(raw) > bound:
            raise too_large(limit)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise DocExchangeError("DX_BAD_REQUEST", "Nội dung không phải JSON hợp lệ.",
                               "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _bad("$", "phải là một đối tượng JSON", "must be a JSON object")
    _check_xml_characters(body, "$")
    return body


#: what XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/FFFF): the packet is
#: built with lxml, which would raise on them (a 500) instead of a 400 naming the field
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_xml_characters(value: Any, path: str) -> None:
    if isinstance(value, str):
        if _NOT_XML.search(value):
            raise _bad(path, "chứa ký tự không dùng được trong XML",
                       "contains a character XML cannot carry")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_xml_characters(key, path)
            _check_xml_characters(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_xml_characters(item, f"{path}[{index}]")


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _bad(name, "phải là chuỗi không rỗng" if required else "phải là chuỗi",
                   "must be a non-empty string" if required else "must be a string")
    if name in _TEXT and len(value) > _TEXT[name]:
        raise _bad(name, f"dài quá {_TEXT[name]} ký tự", f"longer than {_TEXT[name]} characters")
    return value


def _recipients(body: dict[str, Any]) -> list[str]:
    to = body.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(c, str) and c for c in to):
        raise _bad("to", "phải là danh sách mã đơn vị nhận (OrganId), ít nhất một mã",
                   "must be a list of at least one recipient OrganId")
    return to


def _sent_at(body: dict[str, Any]) -> dt.datetime:
    value = body.get("sent_at")
    if value is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _bad("sent_at", "phải là thời điểm ISO 8601 có múi giờ",
                   "must be an ISO 8601 time with a zone offset")
    return moment


def _due_date(body: dict[str, Any]) -> dt.date | None:
    value = body.get("due_date")
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        raise _bad("due_date", "phải có dạng yyyy-mm-dd", "must be yyyy-mm-dd") from None


def _files(body: dict[str, Any]) -> list[tuple[str, bytes]]:
    items = body.get("attachments", [])
    if not isinstance(items, list):
        raise _bad("attachments", "phải là danh sách", "must be a list")
    files = []
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        data = item.get("content_base64") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name or not isinstance(data, str):
            raise _bad(f"attachments[{i}]", "cần 'name' và 'content_base64'",
                       "needs 'name' and 'content_base64'")
        try:
            files.append((name, base64.b64decode(data, validate=True)))
        except (binascii.Error, ValueError):
            raise _bad(f"attachments[{i}].content_base64", "không phải base64",
                       "is not base64") from None
    return files


def _record(body: dict[str, Any], name: str, kind: type[Any], fields: tuple[str, ...]) -> Any:
    value = body.get(name) or {}
    if not isinstance(value, dict) or not all(isinstance(value.get(f, ""), str)
                                              for f in fields):
        raise _bad(name, f"phải là đối tượng với các trường {', '.join(fields)}",
                   f"must be an object of strings {', '.join(fields)}")
    return kind(*(value.get(f, "") for f in fields))


def build_packet(hub: Hub, caller: str, body: dict[str, Any]) -> bytes:
    """The edXML packet for a JSON send by ``caller``; DX_BAD_REQUEST names the bad field."""
    priority = body.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 4:
        raise _bad("priority", "phải là số nguyên 0-4", "must be an integer 0-4")
    unit = hub.directory.get(caller)
    sender = Organization(organ_id=caller, organ_name=unit.name if unit else "")
    packet = new_document(
        sender, _recipients(body), code_number=_text(body, "code_number", required=True),
        code_notation=_text(body, "code_notation", required=True),
        subject=_text(body, "subject", required=True), now=_sent_at(body), priority=priority,
        files=_files(body), place=_text(body, "place"),
        type_name=_text(body, "type_name") or "Công văn", due_date=_due_date(body),
        signer=_record(body, "signer", SignerInfo, ("competence", "position", "full_name")),
        staff=_record(body, "staff", StaffInfo, ("department", "staff", "email", "mobile")))
    return build_document(packet)


async def composed_body(request: web.Request, hub: Hub, caller: str) -> RequestBody:
    """The built packet as a request body would be: bytes, digest, spooled when large."""
    limit = hub.config.exchange.max_packet_bytes
    data = build_packet(hub, caller, await read_json(request, limit))
    if len(data) > limit:
        raise too_large(limit)
    if len(data) <= hub.config.storage.inline_payload_bytes:
        return RequestBody(data, hashlib.sha256(data).hexdigest(), None)
    spool = hub.blobs.spool()  # its hash is the body's: one SHA-256, not two
    try:
        spool.write(data)
        sha256 = await asyncio.to_thread(spool.finish)
    except BaseException:
        spool.discard()
        raise
    return RequestBody(b"", sha256, spool.path, len(data))
