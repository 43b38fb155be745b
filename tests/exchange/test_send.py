"""Sending: receipts, routing, refusals with their codes, idempotency, byte-exact storage."""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv, bare_cid_variant
from tests.exchange.helpers import XML, document, sample, sign_as


async def _send(client: TestClient, env: HubEnv, sender: str, data: bytes) -> Any:
    return await client.post("/api/v1/documents", data=data,
                             headers={**env.auth(sender), **XML})


async def _code(resp: Any) -> str:
    body = await resp.json()
    return str(body.get("code"))


async def test_sample_is_accepted_with_a_receipt(client: TestClient, hub_env: HubEnv) -> None:
    data = sample("edoc_new.edxml")
    resp = await _send(client, hub_env, PROVINCE, data)
    receipt = await resp.json()
    assert resp.status == 202, receipt
    assert receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert receipt["document_id"] == "000.00.00.H45,2018/06/14,125/UBND-KT"
    assert sorted(r["organ_id"] for r in receipt["recipients"]) == [SO_NOI_VU, SONG_HINH]
    assert isinstance(receipt["log_index"], int)
    assert receipt["accepted_at"].endswith("+00:00")


async def test_fetch_returns_the_exact_bytes(client: TestClient, hub_env: HubEnv) -> None:
    data = bare_cid_variant(sample("edoc_new.edxml"))
    receipt = await (await _send(client, hub_env, PROVINCE, data)).json()
    for unit in (PROVINCE, SO_NOI_VU, SONG_HINH):
        got = await client.get(f"/api/v1/documents/{receipt['message_id']}",
                               headers=hub_env.auth(unit))
        assert got.status == 200
        assert await got.read() == data
        assert got.headers["X-Content-SHA256"] == receipt["sha256"]


async def test_same_bytes_again_returns_the_first_receipt(client: TestClient,
                                                          hub_env: HubEnv) -> None:
    data = sample("edoc_new.edxml")
    first = await (await _send(client, hub_env, PROVINCE, data)).json()
    again = await _send(client, hub_env, PROVINCE, data)
    body = await again.json()
    assert again.status == 200 and body["duplicate"] is True
    assert body["message_id"] == first["message_id"]
    assert body["recipients"] == first["recipients"]
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).json()
    assert inbox["count"] == 1


async def test_same_document_id_different_bytes_is_409(client: TestClient,
                                                       hub_env: HubEnv) -> None:
    data = sample("edoc_new.edxml")
    await _send(client, hub_env, PROVINCE, data)
    changed = data.replace("cải cách hành chính".encode(), "chuyển đổi số".encode())
    resp = await _send(client, hub_env, PROVINCE, changed)
    assert resp.status == 409 and await _code(resp) == "DX_DUPLICATE_DOCUMENT"


async def test_update_links_to_the_original(client: TestClient, hub_env: HubEnv) -> None:
    original = await (await _send(client, hub_env, PROVINCE, sample("edoc_new.edxml"))).json()
    resp = await _send(client, hub_env, PROVINCE, sample("edoc_update.edxml"))
    update = await resp.json()
    assert resp.status == 202, update
    assert update["business_type"] == 2
    assert update["related_message_id"] == original["message_id"]
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).json()
    linked = [i for i in inbox["items"] if i["business_type"] == 2]
    assert linked[0]["related_message_id"] == original["message_id"]


async def test_update_without_original_is_refused(client: TestClient, hub_env: HubEnv) -> None:
    resp = await _send(client, hub_env, PROVINCE, sample("edoc_update.edxml"))
    assert resp.status == 422 and await _code(resp) == "DX_UNKNOWN_REFERENCE"


async def test_sender_must_be_the_authenticated_unit(client: TestClient,
                                                     hub_env: HubEnv) -> None:
    resp = await _send(client, hub_env, SO_NOI_VU, sample("edoc_new.edxml"))
    assert resp.status == 403 and await _code(resp) == "DX_SENDER_MISMATCH"


async def test_unknown_recipients_are_each_named(client: TestClient, hub_env: HubEnv) -> None:
    data = document(PROVINCE, [SO_NOI_VU, "999.99.99.X00", "888.88.88.X00"])
    resp = await _send(client, hub_env, PROVINCE, data)
    body = await resp.json()
    assert resp.status == 422 and body["code"] == "DX_UNKNOWN_RECIPIENT"
    assert {e["value"] for e in body["errors"]} == {"999.99.99.X00", "888.88.88.X00"}
    assert "999.99.99.X00" in body["detail_en"]


async def test_invalid_packet_names_the_element(client: TestClient, hub_env: HubEnv) -> None:
    data = sample("edoc_new.edxml").replace(b"<edXML:Subject>", b"<edXML:Subject>" + b"x" * 600)
    resp = await _send(client, hub_env, PROVINCE, data)
    body = await resp.json()
    assert resp.status == 422 and body["code"] == "DX_INVALID_PACKET"
    assert "Subject" in str(body["errors"])
    resp = await _send(client, hub_env, PROVINCE, b"not xml at all")
    assert resp.status == 400 and await _code(resp) == "DX_MALFORMED_XML"


async def test_too_large_is_413(hub_env: HubEnv, aiohttp_client: Any) -> None:
    from dataclasses import replace

    from docexchange.app import create_app
    config = replace(hub_env.config,
                     exchange=replace(hub_env.config.exchange, max_packet_bytes=2048))
    client = await aiohttp_client(create_app(config))
    resp = await _send(client, hub_env, PROVINCE, sample("edoc_new.edxml"))
    assert resp.status == 413 and await _code(resp) == "DX_TOO_LARGE"


async def test_wrong_media_type_is_415(client: TestClient, hub_env: HubEnv) -> None:
    resp = await client.post("/api/v1/documents", data=b"{}", headers={
        **hub_env.auth(PROVINCE), "Content-Type": "text/plain"})
    assert resp.status == 415 and await _code(resp) == "DX_UNSUPPORTED_MEDIA_TYPE"


async def test_classified_is_refused_and_not_stored(client: TestClient, hub_env: HubEnv) -> None:
    data = document(PROVINCE, [SO_NOI_VU], subject="MẬT - Kế hoạch bảo vệ")
    resp = await _send(client, hub_env, PROVINCE, data)
    body = await resp.json()
    assert resp.status == 422 and body["code"] == "DX_CLASSIFIED"
    digest = hashlib.sha256(data).hexdigest()
    hub = client.app[__import__("docexchange.appkeys").appkeys.HUB_KEY]
    assert not hub.blobs.exists(digest)
    assert await hub.db.fetchone("SELECT 1 FROM payloads") is None
    assert not list((hub.config.storage.blobs / "spool").iterdir())
    refusal = await hub.db.fetchone("SELECT sender_id, sha256, code FROM refusals")
    assert tuple(refusal) == (PROVINCE, digest, "DX_CLASSIFIED")
    assert await hub.db.fetchone("SELECT 1 FROM messages") is None
    leaf = await hub.db.fetchone("SELECT data FROM log_leaves WHERE event = 'packet_refused'")
    assert digest.encode() in leaf["data"] and "Kế hoạch".encode() not in leaf["data"]
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).json()
    assert inbox["count"] == 0


async def test_ordinary_text_about_secrets_passes(client: TestClient, hub_env: HubEnv) -> None:
    data = document(PROVINCE, [SO_NOI_VU],
                    subject="V/v tăng cường công tác bảo vệ bí mật nhà nước")
    assert (await _send(client, hub_env, PROVINCE, data)).status == 202


async def test_signed_packet_is_accepted_and_recorded(client: TestClient,
                                                      hub_env: HubEnv) -> None:
    data = sign_as(hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    resp = await _send(client, hub_env, PROVINCE, data)
    receipt = await resp.json()
    assert resp.status == 202, receipt
    assert receipt["signed_by"]


async def test_tampered_signature_is_refused(client: TestClient, hub_env: HubEnv) -> None:
    data = sign_as(hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU], subject="V/v họp"))
    tampered = data.replace("V/v họp".encode(), b"V/v hop")
    resp = await _send(client, hub_env, PROVINCE, tampered)
    assert resp.status == 422 and await _code(resp) == "DX_BAD_SIGNATURE"


async def test_required_signature_refuses_unsigned(hub_env: HubEnv, aiohttp_client: Any) -> None:
    from dataclasses import replace

    from docexchange.app import create_app
    config = replace(hub_env.config, exchange=replace(hub_env.config.exchange,
                                                      require_sender_signature=True))
    client = await aiohttp_client(create_app(config))
    resp = await _send(client, hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    assert resp.status == 422 and await _code(resp) == "DX_BAD_SIGNATURE"
    signed = sign_as(hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU]))
    assert (await _send(client, hub_env, PROVINCE, signed)).status == 202


async def test_group_expands_and_is_recorded(client: TestClient, hub_env: HubEnv) -> None:
    data = document(PROVINCE, [f"COMMUNES-OF-{SONG_HINH}"])
    resp = await _send(client, hub_env, PROVINCE, data)
    receipt = await resp.json()
    assert resp.status == 202, receipt
    units = await (await client.get(f"/api/v1/units?parent={SONG_HINH}",
                                    headers=hub_env.auth(PROVINCE))).json()
    communes = {u["organ_id"] for u in units["units"] if u["kind"] == "commune"}
    assert {r["organ_id"] for r in receipt["recipients"]} == communes
    assert receipt["routing"][0]["via"] == "group"


async def test_large_packets_are_checked_in_a_worker_process(client: TestClient,
                                                             hub_env: HubEnv) -> None:
    import os
    big = document(PROVINCE, [SO_NOI_VU], files=[("scan.pdf", os.urandom(400_000))])
    signed = sign_as(hub_env, PROVINCE, big)
    bad = big.replace(b"<edXML:Subject>", b"<edXML:Subject>" + b"x" * 600)
    resp = await _send(client, hub_env, PROVINCE, bad)  # an error crossing the process boundary
    assert resp.status == 422 and "Subject" in str(await resp.json())
    resp = await _send(client, hub_env, PROVINCE, signed)
    receipt = await resp.json()
    assert resp.status == 202, receipt
    assert receipt["signed_by"]
    got = await client.get(f"/api/v1/documents/{receipt['message_id']}",
                           headers=hub_env.auth(SO_NOI_VU))
    assert await got.read() == signed
