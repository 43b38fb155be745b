"""Every operation's reply shape and refusals: HTTP 200 always, the keys the SDK reads present
even on failure, strings only, no nulls in list items, non-ASCII escaped."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.vdxp import wire
from docexchange.vdxp.client import VdxpClient
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH
from tests.exchange.helpers import document
from tests.vdxp.conftest import EDOC, STATUS, Door

OPERATIONS = ("sendEdoc", "getReceivedEdocList", "getEdoc", "updateStatus", "getSentEdocList",
              "getAgenciesList", "getSynchronizeUnit", "registerAgency", "deleteAgency")


async def _raw(door: Door, sdk: VdxpClient, operation: str, params: dict[str, str],
               body: bytes = b"", ctype: str = "application/json",
               expect: bool = False) -> tuple[int, bytes]:
    headers, _ = sdk.sign(params, ctype)
    if expect:
        headers.append(("Expect", "100-continue"))
    resp = await door.http.post(f"/vdxp/{operation}", data=body, headers=headers)
    return resp.status, await resp.read()


def _no_nulls(value: Any) -> None:
    assert value is not None
    if isinstance(value, dict):
        for item in value.values():
            _no_nulls(item)
    elif isinstance(value, list):
        for item in value:
            _no_nulls(item)


async def test_send_edoc_answers_200_ascii_json_with_doc_id(door: Door) -> None:
    packet = document(PROVINCE, [SO_NOI_VU], subject="Báo cáo tháng")
    status, body = await _raw(door, door.sdk(PROVINCE), "sendEdoc",
                              {"from": PROVINCE, **EDOC, "hash-file": wire.hash_file(packet)},
                              packet + b"\r\n", "application/octet-stream")
    assert status == 200 and body.isascii()
    reply = json.loads(body)
    assert reply["status"] == "OK" and reply["ErrorCode"] == "0"
    assert wire.SAFE_DOC_ID.fullmatch(reply["DocId"])
    assert all(isinstance(v, str) for v in reply.values())


async def test_refused_packets_keep_every_key_and_escape_the_reason(door: Door) -> None:
    """A packet naming an unknown recipient: FAIL with the hub's stable code, DocId ''."""
    packet = document(PROVINCE, ["999.99.99.Z99"])
    status, body = await _raw(door, door.sdk(PROVINCE), "sendEdoc",
                              {"from": PROVINCE, **EDOC, "hash-file": wire.hash_file(packet)},
                              packet + b"\r\n", "application/octet-stream")
    assert status == 200 and body.isascii() and b"\\u" in body
    reply = json.loads(body)
    assert reply == {"status": "FAIL", "ErrorCode": "DX_UNKNOWN_RECIPIENT",
                     "ErrorDesc": reply["ErrorDesc"], "DocId": ""}
    assert "999.99.99.Z99" in reply["ErrorDesc"] and "Unknown recipient" in reply["ErrorDesc"]


async def test_send_edoc_checks_hash_file_and_from(door: Door) -> None:
    sdk = door.sdk(PROVINCE)
    packet = document(PROVINCE, [SO_NOI_VU])
    _, body = await _raw(door, sdk, "sendEdoc", {"from": PROVINCE, **EDOC,
                                                 "hash-file": wire.hash_file(b"other")},
                         packet + b"\r\n", "application/octet-stream")
    assert json.loads(body)["ErrorCode"] == "DX_BAD_REQUEST"
    reply = await sdk.send_edoc({"from": SO_NOI_VU, **EDOC}, packet)
    assert reply["ErrorCode"] == "DX_SENDER_MISMATCH" and reply["DocId"] == ""
    # the bare file (no CRLF), hashed in the ordinary 64-digit form: another client's way
    import hashlib
    _, body = await _raw(door, sdk, "sendEdoc", {"from": PROVINCE, **EDOC,
                                                 "hash-file": hashlib.sha256(packet).hexdigest()},
                         packet, "application/octet-stream")
    assert json.loads(body)["status"] == "OK"


async def test_lists_carry_strings_and_no_nulls(door: Door) -> None:
    doc_id = (await door.sdk(PROVINCE).send_edoc({"from": PROVINCE, **EDOC},
                                                 document(PROVINCE, [SO_NOI_VU])))["DocId"]
    for reply in (await door.sdk(SO_NOI_VU).get_received_edoc_list(EDOC),
                  await door.sdk(PROVINCE).get_sent_edoc_list({**EDOC, "docId": doc_id}),
                  await door.sdk(PROVINCE).get_agencies_list()):
        assert reply["ErrorCode"] == "0" and reply["data"], reply
        _no_nulls(reply)
        assert all(isinstance(v, str) for item in reply["data"] for v in item.values())
    empty = await door.sdk(SONG_HINH).get_received_edoc_list(STATUS)
    assert empty["data"] == []


async def test_get_edoc_failures_carry_data_and_units_see_only_their_own(door: Door) -> None:
    doc_id = (await door.sdk(PROVINCE).send_edoc({"from": PROVINCE, **EDOC},
                                                 document(PROVINCE, [SO_NOI_VU])))["DocId"]
    other = door.sdk(SONG_HINH)
    for reply in (await other.get_edoc({"docId": doc_id}),
                  await other.get_edoc({"docId": "../../etc/passwd"}),
                  await other.update_status({"status": "done", "docid": doc_id})):
        assert reply["status"] == "FAIL" and reply["ErrorCode"] == "DX_NOT_FOUND"
    assert (await other.get_edoc({"docId": doc_id}))["data"] == ""
    sent = await door.sdk(SO_NOI_VU).get_sent_edoc_list({**EDOC, "docId": doc_id})
    assert sent["ErrorCode"] == "DX_NOT_FOUND" and sent["data"] == []
    bad = await door.sdk(SO_NOI_VU).update_status({"status": "maybe", "docid": doc_id})
    assert bad["ErrorCode"] == "DX_BAD_REQUEST"


async def test_directory_operations(door: Door) -> None:
    sdk = door.sdk(SO_NOI_VU)
    agencies = (await sdk.get_agencies_list())["data"]
    own = next(a for a in agencies if a["code"] == SO_NOI_VU)
    assert own["pid"] and own["name"] and set(own) <= {"id", "pid", "code", "name", "mail"}
    units = (await sdk.get_synchronize_unit())["data"]
    assert len(units) >= len(agencies)
    unit = next(u for u in units if u["code"] == SO_NOI_VU)
    assert unit["deleted"] is False and unit["isAgency"] is True
    assert isinstance(unit["version"], int)
    mine = json.dumps({"id": "", "pcode": "000.00.00.H45", "code": SO_NOI_VU, "name": "Sở"})
    assert (await sdk.register_agency(mine))["status"] == "OK"
    theirs = json.dumps({"id": "", "code": "000.99.99.H45", "name": "Đơn vị lạ"})
    refused = await sdk.register_agency(theirs)
    assert refused["ErrorCode"] == "DX_FORBIDDEN" and "operators" in refused["ErrorDesc"]
    deleted = await sdk.delete_agency({"AgencyCode": SO_NOI_VU})
    assert deleted["ErrorCode"] == "DX_FORBIDDEN"


async def test_expect_100_continue_is_answered(door: Door) -> None:
    status, body = await _raw(door, door.sdk(SO_NOI_VU), "deleteAgency",
                              {"AgencyCode": "X"}, b"{}", expect=True)
    assert status == 200 and json.loads(body)["ErrorCode"] == "DX_FORBIDDEN"


async def test_unknown_operations_and_methods_answer_vdxp_json(door: Door) -> None:
    for method, path in (("POST", "/vdxp/countReceiveEdoc"), ("GET", "/vdxp/getEdoc"),
                         ("POST", "/vdxp//downloadEdoc")):
        resp = await door.http.request(method, path)
        assert resp.status == 200
        reply = await resp.json()
        assert reply["status"] == "FAIL" and reply["ErrorCode"] != "0"
    reply = await (await door.http.get("/vdxp/getEdoc")).json()
    assert reply["data"] == ""


async def test_every_operation_is_routed_in_both_url_forms(door: Door) -> None:
    sdk = door.sdk(SO_NOI_VU)
    for operation in OPERATIONS:
        for prefix in ("/vdxp/", "/vdxp//"):
            headers, _ = sdk.sign({}, "application/json")
            resp = await door.http.post(prefix + operation, headers=headers, data=b"{}")
            reply = await resp.json()
            assert resp.status == 200 and reply["ErrorCode"] != "DX_UNAUTHENTICATED"
            assert "does not offer the operation" not in reply["ErrorDesc"], reply


async def test_the_units_rate_limit_applies_at_this_door(door: Door,
                                                         aiohttp_client: Any) -> None:
    """One budget per unit ([server] unit_rate_limit), whichever door it uses."""
    server = dataclasses.replace(door.env.config.server, unit_rate_limit=1, unit_rate_burst=2)
    http: TestClient = await aiohttp_client(create_app(
        dataclasses.replace(door.env.config, server=server)))
    limited = Door(http, door.env, door.credentials)
    sdk, other = limited.sdk(SO_NOI_VU), limited.sdk(PROVINCE)
    replies = await asyncio.gather(*(sdk.get_agencies_list() for _ in range(6)))
    refused = [r for r in replies if r["status"] == "FAIL"]
    assert refused and all(r["ErrorCode"] == "DX_RATE_LIMITED" and r["data"] == []
                           for r in refused)
    assert (await other.get_agencies_list())["status"] == "OK"  # another unit is not affected
