"""POST /api/v1/documents/validate: every check of a send, all problems listed, nothing kept."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.appkeys import HUB_KEY
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document, sample, sign_as

HEADER = "edXML/edXMLEnvelope/edXMLHeader/MessageHeader"


async def _validate(client: TestClient, env: HubEnv, unit: str, data: bytes) -> dict[str, Any]:
    resp = await client.post("/api/v1/documents/validate", data=data,
                             headers={**env.auth(unit), **XML})
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def _stored(client: TestClient) -> tuple[int, ...]:
    """Rows a send (accepted or refused) would leave behind."""
    db = client.app[HUB_KEY].db
    counts = []
    for table in ("messages", "deliveries", "refusals", "payloads", "log_leaves"):
        row = await db.fetchone(f"SELECT count(*) AS n FROM {table}")
        counts.append(row["n"])
    return tuple(counts)


async def test_a_good_packet_is_valid_and_nothing_is_stored(client: TestClient,
                                                            hub_env: HubEnv) -> None:
    before = await _stored(client)
    report = await _validate(client, hub_env, PROVINCE, sample("edoc_new.edxml"))
    assert report["valid"] is True and report["problems"] == []
    assert (report["kind"], report["signature"]) == ("document", "absent")
    assert report["document_id"] == "000.00.00.H45,2018/06/14,125/UBND-KT"
    assert sorted(report["recipients"]) == [SO_NOI_VU, SONG_HINH]
    assert await _stored(client) == before
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).json()
    assert inbox["count"] == 0


async def test_every_problem_is_listed_with_its_path_in_both_languages(
        client: TestClient, hub_env: HubEnv) -> None:
    data = document(PROVINCE, [SONG_HINH, "999.99.99.H45"], subject="MẬT - Kế hoạch")
    before = await _stored(client)
    report = await _validate(client, hub_env, SO_NOI_VU, data)  # not the packet's From
    assert report["valid"] is False
    by_code = {p["code"]: p for p in report["problems"]}
    assert set(by_code) == {"DX_SENDER_MISMATCH", "DX_CLASSIFIED", "DX_UNKNOWN_RECIPIENT"}
    assert by_code["DX_SENDER_MISMATCH"]["path"] == f"{HEADER}/From/OrganId"
    classified = {p["path"] for p in report["problems"] if p["code"] == "DX_CLASSIFIED"}
    assert f"{HEADER}/Subject" in classified  # the helper repeats the subject in Content
    assert by_code["DX_UNKNOWN_RECIPIENT"]["path"] == f"{HEADER}/To/OrganId"
    assert by_code["DX_UNKNOWN_RECIPIENT"]["value"] == "999.99.99.H45"
    for problem in report["problems"]:
        assert problem["message_vi"] and problem["message_en"]
        assert problem["message_vi"] != problem["message_en"]
    assert await _stored(client) == before  # a refused send would have logged a refusal


async def test_schema_problems_are_all_listed(client: TestClient, hub_env: HubEnv) -> None:
    data = (sample("edoc_new.edxml")
            .replace(b"<edXML:CodeNumber>125</edXML:CodeNumber>", b"")
            .replace(b"<edXML:Priority>1</edXML:Priority>", b"<edXML:Priority>x</edXML:Priority>"))
    report = await _validate(client, hub_env, PROVINCE, data)
    paths = {p["path"]: p for p in report["problems"]}
    assert set(paths) == {f"{HEADER}/Code", f"{HEADER}/OtherInfo/Priority"}
    assert {p["code"] for p in report["problems"]} == {"DX_INVALID_PACKET"}
    assert "CodeNumber" in paths[f"{HEADER}/Code"]["reason"]


async def test_not_well_formed_is_one_problem(client: TestClient, hub_env: HubEnv) -> None:
    report = await _validate(client, hub_env, PROVINCE, b"<edXML><oops></edXML>")
    assert report["valid"] is False and report["kind"] is None
    [problem] = report["problems"]
    assert problem["code"] == "DX_MALFORMED_XML" and problem["path"].startswith("edXML")


async def test_a_reused_document_id_is_the_409_a_send_would_get(client: TestClient,
                                                                hub_env: HubEnv) -> None:
    first = sample("edoc_new.edxml")
    sent = await client.post("/api/v1/documents", data=first,
                             headers={**hub_env.auth(PROVINCE), **XML})
    assert sent.status == 202
    assert (await _validate(client, hub_env, PROVINCE, first))["valid"] is True  # same bytes
    changed = first.replace(b"V/v \xc4\x91\xe1\xba\xa9y m\xe1\xba\xa1nh", b"V/v kh\xc3\xa1c")
    assert changed != first
    report = await _validate(client, hub_env, PROVINCE, changed)
    [problem] = report["problems"]
    assert problem["code"] == "DX_DUPLICATE_DOCUMENT"
    assert problem["path"] == f"{HEADER}/DocumentId"
    assert problem["first_message_id"] == (await sent.json())["message_id"]


async def test_an_update_of_a_document_never_sent_is_refused(client: TestClient,
                                                             hub_env: HubEnv) -> None:
    report = await _validate(client, hub_env, PROVINCE, sample("edoc_update.edxml"))
    assert [p["code"] for p in report["problems"]] == ["DX_UNKNOWN_REFERENCE"]
    assert report["problems"][0]["path"] == f"{HEADER}/DocumentId"


async def test_signatures_verified_and_refused(client: TestClient, hub_env: HubEnv) -> None:
    data = document(PROVINCE, [SO_NOI_VU])
    good = await _validate(client, hub_env, PROVINCE, sign_as(hub_env, PROVINCE, data))
    assert (good["valid"], good["signature"]) == (True, "verified")
    other = await _validate(client, hub_env, PROVINCE, sign_as(hub_env, SO_NOI_VU, data))
    assert (other["valid"], other["signature"]) == (True, "unverified")  # not the sender's
    signed = sign_as(hub_env, PROVINCE, data)
    tampered = signed.replace(b"V/v b\xc3\xa1o c\xc3\xa1o", b"V/v s\xe1\xbb\xada")
    assert tampered != signed
    bad = await _validate(client, hub_env, PROVINCE, tampered)
    assert [p["code"] for p in bad["problems"]] == ["DX_BAD_SIGNATURE"]
    assert bad["problems"][0]["path"] == "edXML/edXMLEnvelope/Signature"
    assert bad["signature"] == "unverified"


async def test_status_packets_and_json_bodies_are_validated(client: TestClient,
                                                            hub_env: HubEnv) -> None:
    status = await _validate(client, hub_env, SONG_HINH, sample("status_05_processing.edxml"))
    assert (status["valid"], status["kind"], status["status_code"]) == (True, "status", "05")
    resp = await client.post("/api/v1/documents/validate", headers=hub_env.auth(PROVINCE), json={
        "to": [SO_NOI_VU], "code_number": "7", "code_notation": "UBND-VP",
        "subject": "V/v thử", "sent_at": "2026-11-28T09:00:00+07:00"})
    report = await resp.json()
    assert report["valid"] is True, report
    assert report["document_id"] == f"{PROVINCE},2026/11/28,7/UBND-VP"


async def test_validate_needs_a_unit_key(client: TestClient) -> None:
    resp = await client.post("/api/v1/documents/validate", data=sample("edoc_new.edxml"),
                             headers=XML)
    assert resp.status == 401
    assert (await resp.json())["code"] == "DX_UNAUTHENTICATED"


