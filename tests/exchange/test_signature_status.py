"""The sender's signature as the hub judges it: verified | absent | unverified (FIELD-PACKETS.md
§2 "Signatures"), in both modes of ``require_sender_signature``, through the real HTTP API.

Placeholder fixtures are made here from the project's own builder and signer, then edited the
way the field's software leaves them (truncated certificate, copied SignatureValue, rsa-sha1
URIs, an empty Signature, the .NET SDK's DigitalSignature).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.store.migrations import MIGRATIONS_DIR, apply_migrations
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.dashboard.forms import login
from tests.exchange.helpers import XML, document, sign_as, status

SHA1_METHOD = b"http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1_DIGEST = b"http://www.w3.org/2000/09/xmldsig#sha1"
#: The SDK samples' habit: one SignatureValue copied into every file (any base64 will do).
COPIED_VALUE = base64.b64encode(b"placeholder signature value copied from a sample" * 2)


def _signed(env: HubEnv, organ_id: str = PROVINCE, subject: str = "V/v họp giao ban") -> bytes:
    return sign_as(env, organ_id, document(PROVINCE, [SO_NOI_VU], subject=subject))


def _sub(pattern: bytes, new: bytes, data: bytes) -> bytes:
    changed, count = re.subn(pattern, new, data, flags=re.S)
    assert count >= 1, pattern
    return changed


def _truncate_certificate(data: bytes) -> bytes:
    return _sub(rb"<X509Certificate>(.{11}).*?</X509Certificate>",
                rb"<X509Certificate>\1</X509Certificate>", data)


def _copied_value(data: bytes) -> bytes:
    return _sub(rb"<SignatureValue>.*?</SignatureValue>",
                b"<SignatureValue>" + COPIED_VALUE + b"</SignatureValue>", data)


def _to_sha1(data: bytes) -> bytes:
    data = _sub(rb'SignatureMethod Algorithm="[^"]+"',
                b'SignatureMethod Algorithm="' + SHA1_METHOD + b'"', data)
    return _sub(rb'DigestMethod Algorithm="[^"]+"',
                b'DigestMethod Algorithm="' + SHA1_DIGEST + b'"', data)


def sdk_placeholder(env: HubEnv) -> bytes:
    """rsa-sha1, a copied SignatureValue, the certificate cut to 11 characters."""
    return _truncate_certificate(_copied_value(_to_sha1(_signed(env))))


def truncated_certificate(env: HubEnv) -> bytes:
    return _truncate_certificate(_signed(env))


def empty_signature(env: HubEnv) -> bytes:
    return _sub(rb"</edXML:TraceHeaderList>", b"</edXML:TraceHeaderList><Signature/>",
                document(PROVINCE, [SO_NOI_VU]))


def digital_signature(env: HubEnv) -> bytes:
    return _sub(rb"</edXML:TraceHeaderList>",
                b"</edXML:TraceHeaderList><edXML:DigitalSignature/>",
                document(PROVINCE, [SO_NOI_VU]))


def sha1_by_registered_certificate(env: HubEnv) -> bytes:
    return _to_sha1(_signed(env))


def unaccepted_algorithm(env: HubEnv) -> bytes:
    return _sub(rb'SignatureMethod Algorithm="[^"]+"', b'SignatureMethod Algorithm='
                b'"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"', _signed(env))


def another_units_certificate(env: HubEnv) -> bytes:
    return _signed(env, SO_NOI_VU)


def another_units_certificate_tampered(env: HubEnv) -> bytes:
    return _signed(env, SO_NOI_VU, "V/v họp").replace("V/v họp".encode(), b"V/v hop")


def tampered(env: HubEnv) -> bytes:
    return _signed(env, subject="V/v họp").replace("V/v họp".encode(), b"V/v hop")


def signature_value_of_another_packet(env: HubEnv) -> bytes:
    """A registered certificate and an accepted algorithm, but the SignatureValue of another
    packet signed with the same key: checkable, and it does not match."""
    other = re.search(rb"<SignatureValue>.*?</SignatureValue>", _signed(env), re.S)
    assert other is not None
    return _sub(rb"<SignatureValue>.*?</SignatureValue>", other.group(0), _signed(env))


Build = Callable[[HubEnv], bytes]
UNVERIFIED: dict[str, tuple[Build, str]] = {
    "sdk placeholder": (sdk_placeholder, "sha1_refused"),
    "truncated certificate": (truncated_certificate, "malformed_signature"),
    "empty Signature": (empty_signature, "malformed_signature"),
    "edXML:DigitalSignature": (digital_signature, "not_xmldsig"),
    "sha-1 by a registered certificate": (sha1_by_registered_certificate, "sha1_refused"),
    "an algorithm the hub does not accept": (unaccepted_algorithm, "unsupported_algorithm"),
    "another unit's certificate": (another_units_certificate, "unregistered_certificate"),
    "another unit's certificate, tampered": (another_units_certificate_tampered,
                                             "digest_mismatch"),
}
TAMPERED: dict[str, tuple[Build, str]] = {
    "changed after signing": (tampered, "digest_mismatch"),
    "another packet's SignatureValue": (signature_value_of_another_packet,
                                        "signature_mismatch"),
}


async def _hub(env: HubEnv, aiohttp_client: Any, **exchange: Any) -> TestClient:
    config = replace(env.config, exchange=replace(env.config.exchange, **exchange))
    return await aiohttp_client(create_app(config))


async def _send(client: TestClient, env: HubEnv, data: bytes, sender: str = PROVINCE) -> Any:
    return await client.post("/api/v1/documents", data=data, headers={**env.auth(sender), **XML})


async def _accepted_as(client: TestClient, env: HubEnv, data: bytes, expected: str) -> None:
    """Accepted, and `expected` in the receipt, the messages table, the evidence leaf and the
    delivery timeline of both sides."""
    resp = await _send(client, env, data)
    receipt = await resp.json()
    assert resp.status == 202, receipt
    assert receipt["signature"] == expected
    leaf = json.loads(base64.b64decode(receipt["leaf"]))
    assert leaf["event"] == "document_accepted" and leaf["signature"] == expected
    hub = client.app[HUB_KEY]
    row = await hub.db.fetchone("SELECT signature, signer_key_id FROM messages WHERE "
                                "message_id = ?", (receipt["message_id"],))
    assert row["signature"] == expected
    assert (row["signer_key_id"] is not None) == (expected == "verified")
    for unit in (PROVINCE, SO_NOI_VU):
        timeline = await (await client.get(
            f"/api/v1/documents/{receipt['message_id']}/deliveries",
            headers=env.auth(unit))).json()
        assert timeline["signature"] == expected


async def _refused(client: TestClient, env: HubEnv, data: bytes, reason: str) -> None:
    resp = await _send(client, env, data)
    body = await resp.json()
    assert resp.status == 422 and body["code"] == "DX_BAD_SIGNATURE", body
    assert body["reason"] == reason
    assert body["detail_vi"] and body["detail_en"]
    assert await client.app[HUB_KEY].db.fetchone("SELECT 1 FROM messages") is None


async def test_no_signature_is_absent(client: TestClient, hub_env: HubEnv) -> None:
    await _accepted_as(client, hub_env, document(PROVINCE, [SO_NOI_VU]), "absent")


async def test_no_signature_is_refused_when_required(hub_env: HubEnv,
                                                     aiohttp_client: Any) -> None:
    client = await _hub(hub_env, aiohttp_client, require_sender_signature=True)
    await _refused(client, hub_env, document(PROVINCE, [SO_NOI_VU]), "missing")


@pytest.mark.parametrize("required", [False, True])
async def test_a_registered_certificate_that_matches_is_verified(
        hub_env: HubEnv, aiohttp_client: Any, required: bool) -> None:
    client = await _hub(hub_env, aiohttp_client, require_sender_signature=required)
    await _accepted_as(client, hub_env, _signed(hub_env), "verified")


@pytest.mark.parametrize("case", sorted(UNVERIFIED))
async def test_what_cannot_be_checked_is_accepted_as_unverified(
        client: TestClient, hub_env: HubEnv, case: str) -> None:
    build, _ = UNVERIFIED[case]
    await _accepted_as(client, hub_env, build(hub_env), "unverified")


@pytest.mark.parametrize("case", sorted(UNVERIFIED))
async def test_what_cannot_be_checked_is_refused_when_required(
        hub_env: HubEnv, aiohttp_client: Any, case: str) -> None:
    client = await _hub(hub_env, aiohttp_client, require_sender_signature=True)
    build, reason = UNVERIFIED[case]
    await _refused(client, hub_env, build(hub_env), reason)


@pytest.mark.parametrize("required", [False, True])
@pytest.mark.parametrize("case", sorted(TAMPERED))
async def test_a_checkable_signature_that_does_not_match_is_refused_in_both_modes(
        hub_env: HubEnv, aiohttp_client: Any, case: str, required: bool) -> None:
    client = await _hub(hub_env, aiohttp_client, require_sender_signature=required)
    build, reason = TAMPERED[case]
    await _refused(client, hub_env, build(hub_env), reason)


async def test_sha1_allowed_still_never_makes_a_placeholder_verified(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await _hub(hub_env, aiohttp_client, allow_sha1_signatures=True)
    await _accepted_as(client, hub_env, sdk_placeholder(hub_env), "unverified")


async def test_statuses_carry_their_signature_status(client: TestClient,
                                                     hub_env: HubEnv) -> None:
    receipt = await (await _send(client, hub_env, document(PROVINCE, [SO_NOI_VU]))).json()
    doc_id = receipt["document_id"]
    signed = sign_as(hub_env, SO_NOI_VU, status(SO_NOI_VU, PROVINCE, doc_id, "03"))
    resp = await client.post("/api/v1/statuses", data=signed,
                             headers={**hub_env.auth(SO_NOI_VU), **XML})
    body = await resp.json()
    assert resp.status == 202 and body["signature"] == "verified", body
    placeholder = _truncate_certificate(sign_as(hub_env, SO_NOI_VU, status(
        SO_NOI_VU, PROVINCE, doc_id, "05")))
    resp = await client.post("/api/v1/statuses", data=placeholder,
                             headers={**hub_env.auth(SO_NOI_VU), **XML})
    assert resp.status == 202 and (await resp.json())["signature"] == "unverified"
    timeline = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                       headers=hub_env.auth(PROVINCE))).json()
    events = {e["status_code"]: e for e in timeline["deliveries"][0]["events"]}
    assert events["03"]["signature"] == "verified"
    assert events["05"]["signature"] == "unverified"
    rows = await client.app[HUB_KEY].db.fetchall(
        "SELECT status_code, signature FROM messages WHERE kind = 'status' ORDER BY status_code")
    assert [tuple(r) for r in rows] == [("03", "verified"), ("05", "unverified")]


async def test_the_dashboard_document_page_shows_the_signature(client: TestClient,
                                                               hub_env: HubEnv) -> None:
    placeholder = await (await _send(client, hub_env, sdk_placeholder(hub_env))).json()
    verified = await (await _send(client, hub_env, _signed(hub_env))).json()
    await login(client, hub_env)
    for receipt, expected, english in ((placeholder, "unverified", "Not verified"),
                                       (verified, "verified", "Verified")):
        page = await client.get(f"/dashboard/documents/{receipt['message_id']}?lang=en")
        text = await page.text()
        assert page.status == 200
        assert f'data-signature="{expected}">{english}' in text


def test_migration_0006_marks_earlier_signed_messages_verified(tmp_path: Path) -> None:
    """Before 0006 a signer key was stored exactly when the signature verified."""
    older = tmp_path / "older"
    older.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("000[1-5]_*.sql")):
        shutil.copy(path, older)
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    apply_migrations(conn, older)
    for message_id, signer in (("signed", "kid"), ("unsigned", None)):
        conn.execute("INSERT INTO messages (message_id, kind, sender_id, document_id, "
                     "business_type, sha256, size, signer_key_id, accepted_ts, recipients_json)"
                     " VALUES (?, 'document', ?, ?, 0, '', 0, ?, 0, '[]')",
                     (message_id, PROVINCE, message_id, signer))
    assert 6 in apply_migrations(conn)
    rows = dict(conn.execute("SELECT message_id, signature FROM messages").fetchall())
    assert rows == {"signed": "verified", "unsigned": "absent"}
