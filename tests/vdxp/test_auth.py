"""Authentication at /vdxp: the HMAC over the sign-header exactly as received, parameters from
the signed JSON, and refusals that say why (always HTTP 200 with a VDXP JSON body)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from docexchange.vdxp import wire
from docexchange.vdxp.client import VdxpClient, httpclient_value
from tests.conftest import PROVINCE, SO_NOI_VU
from tests.exchange.helpers import document
from tests.vdxp.conftest import EDOC, Door


def _refused(reply: dict[str, Any], *words: str) -> None:
    assert reply["status"] == "FAIL" and reply["ErrorCode"] == "DX_UNAUTHENTICATED", reply
    for word in words:
        assert word in reply["ErrorDesc"], reply["ErrorDesc"]


async def _send(door: Door, sdk: VdxpClient) -> str:
    reply = await sdk.send_edoc({"from": PROVINCE, **EDOC}, document(PROVINCE, [SO_NOI_VU]))
    assert reply["status"] == "OK", reply
    return str(reply["DocId"])


async def test_a_wrong_secret_is_refused(door: Door) -> None:
    _refused(await door.sdk(SO_NOI_VU, secret="not-the-secret").get_received_edoc_list(EDOC),
             "check the configured secret")


async def test_an_unknown_system_id_is_refused(door: Door) -> None:
    _refused(await door.sdk(SO_NOI_VU, system_id="NO-SUCH").get_received_edoc_list(EDOC),
             "NO-SUCH", "unknown or was revoked")


async def test_a_tampered_parameter_is_refused(door: Door) -> None:
    """The signature covers the sign-header: changing a value there breaks it."""
    sdk = door.sdk(SO_NOI_VU)
    headers, signed = sdk.sign(EDOC, "application/json")
    forged = signed.replace(b'"edoc"', b'"status"')
    headers = [(k, forged.decode() if k == wire.SIGN_HEADER else v) for k, v in headers]
    resp = await door.http.post("/vdxp/getReceivedEdocList", headers=headers)
    assert resp.status == 200
    _refused(await resp.json(), "does not match")


async def test_missing_signature_headers_are_refused(door: Door) -> None:
    resp = await door.http.post("/vdxp/getAgenciesList", data=b"")
    assert resp.status == 200
    _refused(await resp.json(), "missing")


async def test_fixed_timestamp_and_identical_signatures_keep_working(door: Door) -> None:
    """The SDK signs a timestamp of its creation and repeats byte-identical requests."""
    sdk = door.sdk(SO_NOI_VU, timestamp="01012020T000000+0001")
    first = sdk.sign(EDOC, "application/json")
    for _ in range(3):
        reply = await sdk.get_received_edoc_list(EDOC)
        assert reply["status"] == "OK", reply
    assert sdk.sign(EDOC, "application/json") == first


async def test_accumulated_doc_id_keys_are_read_per_operation(door: Door) -> None:
    """After getEdoc (docId=A) an updateStatus (docid=B) on the same object signs both keys:
    updateStatus must act on B, and a later getEdoc still on its own docId."""
    sender = door.sdk(PROVINCE)
    first, second = await _send(door, sender), await _send(door, sender)
    sdk = door.sdk(SO_NOI_VU)
    assert (await sdk.get_edoc({"filePath": "xml", "docId": first}))["status"] == "OK"
    assert (await sdk.update_status({"status": "done", "docid": second}))["status"] == "OK"
    assert {"docId", "docid"} <= set(sdk.keys)
    listed = (await sdk.get_received_edoc_list(EDOC))["data"]
    assert [i["docId"] for i in listed] == [first]


async def test_a_vietnamese_file_path_breaks_later_httpclient_calls(door: Door) -> None:
    """HttpClient sends '?' for Vietnamese letters; the UTF-8 signature cannot verify, and the
    key stays in the object's map. sendEdoc (UTF-8 on the wire) still verifies."""
    doc_id = await _send(door, door.sdk(PROVINCE))
    sdk = door.sdk(SO_NOI_VU)
    _refused(await sdk.get_edoc({"filePath": "D:/văn bản đến", "docId": doc_id}),
             "non-ASCII", "filePath")
    _refused(await sdk.update_status({"status": "done", "docid": doc_id}), "HttpClient")
    reply = await sdk.send_edoc({"from": SO_NOI_VU, **EDOC}, document(SO_NOI_VU, [PROVINCE]))
    assert reply["status"] == "OK", reply


async def test_latin1_bytes_on_the_wire_are_refused_with_the_reason(door: Door) -> None:
    """HttpClient writes Latin-1 letters as single bytes (not UTF-8): refused, saying why."""
    sdk = door.sdk(SO_NOI_VU)
    headers, _ = sdk.sign({"filePath": "C:/Tài liệu", "docId": "X"}, "application/json")
    lines = [f"{k}: {httpclient_value(v)}".encode("latin-1") for k, v in headers]
    host, port = door.http.server.host, door.http.server.port
    request = b"\r\n".join([b"POST /vdxp/getEdoc HTTP/1.1", f"Host: {host}:{port}".encode(),
                            *lines, b"Content-Length: 2", b"Connection: close", b"", b"{}"])
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request)
    await writer.drain()
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"\xe0" in request  # the 'à' travelled as one Latin-1 byte
    _refused(json.loads(body), "non-ASCII")


async def test_revoked_credentials_stop_at_the_next_request(door: Door) -> None:
    from docexchange.cli import main
    sdk = door.sdk(SO_NOI_VU)
    assert (await sdk.get_agencies_list())["status"] == "OK"
    code = await asyncio.to_thread(main, ["--config", str(door.env.config_path), "keys",
                                          "revoke-vdxp", SO_NOI_VU])
    assert code == 0
    _refused(await sdk.get_agencies_list(), "revoked")
