"""One handler per VDXP operation: read the signed parameters, call the service, shape the
reply. Parameters come only from the signed JSON, and only the keys that belong to the
operation: the SDK's map keeps every key it was ever given (docs/vdxp.md §3.2)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from docexchange.errors import DocExchangeError
from docexchange.exchange.accept import accept_document
from docexchange.exchange.checks import check_sender
from docexchange.exchange.status_intake import accept_status
from docexchange.hub import Hub
from docexchange.vdxp import service
from docexchange.vdxp.auth import VdxpCaller
from docexchange.vdxp.body import read_packet

Operation = Callable[[Hub, web.Request, VdxpCaller], Awaitable[dict[str, Any]]]


async def send_edoc(hub: Hub, request: web.Request, caller: VdxpCaller) -> dict[str, Any]:
    kind = service.kind_of(caller.param("messagetype"))
    if caller.param("from"):
        check_sender(caller.param("from"), caller.organ_id,
                     hub.directory.recoded_from(caller.organ_id))
    claimed = caller.param("hash-file")
    if not claimed:
        raise DocExchangeError("DX_BAD_REQUEST", "Thiếu XroadVnpt-hash-file đã ký.",
                               "The signed XroadVnpt-hash-file is missing.")
    limits = hub.config
    body = await read_packet(request, hub.blobs, limits.exchange.max_packet_bytes,
                             limits.storage.inline_payload_bytes, claimed)
    hub.activity.note(caller.organ_id, "send")
    if kind == "document":
        accepted = await accept_document(hub.exchange, caller.organ_id, body)
        return {"DocId": accepted.receipt["message_id"]}
    outcome = await accept_status(hub.exchange, caller.organ_id, body)
    return {"DocId": await service.status_doc_id(hub, caller.organ_id, outcome, body.sha256)}


async def get_received_edoc_list(hub: Hub, request: web.Request, caller: VdxpCaller
                                 ) -> dict[str, Any]:
    hub.activity.note(caller.organ_id, "poll")
    return {"data": await service.received_items(hub, caller.organ_id,
                                                 caller.param("messagetype") or "edoc")}


async def get_edoc(hub: Hub, request: web.Request, caller: VdxpCaller) -> dict[str, Any]:
    # filePath names a folder on the DMS machine: neither stored nor logged
    return {"data": await service.edoc_base64(hub, caller.organ_id,
                                              caller.param("docId", "docid"))}


async def update_status(hub: Hub, request: web.Request, caller: VdxpCaller
                        ) -> dict[str, Any]:
    await service.confirm(hub, caller.organ_id, caller.param("docid", "docId"),
                          caller.param("status"))
    return {}


async def get_sent_edoc_list(hub: Hub, request: web.Request, caller: VdxpCaller
                             ) -> dict[str, Any]:
    return {"data": await service.sent_items(hub, caller.organ_id,
                                             caller.param("docId", "docid"))}


async def get_agencies_list(hub: Hub, request: web.Request, caller: VdxpCaller
                            ) -> dict[str, Any]:
    return {"data": service.agencies(hub, all_units=False)}


async def get_synchronize_unit(hub: Hub, request: web.Request, caller: VdxpCaller
                               ) -> dict[str, Any]:
    return {"data": service.agencies(hub, all_units=True)}


def _directory_is_operators(code: str) -> DocExchangeError:
    return DocExchangeError(
        "DX_FORBIDDEN",
        f"Danh bạ đơn vị của tỉnh do cán bộ vận hành quản lý; phần mềm không thể thêm hoặc xóa "
        f"đơn vị ({code}). Hãy liên hệ cán bộ vận hành trục tỉnh.",
        f"The province's unit directory is kept by its operators; software cannot add or "
        f"remove a unit ({code}). Contact the hub's operators.")


async def register_agency(hub: Hub, request: web.Request, caller: VdxpCaller
                          ) -> dict[str, Any]:
    """Accepted when it names the caller's own unit, already in the directory (the DMS's
    start-up registration); anything else is for the operators."""
    try:
        unit = json.loads((await request.content.read(64 * 1024)).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DocExchangeError("DX_BAD_REQUEST", "Nội dung phải là JSON của đơn vị.",
                               "The body must be the unit's JSON.") from exc
    code = str(unit.get("code", "")) if isinstance(unit, dict) else ""
    known = hub.directory.lookup(code) if code else None
    if known is None or known.organ_id != caller.organ_id:
        raise _directory_is_operators(code)
    return {}


async def delete_agency(hub: Hub, request: web.Request, caller: VdxpCaller
                        ) -> dict[str, Any]:
    raise _directory_is_operators(caller.param("AgencyCode"))


OPERATIONS: dict[str, Operation] = {
    "sendEdoc": send_edoc,
    "getReceivedEdocList": get_received_edoc_list,
    "getEdoc": get_edoc,
    "updateStatus": update_status,
    "getSentEdocList": get_sent_edoc_list,
    "getAgenciesList": get_agencies_list,
    "getSynchronizeUnit": get_synchronize_unit,
    "registerAgency": register_agency,
    "deleteAgency": delete_agency,
}
