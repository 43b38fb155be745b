"""POST /api/v1/documents with application/json: the hub builds the packet and accepts it as
if it had been posted; the recipient fetches the built packet."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.edxml import DocumentPacket, parse_packet
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv

PDF = b"%PDF-1.4 ke hoach\n"


def body(**changes: Any) -> dict[str, Any]:
    return {"to": [SO_NOI_VU, SONG_HINH], "code_number": "42", "code_notation": "UBND-VP",
            "subject": "V/v triển khai chuyển đổi số", "priority": 1,
            "sent_at": "2026-11-28T09:00:00+07:00", "due_date": "2026-12-15",
            "signer": {"competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH",
                       "full_name": "Nguyễn Văn A"},
            "attachments": [{"name": "ke-hoach.pdf",
                             "content_base64": base64.b64encode(PDF).decode()}], **changes}


async def _post(client: TestClient, env: HubEnv, payload: Any) -> tuple[int, dict[str, Any]]:
    resp = await client.post("/api/v1/documents", json=payload, headers=env.auth(PROVINCE))
    return resp.status, await resp.json()


async def test_json_send_builds_the_packet_the_recipient_fetches(client: TestClient,
                                                                 hub_env: HubEnv) -> None:
    status, receipt = await _post(client, hub_env, body())
    assert status == 202, receipt
    assert receipt["document_id"] == f"{PROVINCE},2026/11/28,42/UBND-VP"
    assert sorted(r["organ_id"] for r in receipt["recipients"]) == [SO_NOI_VU, SONG_HINH]

    got = await client.get(f"/api/v1/documents/{receipt['message_id']}",
                           headers=hub_env.auth(SO_NOI_VU))
    data = await got.read()
    assert hashlib.sha256(data).hexdigest() == receipt["sha256"] == got.headers[
        "X-Content-SHA256"]
    packet = parse_packet(data)
    assert isinstance(packet, DocumentPacket)
    assert packet.sender_id == PROVINCE and packet.priority == 1
    assert packet.header.from_.organ_name  # the sender's name from the directory
    assert packet.header.signer_info.full_name == "Nguyễn Văn A"
    [attachment] = packet.attachments
    assert (attachment.name, attachment.file_bytes()) == ("ke-hoach.pdf", PDF)


async def test_the_same_json_again_gets_the_first_receipt(client: TestClient,
                                                          hub_env: HubEnv) -> None:
    _, first = await _post(client, hub_env, body())
    status, again = await _post(client, hub_env, body())
    assert status == 200 and again["duplicate"] is True
    assert again["message_id"] == first["message_id"]
    status, other = await _post(client, hub_env, body(subject="V/v khác"))
    assert (status, other["code"]) == (409, "DX_DUPLICATE_DOCUMENT")


async def test_json_sends_meet_the_same_checks(client: TestClient, hub_env: HubEnv) -> None:
    status, problem = await _post(client, hub_env, body(subject="TỐI MẬT - Kế hoạch"))
    assert (status, problem["code"]) == (422, "DX_CLASSIFIED")
    status, problem = await _post(client, hub_env, body(to=["999.99.99.H45"]))
    assert (status, problem["code"]) == (422, "DX_UNKNOWN_RECIPIENT")


async def test_bad_fields_are_named(client: TestClient, hub_env: HubEnv) -> None:
    cases = {"to": body(to=[]), "priority": body(priority=9),
             "sent_at": body(sent_at="2026-11-28T09:00:00"),
             "attachments[0].content_base64": body(attachments=[
                 {"name": "a.pdf", "content_base64": "***"}]),
             "subject": body(subject="")}
    for field, payload in cases.items():
        status, problem = await _post(client, hub_env, payload)
        assert (status, problem["code"]) == (400, "DX_BAD_REQUEST"), field
        assert problem["errors"][0]["field"] == field
        assert problem["detail_vi"] and problem["detail_en"]
    resp = await client.post("/api/v1/documents", data=b"{not json",
                             headers={**hub_env.auth(PROVINCE),
                                      "Content-Type": "application/json"})
    assert resp.status == 400 and (await resp.json())["code"] == "DX_BAD_REQUEST"


async def test_characters_xml_cannot_carry_are_a_400_not_a_500(client: TestClient,
                                                               hub_env: HubEnv) -> None:
    """Found by schemathesis: a control character or a lone surrogate in a JSON field made
    lxml raise while the packet was built (500)."""
    for path in ("/api/v1/documents", "/api/v1/documents/validate"):
        for bad in ("V/v \x1e báo cáo", "V/v \ud959 báo cáo", "\uffff"):
            resp = await client.post(path, headers={**hub_env.auth(PROVINCE),
                                                    "Content-Type": "application/json"},
                                     data=json.dumps({"to": [SO_NOI_VU], "subject": bad,
                                                      "code_number": "1",
                                                      "code_notation": "UBND"}))
            body = await resp.json()
            assert resp.status == 400 and body["code"] == "DX_BAD_REQUEST", body
            assert body["errors"][0]["field"] == "$.subject"
