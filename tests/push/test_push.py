"""Push delivery through the real app: registration, operator approval, signed pushes that a
receiver verifies with only keys/hub.crt, acknowledgement, backoff, give-up with fallback to
pull and an alert, and the doors it never opens (redirects, private addresses, plain http)."""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from docexchange.app import create_app
from docexchange.push.worker import backoff_ms
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, document
from tests.push.conftest import operator_auth, push_config
from tests.push.receiver import Receiver


async def eventually(check: Callable[[], Awaitable[Any]], rounds: int = 600) -> Any:
    """Poll until `check()` is truthy (no timing assertion: only an upper bound on waiting)."""
    for _ in range(rounds):
        if result := await check():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("condition never became true")


async def start(env: HubEnv, aiohttp_client: Any, aiohttp_server: Any, receiver: Receiver,
                **push: object) -> tuple[TestClient, TestServer]:
    server = await aiohttp_server(receiver.app(), host="127.0.0.1")
    push_config(env, allowed_addresses='["127.0.0.1"]', scan_interval_ms=50, **push)
    return await aiohttp_client(create_app(env.config)), server


async def register_and_approve(client: TestClient, env: HubEnv, url: str) -> None:
    resp = await client.put("/api/v1/push-endpoint", json={"url": url}, headers=env.auth(SO_NOI_VU))
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["state"] == "pending"
    resp = await client.post(f"/api/v1/ops/push-endpoints/{SO_NOI_VU}/approve",
                             json={"allow_http": True}, headers=operator_auth(env))
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["state"] == "approved"


async def send(client: TestClient, env: HubEnv) -> dict[str, Any]:
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, [SO_NOI_VU]),
                             headers={**env.auth(PROVINCE), **XML})
    assert resp.status == 202, await resp.text()
    return dict(await resp.json())


async def timeline(client: TestClient, env: HubEnv, message_id: str) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/documents/{message_id}/deliveries",
                            headers=env.auth(PROVINCE))
    return dict(await resp.json())


def verify_with_hub_crt(cert_pem: bytes, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's check, written from docs/push-and-relay.md with only hub.crt."""
    fields = dict(p.strip().split("=", 1) for p in headers["X-DocExchange-Signature"].split(";"))
    signed = (b"docexchange-push-v1\n" + headers["X-DocExchange-Message-Id"].encode() + b"\n"
              + headers["X-DocExchange-Delivery-Id"].encode() + b"\n" + body)
    key = x509.load_pem_x509_certificate(cert_pem).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and fields["alg"] == "ecdsa-p256-sha256"
    try:
        key.verify(base64.b64decode(fields["sig"]), signed, ec.ECDSA(hashes.SHA256()))
    except Exception:
        return False
    return True


async def test_an_approved_endpoint_gets_each_document_signed_once_and_it_counts_as_ack(
        hub_env: HubEnv, aiohttp_client: Any, aiohttp_server: Any) -> None:
    receiver = Receiver()
    client, server = await start(hub_env, aiohttp_client, aiohttp_server, receiver)
    url = f"http://127.0.0.1:{server.port}/in"
    resp = await client.put("/api/v1/push-endpoint", json={"url": url},
                            headers=hub_env.auth(SO_NOI_VU))
    assert resp.status == 201
    before = await send(client, hub_env)  # pending approval: nothing is pushed
    await register_and_approve(client, hub_env, url)
    receipt = await send(client, hub_env)
    await eventually(lambda: _acked(client, hub_env, receipt["message_id"]))
    assert len(receiver.requests) == 1 and not any(
        h["X-DocExchange-Message-Id"] == before["message_id"] for h, _ in receiver.requests)
    headers, body = receiver.requests[0]
    assert headers["Idempotency-Key"] == receipt["message_id"]
    cert = (hub_env.config.keys.dir / "hub.crt").read_bytes()
    assert verify_with_hub_crt(cert, headers, body)
    assert not verify_with_hub_crt(cert, headers, body + b" ")
    assert not verify_with_hub_crt(cert, {**headers, "X-DocExchange-Message-Id": "01X"}, body)
    fetched = await client.get(f"/api/v1/documents/{receipt['message_id']}",
                               headers=hub_env.auth(PROVINCE))
    assert await fetched.read() == body  # the sender's bytes, unchanged
    events = (await timeline(client, hub_env, receipt["message_id"]))["deliveries"][0]["events"]
    assert [e["event"] for e in events] == ["created", "acknowledged", "push_attempt"]
    inbox = await client.get("/api/v1/inbox", headers=hub_env.auth(PROVINCE))
    assert any(i["kind"] == "status" and i["status_code"] == "01" and i["document_id"] ==
               receipt["document_id"] for i in (await inbox.json())["items"])


async def _acked(client: TestClient, env: HubEnv, message_id: str) -> bool:
    body = await timeline(client, env, message_id)
    return bool(body["deliveries"][0]["acked_at"])


async def test_failures_back_off_then_give_up_to_pull_with_an_alert(
        hub_env: HubEnv, aiohttp_client: Any, aiohttp_server: Any) -> None:
    receiver = Receiver(status=503)
    client, server = await start(hub_env, aiohttp_client, aiohttp_server, receiver,
                                 backoff_initial_ms=20, backoff_max_ms=100, max_age=1)
    await register_and_approve(client, hub_env, f"http://127.0.0.1:{server.port}/in")
    receipt = await send(client, hub_env)

    async def gave_up() -> list[dict[str, Any]]:
        events = (await timeline(client, hub_env, receipt["message_id"]))["deliveries"][0][
            "events"]
        return events if any(e["event"] == "push_expired" for e in events) else []
    events = await eventually(gave_up, rounds=1200)
    attempts = [e for e in events if e["event"] == "push_attempt"]
    assert len(attempts) >= 2 and len(attempts) == len(receiver.requests)
    assert [a["status_time"] for a in attempts] == [str(i + 1) for i in range(len(attempts))]
    assert all("HTTP 503" in a["note"] for a in attempts)
    ops = operator_auth(hub_env)

    async def open_alerts() -> list[dict[str, Any]]:  # raised just after push_expired commits
        body = await (await client.get("/api/v1/ops/alerts?state=open", headers=ops)).json()
        return list(body["items"])
    alerts = await eventually(open_alerts)
    assert [a["rule"] for a in alerts] == ["push_fallback"]
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).json()
    assert [i["message_id"] for i in inbox["items"]] == [receipt["message_id"]]  # pull works


def test_backoff_doubles_with_jitter_up_to_the_ceiling() -> None:
    rng = random.Random(7)
    for attempts, base in [(1, 1000), (2, 2000), (3, 4000), (10, 60000), (30, 60000)]:
        wait = backoff_ms(attempts, 1000, 60000, rng)
        assert base // 2 <= wait <= base


async def test_redirects_are_not_followed(hub_env: HubEnv, aiohttp_client: Any,
                                          aiohttp_server: Any) -> None:
    receiver = Receiver()
    client, server = await start(hub_env, aiohttp_client, aiohttp_server, receiver,
                                 backoff_initial_ms=100000)
    receiver.redirect_to = f"http://127.0.0.1:{server.port}/elsewhere"
    await register_and_approve(client, hub_env, f"http://127.0.0.1:{server.port}/in")
    receipt = await send(client, hub_env)

    async def failed_once() -> bool:
        events = (await timeline(client, hub_env, receipt["message_id"]))["deliveries"][0][
            "events"]
        return any(e["event"] == "push_attempt" for e in events)
    await eventually(failed_once)
    events = (await timeline(client, hub_env, receipt["message_id"]))["deliveries"][0]["events"]
    assert "redirect not followed" in events[-1]["note"]
    assert "elsewhere" not in receiver.stored


async def test_private_addresses_and_plain_http_stay_closed(
        hub_env: HubEnv, aiohttp_client: Any, aiohttp_server: Any) -> None:
    receiver = Receiver()
    server = await aiohttp_server(receiver.app(), host="127.0.0.1")
    push_config(hub_env, scan_interval_ms=50, backoff_initial_ms=100000)  # 127.0.0.1 not listed
    client = await aiohttp_client(create_app(hub_env.config))
    auth = hub_env.auth(SO_NOI_VU)
    for url in ("http://10.1.2.3/in", "https://169.254.169.254/latest", "https://[::1]/x",
                f"http://127.0.0.1:{server.port}/in", "ftp://example.org/", "https://u:p@x.org/"):
        resp = await client.put("/api/v1/push-endpoint", json={"url": url}, headers=auth)
        assert resp.status == 422, url
        problem = await resp.json()
        assert problem["code"] == "DX_INVALID_ENDPOINT" and problem["detail_vi"]
    # a name is checked after DNS: localhost resolves to loopback, which is not listed
    resp = await client.put("/api/v1/push-endpoint", json={
        "url": f"http://localhost:{server.port}/in"}, headers=auth)
    assert resp.status == 201
    ops = operator_auth(hub_env)
    resp = await client.post(f"/api/v1/ops/push-endpoints/{SO_NOI_VU}/approve", headers=ops)
    assert (await resp.json())["code"] == "DX_INVALID_ENDPOINT"  # http needs allow_http
    resp = await client.post(f"/api/v1/ops/push-endpoints/{SO_NOI_VU}/approve",
                             json={"allow_http": True}, headers=ops)
    assert resp.status == 200
    receipt = await send(client, hub_env)

    async def refused() -> bool:
        events = (await timeline(client, hub_env, receipt["message_id"]))["deliveries"][0][
            "events"]
        return any(e["event"] == "push_attempt" for e in events)
    await eventually(refused)
    events = (await timeline(client, hub_env, receipt["message_id"]))["deliveries"][0]["events"]
    assert "forbidden addresses" in events[-1]["note"]
    assert receiver.requests == []


async def test_units_and_viewers_cannot_approve(hub_env: HubEnv, client: TestClient) -> None:
    resp = await client.put("/api/v1/push-endpoint", json={"url": "https://dms.example.org/in"},
                            headers=hub_env.auth(SO_NOI_VU))
    assert resp.status == 201
    resp = await client.post(f"/api/v1/ops/push-endpoints/{SO_NOI_VU}/approve",
                             headers=hub_env.auth(SO_NOI_VU))
    assert resp.status == 403
    listed = await client.get("/api/v1/ops/push-endpoints?state=pending",
                              headers=operator_auth(hub_env))
    assert [e["organ_id"] for e in (await listed.json())["items"]] == [SO_NOI_VU]
    resp = await client.put("/api/v1/push-endpoint", data=b"[1]", headers=hub_env.auth(SO_NOI_VU))
    assert (await resp.json())["code"] == "DX_BAD_REQUEST"


async def test_statuses_are_pushed_to_the_sender_too(hub_env: HubEnv, aiohttp_client: Any,
                                                     aiohttp_server: Any) -> None:
    receiver = Receiver()
    client, server = await start(hub_env, aiohttp_client, aiohttp_server, receiver)
    resp = await client.put("/api/v1/push-endpoint", json={
        "url": f"http://127.0.0.1:{server.port}/in"}, headers=hub_env.auth(PROVINCE))
    assert resp.status == 201
    resp = await client.post(f"/api/v1/ops/push-endpoints/{PROVINCE}/approve",
                             json={"allow_http": True}, headers=operator_auth(hub_env))
    assert resp.status == 200
    receipt = await send(client, hub_env)
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).json()
    resp = await client.post(f"/api/v1/deliveries/{inbox['items'][0]['delivery_id']}/ack",
                             headers=hub_env.auth(SO_NOI_VU))
    assert resp.status == 200

    async def pushed() -> bool:
        return bool(receiver.requests)
    await eventually(pushed)
    headers, body = receiver.requests[0]
    assert headers["X-DocExchange-Kind"] == "status"
    assert b"<edXML:StatusCode>01</edXML:StatusCode>" in body
    assert receipt["document_id"].encode() in body


async def test_push_answers_fit_the_openapi_schemas(hub_env: HubEnv, client: TestClient) -> None:
    from tests.api.test_openapi import _check, _schema_of
    auth, ops = hub_env.auth(SO_NOI_VU), operator_auth(hub_env)
    put = await client.put("/api/v1/push-endpoint", json={"url": "https://dms.example.org/in"},
                           headers=auth)
    _check(await put.json(), _schema_of("/push-endpoint", "put"))
    approved = await client.post(f"/api/v1/ops/push-endpoints/{SO_NOI_VU}/approve", headers=ops)
    _check(await approved.json(), _schema_of("/ops/push-endpoints/{code}/approve", "post"))
    listed = await client.get("/api/v1/ops/push-endpoints", headers=ops)
    _check(await listed.json(), _schema_of("/ops/push-endpoints", "get"))
    removed = await client.delete("/api/v1/push-endpoint", headers=auth)
    _check(await removed.json(), _schema_of("/push-endpoint", "delete"))
    gone = await client.get("/api/v1/push-endpoint", headers=auth)
    assert gone.status == 404 and (await gone.json())["code"] == "DX_NOT_FOUND"
