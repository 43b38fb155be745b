"""One hub, two doors: send → list → get → updateStatus → status back, with an SDK-like client
written from the protocol alone, and documents crossing between the VDXP and native doors."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.vdxp.client import edoc_bytes
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document, status
from tests.vdxp.conftest import EDOC, STATUS, Door


def _ok(reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["status"] == "OK" and reply["ErrorCode"] == "0", reply
    return reply


async def _timeline(http: TestClient, env: HubEnv, unit: str, doc_id: str) -> dict[str, Any]:
    resp = await http.get(f"/api/v1/documents/{doc_id}/deliveries", headers=env.auth(unit))
    assert resp.status == 200
    body: dict[str, Any] = await resp.json()
    return body


async def test_send_list_get_confirm_and_status_back(door: Door) -> None:
    sender, recipient = door.sdk(PROVINCE), door.sdk(SO_NOI_VU)
    packet = document(PROVINCE, [SO_NOI_VU], subject="V/v chuyển đổi số")
    sent = _ok(await sender.send_edoc({"from": PROVINCE, **EDOC}, packet))
    doc_id = sent["DocId"]

    listed = _ok(await recipient.get_received_edoc_list(EDOC))["data"]
    assert [i["docId"] for i in listed] == [doc_id]
    assert listed[0]["from"] == PROVINCE and listed[0]["to"] == SO_NOI_VU
    got = _ok(await recipient.get_edoc({"filePath": "xml", "docId": doc_id}))
    assert edoc_bytes(got) == packet  # byte for byte, CRLF stripped
    _ok(await recipient.update_status({"status": "done", "docid": doc_id}))
    assert _ok(await recipient.get_received_edoc_list(EDOC))["data"] == []

    # the hub's 01 reaches the sender as a status packet, as on the national axis
    arrivals = _ok(await sender.get_received_edoc_list(STATUS))["data"]
    assert len(arrivals) == 1 and arrivals[0]["from"] == SO_NOI_VU
    assert b"<edXML:StatusCode>01</edXML:StatusCode>" in edoc_bytes(
        _ok(await sender.get_edoc({"docId": arrivals[0]["docId"]})))

    # a business status (03) travels as a status packet through sendEdoc
    document_id = _document_id(packet)
    registered = status(SO_NOI_VU, PROVINCE, document_id, "03", note="Đã vào sổ")
    _ok(await recipient.send_edoc({"from": SO_NOI_VU, **STATUS}, registered))
    statuses = _ok(await sender.get_received_edoc_list(STATUS))["data"]
    assert len(statuses) == 2
    sent_list = _ok(await sender.get_sent_edoc_list({**EDOC, "docId": doc_id}))["data"]
    assert sent_list == [{**sent_list[0], "toCode": SO_NOI_VU, "receiveStatus": "registered"}]
    assert sent_list[0]["fromCode"] == PROVINCE and "receivedTime" in sent_list[0]
    timeline = await _timeline(door.http, door.env, PROVINCE, doc_id)
    events = [e["event"] for e in timeline["deliveries"][0]["events"]]
    assert events == ["created", "fetched", "acknowledged", "status"]


def _document_id(packet: bytes) -> str:
    start = packet.index(b"<edXML:DocumentId>") + len(b"<edXML:DocumentId>")
    return packet[start:packet.index(b"</edXML:DocumentId>", start)].decode()


async def test_native_document_reaches_a_vdxp_recipient_and_back(door: Door) -> None:
    env = door.env
    packet = document(PROVINCE, [SO_NOI_VU, SONG_HINH])
    resp = await door.http.post("/api/v1/documents", data=packet,
                                headers={**env.auth(PROVINCE), **XML})
    receipt = await resp.json()
    recipient = door.sdk(SONG_HINH)
    listed = _ok(await recipient.get_received_edoc_list(EDOC))["data"]
    assert [i["docId"] for i in listed] == [receipt["message_id"]]
    assert edoc_bytes(_ok(await recipient.get_edoc({"docId": receipt["message_id"]}))) == packet
    _ok(await recipient.update_status({"status": "done", "docid": receipt["message_id"]}))
    inbox = await (await door.http.get("/api/v1/inbox", headers=env.auth(PROVINCE))).json()
    assert [(i["kind"], i["sender"], i["status_code"]) for i in inbox["items"]] == [
        ("status", SONG_HINH, "01")]


async def test_vdxp_document_reaches_a_native_recipient(door: Door) -> None:
    env = door.env
    packet = document(SO_NOI_VU, [PROVINCE])
    doc_id = _ok(await door.sdk(SO_NOI_VU).send_edoc({"from": SO_NOI_VU, **EDOC}, packet))["DocId"]
    inbox = await (await door.http.get("/api/v1/inbox", headers=env.auth(PROVINCE))).json()
    assert [i["message_id"] for i in inbox["items"]] == [doc_id]
    fetched = await door.http.get(f"/api/v1/documents/{doc_id}", headers=env.auth(PROVINCE))
    assert await fetched.read() == packet
    # the receipt and evidence are the native ones: the sender can ask for them natively
    receipt = await door.http.get(f"/api/v1/documents/{doc_id}/receipt",
                                  headers=env.auth(SO_NOI_VU))
    assert receipt.status == 200 and (await receipt.json())["message_id"] == doc_id


async def test_repeated_send_yields_the_same_doc_id(door: Door) -> None:
    sdk = door.sdk(PROVINCE)
    packet = document(PROVINCE, [SO_NOI_VU])
    first = _ok(await sdk.send_edoc({"from": PROVINCE, **EDOC}, packet))
    again = _ok(await sdk.send_edoc({"from": PROVINCE, **EDOC}, packet))
    assert again["DocId"] == first["DocId"]
    assert len(_ok(await door.sdk(SO_NOI_VU).get_received_edoc_list(EDOC))["data"]) == 1


async def test_repeated_status_packet_yields_the_same_doc_id(door: Door) -> None:
    packet = document(PROVINCE, [SO_NOI_VU])
    _ok(await door.sdk(PROVINCE).send_edoc({"from": PROVINCE, **EDOC}, packet))
    recipient = door.sdk(SO_NOI_VU)
    registered = status(SO_NOI_VU, PROVINCE, _document_id(packet), "03")
    first = _ok(await recipient.send_edoc({"from": SO_NOI_VU, **STATUS}, registered))
    again = _ok(await recipient.send_edoc({"from": SO_NOI_VU, **STATUS}, registered))
    assert first["DocId"] and again["DocId"] == first["DocId"]


async def test_update_status_repeats_answer_alike_and_fail_is_on_the_timeline(
        door: Door) -> None:
    doc_id = _ok(await door.sdk(PROVINCE).send_edoc(
        {"from": PROVINCE, **EDOC}, document(PROVINCE, [SO_NOI_VU])))["DocId"]
    recipient = door.sdk(SO_NOI_VU)
    for _ in range(2):
        _ok(await recipient.update_status({"status": "processing", "docid": doc_id}))
        _ok(await recipient.update_status({"status": "fail", "docid": doc_id}))
    # not received: still listed, so the DMS tries again on its next poll
    assert len(_ok(await recipient.get_received_edoc_list(EDOC))["data"]) == 1
    for _ in range(2):
        _ok(await recipient.update_status({"status": "done", "docid": doc_id}))
    timeline = await _timeline(door.http, door.env, PROVINCE, doc_id)
    events = [e["event"] for e in timeline["deliveries"][0]["events"]]
    assert events == ["created", "transport_processing", "transport_fail", "acknowledged"]
    assert timeline["deliveries"][0]["state"] == "received"
    statuses = _ok(await door.sdk(PROVINCE).get_received_edoc_list(STATUS))["data"]
    assert len(statuses) == 1  # one 01, however many confirmations


async def test_both_url_forms_are_served(door: Door) -> None:
    slash = door.sdk(PROVINCE, endpoint=door.endpoint + "/")
    packet = document(PROVINCE, [SO_NOI_VU])
    doc_id = _ok(await slash.send_edoc({"from": PROVINCE, **EDOC}, packet))["DocId"]
    listed = _ok(await door.sdk(SO_NOI_VU, endpoint=door.endpoint + "/")
                 .get_received_edoc_list(EDOC))["data"]
    assert [i["docId"] for i in listed] == [doc_id]


async def test_a_large_packet_streams_through_the_spool(door: Door) -> None:
    """Above the inline limit the body is spooled while it streams (the CRLF held back), and
    it is not an anonymous body: the signed headers are the credentials."""
    import os
    packet = document(PROVINCE, [SO_NOI_VU], files=[("phu-luc.pdf", os.urandom(900_000))])
    assert len(packet) > door.env.config.storage.inline_payload_bytes
    doc_id = _ok(await door.sdk(PROVINCE).send_edoc({"from": PROVINCE, **EDOC}, packet))["DocId"]
    got = _ok(await door.sdk(SO_NOI_VU).get_edoc({"docId": doc_id}))
    assert edoc_bytes(got) == packet
