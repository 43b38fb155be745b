"""Request and response schemas of the native API, with examples, for the OpenAPI document.

Kept apart from openapi.py (which lists the routes) so that each stays readable. Examples are
real answers of the hub, shortened (hashes cut to a few characters); a test validates each
example against its schema, so a schema that drifts from the examples fails the suite.
"""

from __future__ import annotations

from typing import Any

from docexchange.api.compose import EXAMPLE as COMPOSE_EXAMPLE


def _obj(required: tuple[str, ...] = (), **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    return schema


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741 - reads as a type name next to S
B = {"type": "boolean"}
N = {"type": "number", "nullable": True}
NS = {"type": "string", "nullable": True}
NI = {"type": "integer", "nullable": True}
FREE = {"type": "object", "additionalProperties": True}
HASHES = _list(S)
SIGNATURE = {"type": "string", "enum": ["verified", "absent", "unverified"]}

SCHEMAS: dict[str, dict[str, Any]] = {
    "TreeHead": _obj(("tree_size", "root_hash", "timestamp", "key_id", "signature"),
                     tree_size=I, root_hash=S, timestamp=I, key_id=S, signature=S),
    "Receipt": _obj(
        ("message_id", "document_id", "sha256", "recipients", "log_index"),
        message_id=S, document_id=S, business_type=I, sha256=S, size=I, accepted_at=S,
        recipients=_list(_obj(("organ_id", "delivery_id"), organ_id=S, delivery_id=S)),
        routing=_list(FREE), related_message_id=NS, signed_by=NS, log_index=I, leaf=S,
        leaf_index=I, inclusion_proof=HASHES, tree_head=_ref("TreeHead"), duplicate=B,
        signature=SIGNATURE, warnings=_list(FREE)),
    "ComposeRequest": _obj(
        ("to", "code_number", "code_notation", "subject"),
        to=_list(S), code_number=S, code_notation=S, subject=S,
        priority={"type": "integer", "minimum": 0, "maximum": 4}, type_name=S, place=S,
        due_date={"type": "string", "format": "date"},
        sent_at={"type": "string", "format": "date-time",
                 "description": "With a zone offset; fixes the DocumentId's date and the trace "
                                "time, so a retry builds the same bytes"},
        signer=_obj(competence=S, position=S, full_name=S),
        staff=_obj(department=S, staff=S, email=S, mobile=S),
        attachments=_list(_obj(("name", "content_base64"), name=S, description=S,
                               content_base64={"type": "string", "format": "byte"}))),
    "ValidationReport": _obj(
        ("valid", "problems", "signature"), valid=B, kind=NS, document_id=NS, sender=NS,
        recipients=_list(S), status_code=NS, signature=SIGNATURE, warnings=_list(FREE),
        problems=_list(_obj(("code", "path", "message_vi", "message_en"), code=S, path=S,
                            message_vi=S, message_en=S))),
    "InboxItem": _obj(
        ("delivery_id", "message_id", "kind", "sender"), delivery_id=S, message_id=S,
        kind={"type": "string", "enum": ["document", "status"]}, sender=S, document_id=S,
        business_type=NI, status_code=NS, subject=S, priority=I, state=S, accepted_at=S,
        sha256=S, size=I, related_message_id=NS,
        packet={"type": "string", "format": "byte",
                "description": "With packets=inline, for a packet of at most "
                               "exchange.inbox_inline_packet_bytes: its exact bytes, base64 "
                               "(check them against sha256); absent for larger ones"}),
    "Timeline": _obj(("message_id", "deliveries"), message_id=S, document_id=S, kind=S,
                     sender=S, deliveries=_list(_obj(
                         ("delivery_id", "recipient", "state"), delivery_id=S, recipient=S,
                         state=S, recall=NS, fetched_at=NS, acked_at=NS, last_status_code=NS,
                         recipient_at_send={**_obj(("organ_id", "name"), organ_id=S, name=S,
                                                   parent=NS, parent_name=NS),
                                            "nullable": True},
                         routed_from=NS, events=_list(FREE)))),
    "Unit": _obj(("organ_id", "name", "kind"), organ_id=S, name=S, kind=S, parent=NS,
                 valid_from=S, valid_to=NS, successor=NS, aliases=_list(S),
                 organization_in_charge=S, address=S, email=S, telephone=S, fax=S, website=S),
    "UnitStatus": _obj(("organ_id", "state"), organ_id=S, name=S, kind=S, parent=NS,
                       state=S, first_contact_at=NS, last_contact_at=NS, last_send_at=NS,
                       last_poll_at=NS, last_ack_at=NS, backlog=I, oldest_backlog_at=NS,
                       credential_expiry_at=NS),
    "DeliveryRow": _obj(("delivery_id", "message_id", "recipient"), delivery_id=S,
                        message_id=S, kind=S, document_id=S, sender=S, recipient=S, subject=S,
                        priority=I, state=S, created_at=S, acked_at=NS, due_date=NS, age_s=I,
                        days_overdue=I),
    "Indicators": _obj(("units",), units=I, ever_connected=I, ever_connected_pct=N,
                       connected_now=I, connected_now_pct=N, deliveries_today=I,
                       acked_same_day=I, acked_same_day_pct=N, ack_median_s=N, ack_p95_s=N,
                       overdue=I),
    "Problem": _obj(
        ("type", "title", "status", "code", "detail_vi", "detail_en", "request_id", "errors"),
        type=S, title=S, status=I, code=S, detail_vi=S, detail_en=S, request_id=S,
        errors=_list(FREE)),
}

_BY = {"type": "object", "additionalProperties": _ref("Indicators")}
_ROWS = _obj(("count", "items"), count=I, items=_list(_ref("DeliveryRow")))
RESPONSES: dict[str, dict[str, Any]] = {
    "UnitList": _obj(("count", "units"), count=I, units=_list(_ref("Unit"))),
    "UnitDetail": {"allOf": [_ref("Unit"), _obj(parent_unit={**FREE, "nullable": True},
                                                children=_list(_ref("Unit")))]},
    "Inbox": _obj(("count", "items"), count=I, items=_list(_ref("InboxItem"))),
    "Ack": _obj(("delivery_id", "state"), delivery_id=S, state=S, acked_at=NS, duplicate=B,
                status_message_id=NS),
    "AckRequest": _obj(("delivery_ids",), delivery_ids={
        "type": "array", "minItems": 1, "maxItems": 1000,
        "items": {"type": "string", "minLength": 1, "maxLength": 200}}),
    "AckResults": _obj(("count", "results"), count=I, results=_list(_obj(
        ("delivery_id",), delivery_id=S, state=S, acked_at=NS, duplicate=B,
        status_message_id=NS, error=_obj(("code", "status", "detail_vi", "detail_en"),
                                         code=S, status=I, detail_vi=S, detail_en=S)))),
    "StatusOutcome": _obj(("status_code", "document_id", "duplicate"), status_code=S,
                          document_id=S, message_id=NS, deliveries=_list(S), duplicate=B,
                          signature=SIGNATURE, warnings=_list(FREE)),
    "TreeHeads": _obj(("count", "tree_heads"), count=I, tree_heads=_list(_ref("TreeHead")),
                      next_after=NI),
    "Inclusion": _obj(("leaf", "leaf_index", "inclusion_proof", "tree_head"), leaf=S,
                      leaf_index=I, inclusion_proof=HASHES, tree_head=_ref("TreeHead")),
    "Consistency": _obj(("first", "second", "consistency_proof"), first=I, second=I,
                        consistency_proof=HASHES, first_tree_head=_ref("TreeHead"),
                        second_tree_head=_ref("TreeHead")),
    "Connectivity": _obj(("count", "units"), count=I, units=_list(_ref("UnitStatus"))),
    "Kpis": _obj(("overall",), overall=_ref("Indicators"), by_kind=_BY, by_parent=_BY),
    "Snapshot": _obj(("day", "overall"), day=S, overall=_ref("Indicators"), by_kind=_BY,
                     by_parent=_BY),
    "Trend": _obj(("days",), days=_list(_obj(("day",), day=S, connected_now_pct=N,
                                              ever_connected_pct=N, acked_same_day_pct=N,
                                              documents=NI))),
    "Stuck": {"allOf": [_ROWS, _obj(older_than=I, stuck_after_s=I)]},
    "DocumentSearch": _obj(("q", "count", "items"), q=S, count=I, items=_list(_obj(
        ("message_id", "document_id"), message_id=S, document_id=S, code=S, subject=S,
        sender=S, sender_name=S, priority=I, accepted_at=S, recipients=I, received=I))),
    "Rows": _ROWS,
    "Expiring": _obj(("count", "items"), within_days=I, count=I, items=_list(FREE)),
    "OpsUnit": _obj(("status",), status=_ref("UnitStatus"), retired=B, api_keys=_list(FREE),
                    documents_in=_list(FREE), documents_out=_list(FREE)),
    "Alerts": _obj(("count", "items"), count=I, items=_list(FREE)),
    "Revoked": _obj(("organ_id", "revoked"), organ_id=S, revoked=I),
    "Reissued": _obj(("organ_id", "api_key", "key_id"), organ_id=S, revoked=I, api_key=S,
                     key_id=S),
    "OpenApi": _obj(("openapi", "paths"), openapi=S, paths=FREE),
}
SCHEMAS.update(RESPONSES)

_MID, _DID = "01M8JAEYZ7DZ05V8HMSZXQYHXM", "01M8JAEYZ7DZ05V8HMSZXQYHXN"
_DOC = "000.00.00.H45,2018/06/14,125/UBND-KT"
_HEAD = {"tree_size": 3, "root_hash": "c3dd0d27…", "timestamp": 1795911285744,
         "key_id": "2ad50f38…", "signature": "MEUCIBX3…"}
_UNIT: dict[str, Any] = {"organ_id": "000.00.12.H45", "name": "Sở Nội vụ", "kind": "department",
         "parent": "000.00.00.H45", "valid_from": "2018-01-01", "valid_to": None,
         "successor": None, "aliases": [], "organization_in_charge": "UBND tỉnh Phú Yên",
         "address": "thành phố Tuy Hòa, tỉnh Phú Yên", "email": "snv@phuyen.example",
         "telephone": "0257 355 0013", "fax": "", "website": ""}
_STATUS = {"organ_id": "000.00.12.H45", "name": "Sở Nội vụ", "kind": "department",
           "parent": "000.00.00.H45", "state": "connected",
           "first_contact_at": "2026-11-29T00:14:45.738+00:00",
           "last_contact_at": "2026-11-29T00:14:45.742+00:00", "last_send_at": None,
           "last_poll_at": "2026-11-29T00:14:45.738+00:00",
           "last_ack_at": "2026-11-29T00:14:45.742+00:00", "backlog": 0,
           "oldest_backlog_at": None, "credential_expiry_at": "2027-11-29T00:14:40.000+00:00"}
_ROW = {"delivery_id": _DID, "message_id": _MID, "kind": "document", "document_id": _DOC,
        "sender": "000.00.00.H45", "recipient": "000.00.31.H45",
        "subject": "V/v đẩy mạnh cải cách hành chính năm 2018", "priority": 1,
        "state": "pending", "created_at": "2026-11-29T00:14:45.735+00:00", "acked_at": None,
        "due_date": "2018-06-30", "age_s": 3600}
_IND = {"units": 144, "ever_connected": 2, "ever_connected_pct": 1.4, "connected_now": 2,
        "connected_now_pct": 1.4, "deliveries_today": 2, "acked_same_day": 1,
        "acked_same_day_pct": 50.0, "ack_median_s": 12.0, "ack_p95_s": 40.0, "overdue": 0}
RECEIPT = {"message_id": _MID, "document_id": _DOC, "business_type": 0, "sha256": "9e1fca0e…",
           "size": 4527, "accepted_at": "2026-11-29T00:14:45.735+00:00",
           "recipients": [{"organ_id": "000.00.12.H45", "delivery_id": _DID}],
           "routing": [{"requested": "000.00.12.H45", "resolved": ["000.00.12.H45"],
                        "via": "unit", "note": ""}],
           "related_message_id": None, "signed_by": None, "log_index": 0, "leaf": "eyJidXNp…",
           "leaf_index": 0, "inclusion_proof": ["1f0ed242…"], "tree_head": _HEAD,
           "duplicate": False, "signature": "absent", "warnings": []}
PACKET_EXAMPLE = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">…</edXML>\n'
                  "(samples/edoc_new.edxml)")

#: response schema name -> example of the success answer
EXAMPLES: dict[str, Any] = {
    "Receipt": RECEIPT,
    "ValidationReport": {
        "valid": False, "kind": "document", "document_id": _DOC, "sender": "000.00.00.H45",
        "recipients": ["000.00.12.H45"], "status_code": None, "signature": "absent",
        "warnings": [],
        "problems": [{"code": "DX_UNKNOWN_RECIPIENT", "value": "999.99.99.H45",
                      "reason": "unknown",
                      "path": "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To/OrganId",
                      "message_vi": "Không có đơn vị nhận với mã: 999.99.99.H45.",
                      "message_en": "Unknown recipient code(s): 999.99.99.H45."}]},
    "UnitList": {"count": 1, "units": [_UNIT]},
    "UnitDetail": {**_UNIT, "parent_unit": {**_UNIT, "organ_id": "000.00.00.H45",
                                            "name": "UBND tỉnh Phú Yên", "kind": "province",
                                            "parent": None}, "children": []},
    "Inbox": {"count": 1, "items": [{
        "delivery_id": _DID, "message_id": _MID, "kind": "document", "sender": "000.00.00.H45",
        "document_id": _DOC, "business_type": 0, "status_code": None,
        "subject": "V/v đẩy mạnh cải cách hành chính năm 2018", "priority": 1,
        "state": "pending", "accepted_at": "2026-11-29T00:14:45.735+00:00",
        "sha256": "9e1fca0e…", "size": 4527, "related_message_id": None}]},
    "Timeline": {"message_id": _MID, "document_id": _DOC, "kind": "document",
                 "sender": "000.00.00.H45", "deliveries": [{
                     "delivery_id": _DID, "recipient": "000.00.12.H45", "state": "received",
                     "recall": None, "fetched_at": "2026-11-29T00:14:45.739+00:00",
                     "acked_at": "2026-11-29T00:14:45.741+00:00", "last_status_code": "01",
                     "recipient_at_send": {"organ_id": "000.00.12.H45", "name": "Sở Nội vụ",
                                           "parent": "000.00.00.H45",
                                           "parent_name": "UBND tỉnh Phú Yên"},
                     "routed_from": None,
                     "events": [{"event": "created", "status_code": None,
                                 "status_time": None, "at": "2026-11-29T00:14:45.735+00:00",
                                 "actor": "000.00.00.H45", "note": ""}]}]},
    "Ack": {"delivery_id": _DID, "state": "received",
            "acked_at": "2026-11-29T00:14:45.741+00:00", "duplicate": False,
            "status_message_id": "01M8JAEYZDE32G3V6EDP7ZNDXD"},
    "AckResults": {"count": 2, "results": [
        {"delivery_id": _DID, "state": "received", "acked_at": "2026-11-29T00:14:45.741+00:00",
         "duplicate": False, "status_message_id": "01M8JAEYZDE32G3V6EDP7ZNDXD"},
        {"delivery_id": "01M8JAEYZ0000000000000000X", "error": {
            "code": "DX_NOT_FOUND", "status": 404,
            "detail_vi": "Không tìm thấy lượt chuyển 01M8JAEYZ0000000000000000X.",
            "detail_en": "No delivery 01M8JAEYZ0000000000000000X for this unit."}}]},
    "StatusOutcome": {"status_code": "03", "document_id": _DOC,
                      "message_id": "01M8JAEYZFC6E3XMRC36Z365GB", "deliveries": [_DID],
                      "duplicate": False, "signature": "absent", "warnings": []},
    "TreeHead": _HEAD,
    "TreeHeads": {"count": 1, "tree_heads": [_HEAD], "next_after": 3},
    "Inclusion": {"leaf": "eyJidXNp…", "leaf_index": 0, "inclusion_proof": ["1f0ed242…"],
                  "tree_head": _HEAD},
    "Consistency": {"first": 1, "second": 3, "consistency_proof": ["1f0ed242…"],
                    "first_tree_head": {**_HEAD, "tree_size": 1}, "second_tree_head": _HEAD},
    "Connectivity": {"count": 1, "units": [_STATUS]},
    "Kpis": {"overall": _IND, "by_kind": {"department": _IND},
             "by_parent": {"000.00.00.H45": _IND}},
    "Snapshot": {"day": "2026-11-29", "overall": _IND, "by_kind": {"department": _IND},
                 "by_parent": {"000.00.00.H45": _IND}},
    "Trend": {"days": [{"day": "2026-11-28", "connected_now_pct": 1.4,
                        "ever_connected_pct": 1.4, "acked_same_day_pct": 50.0,
                        "documents": 2}]},
    "Stuck": {"older_than": 3600, "stuck_after_s": 3600, "count": 1, "items": [_ROW]},
    "DocumentSearch": {"q": "trien khai", "count": 1, "items": [{
        "message_id": _MID, "document_id": _DOC, "code": "125/UBND-KT",
        "subject": "V/v triển khai chuyển đổi số năm 2026", "sender": "000.00.00.H45",
        "sender_name": "UBND tỉnh Phú Yên", "priority": 1,
        "accepted_at": "2026-11-29T00:14:45.735+00:00", "recipients": 2, "received": 1}]},
    "Rows": {"count": 1, "items": [{**_ROW, "days_overdue": 3}]},
    "Expiring": {"within_days": 30, "count": 0, "items": []},
    "OpsUnit": {"status": _STATUS, "retired": False, "api_keys": [{
        "key_id": "fb88e1e8644b", "created_at": "2026-11-29T00:14:40.652+00:00",
        "expires_at": None}], "documents_in": [], "documents_out": []},
    "Alerts": {"count": 0, "items": []},
    "Revoked": {"organ_id": "000.00.31.H45", "revoked": 1},
    "Reissued": {"organ_id": "000.00.31.H45", "revoked": 1, "key_id": "618f590c574b",
                 "api_key": "dx_618f590c574b_…"},
    "OpenApi": {"openapi": "3.0.3", "paths": {"/documents": {}}},
}

#: media type -> (schema, example) for answers that are not JSON
RAW: dict[str, tuple[dict[str, Any], str]] = {
    "application/xml": ({"type": "string", "format": "binary"}, PACKET_EXAMPLE),
    "application/x-ndjson": (
        {"type": "string", "description": "JSON Lines, docs/evidence.md §8"},
        '{"record":"export","format":"docexchange-audit-v1",…}\n'
        '{"record":"leaf","index":0,…}\n'),
}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RAW[XLSX] = ({"type": "string", "format": "binary"}, "(an .xlsx workbook)")

#: request bodies: media type -> (schema, example)
PACKET_BODY = {"application/xml": {"schema": {"type": "string", "format": "binary"},
                                   "example": PACKET_EXAMPLE}}
JSON_BODY = {"application/json": {"schema": _ref("ComposeRequest"),
                                  "example": COMPOSE_EXAMPLE}}
ACK_BODY = {"application/json": {"schema": _ref("AckRequest"), "example": {
    "delivery_ids": ["01M8JAEYZ3ZQ7V0A3J9W4N2K8B", "01M8JAEYZ0000000000000000X"]}}}
