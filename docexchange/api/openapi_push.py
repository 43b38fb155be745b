"""OpenAPI schemas and examples of push endpoints and the relay API (docs/push-and-relay.md),
kept beside openapi_schemas.py so each area's contract reads on its own."""

from __future__ import annotations

from typing import Any

from docexchange.api.openapi_schemas import FREE, NS, B, I, S, _list, _obj, _ref

SCHEMAS: dict[str, dict[str, Any]] = {
    "PushEndpoint": _obj(("organ_id", "url", "state"), organ_id=S, url=S,
                         state={"type": "string", "enum": ["pending", "approved", "disabled"]},
                         allow_http=B, registered_at=NS, approved_at=NS, approved_by=NS),
    "PushEndpoints": _obj(("count", "items"), count=I, items=_list(_ref("PushEndpoint"))),
    "PushRemoved": _obj(("organ_id", "removed"), organ_id=S, removed=B),
    "PushEndpointRequest": _obj(("url",), url=S),
    "PushApproval": _obj(allow_http=B),
    "RelayInbox": _obj(("count", "items"), count=I, items=_list(FREE)),
    "RelayAck": _obj(("delivery_id", "state", "duplicate"), delivery_id=S, state=S,
                     duplicate=B),
}
_ENDPOINT = {"organ_id": "000.00.12.H45", "url": "https://qlvb.snv.example/dx",
             "state": "approved", "allow_http": False, "registered_at": "2026-11-29T01:02:03Z",
             "approved_at": "2026-11-29T01:05:00Z", "approved_by": "admin"}
_DID = "01M8JC00ER8VHW5KY1H9A5YR79"
EXAMPLES: dict[str, Any] = {
    "PushEndpoint": _ENDPOINT,
    "PushEndpoints": {"count": 1, "items": [_ENDPOINT]},
    "PushRemoved": {"organ_id": "000.00.12.H45", "removed": True},
    "RelayInbox": {"count": 1, "items": [{
        "delivery_id": _DID, "message_id": "01M8JC00ER8VHW5KY1H9A5YR78", "kind": "document",
        "sender": "000.00.00.G01", "recipient": "000.00.31.H45", "state": "pending"}]},
    "RelayAck": {"delivery_id": _DID, "state": "relayed", "duplicate": False},
}
ENDPOINT_BODY = {"application/json": {"schema": _ref("PushEndpointRequest"),
                                      "example": {"url": "https://qlvb.snv.example/dx"}}}
APPROVAL_BODY = {"application/json": {"schema": _ref("PushApproval"),
                                      "example": {"allow_http": False}}}
