"""Receipts, tree heads and proofs through the real app: each answer checks out offline."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.appkeys import HUB_KEY
from docexchange.cli import main
from docexchange.evidence.merkle import decode_proof, leaf_hash, verify_consistency
from docexchange.evidence.tree_head import TreeHead
from docexchange.evidence.verify import (
    VerificationError,
    certificates_by_key_id,
    check_receipt,
    check_tree_head,
)
from docexchange.signing.certificates import load_certificate
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document

OUTSIDER = "000.00.09.H45"  # a department neither sending nor receiving


def _certs(env: HubEnv) -> dict[str, Any]:
    return certificates_by_key_id([load_certificate(env.config.keys.dir / "hub.crt")])


async def _send(client: TestClient, env: HubEnv, to: list[str] | None = None) -> Any:
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, to or [SO_NOI_VU]),
                             headers={**env.auth(PROVINCE), **XML})
    assert resp.status == 202
    return await resp.json()


async def _get(client: TestClient, env: HubEnv, path: str, unit: str = PROVINCE
               ) -> tuple[int, Any]:
    resp = await client.get(f"/api/v1{path}", headers=env.auth(unit))
    return resp.status, await resp.json()


async def test_receipt_verifies_offline(client: TestClient, hub_env: HubEnv,
                                        tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    receipt = await _send(client, hub_env, [SO_NOI_VU, SONG_HINH])
    assert receipt["leaf_index"] == receipt["log_index"]
    checked = check_receipt(receipt, _certs(hub_env))
    assert checked.event["event"] == "document_accepted"
    assert checked.event["message_id"] == receipt["message_id"]
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt), "utf-8")
    hub_crt = str(hub_env.config.keys.dir / "hub.crt")
    code = await asyncio.to_thread(main, ["receipt", "verify", str(path), "--hub-cert", hub_crt])
    assert code == 0 and capsys.readouterr().out.startswith("OK: leaf ")


async def test_receipt_head_is_the_one_signed_with_the_batch(client: TestClient,
                                                             hub_env: HubEnv) -> None:
    receipts = await asyncio.gather(*(_send(client, hub_env) for _ in range(12)))
    hub = client.app[HUB_KEY]
    for receipt in receipts:
        size = receipt["tree_head"]["tree_size"]
        row = await hub.db.fetchone("SELECT MIN(tree_size) FROM tree_heads WHERE tree_size > ?",
                                    (receipt["leaf_index"],))
        assert size == row[0]
        check_receipt(receipt, _certs(hub_env))


@pytest.mark.parametrize("change", ["sha256", "leaf", "proof", "head"])
async def test_altered_receipt_fails(client: TestClient, hub_env: HubEnv, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str], change: str) -> None:
    await _send(client, hub_env)
    receipt = await _send(client, hub_env)  # two leaves at least: the proof is not empty
    if change == "sha256":
        receipt["sha256"] = "0" * 64
    elif change == "leaf":
        leaf = base64.b64decode(receipt["leaf"]).replace(SO_NOI_VU.encode(), OUTSIDER.encode())
        receipt["leaf"] = base64.b64encode(leaf).decode()
    elif change == "proof":
        receipt["inclusion_proof"][0] = "f" * 64
    else:
        receipt["tree_head"]["timestamp"] += 1
    with pytest.raises(VerificationError):
        check_receipt(receipt, _certs(hub_env))
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt), "utf-8")
    hub_crt = str(hub_env.config.keys.dir / "hub.crt")
    code = await asyncio.to_thread(main, ["receipt", "verify", str(path), "--hub-cert", hub_crt])
    assert code == 1 and capsys.readouterr().out.startswith("FAILED: ")


async def test_duplicate_send_has_a_fresh_proof(client: TestClient, hub_env: HubEnv) -> None:
    data = document(PROVINCE, [SO_NOI_VU])
    headers = {**hub_env.auth(PROVINCE), **XML}
    first = await (await client.post("/api/v1/documents", data=data, headers=headers)).json()
    later = await _send(client, hub_env)
    again = await (await client.post("/api/v1/documents", data=data, headers=headers)).json()
    assert again["duplicate"] is True and again["leaf_index"] == first["leaf_index"]
    assert again["leaf"] == first["leaf"]
    assert again["tree_head"]["tree_size"] == later["tree_head"]["tree_size"]
    check_receipt(again, _certs(hub_env))


async def test_receipt_endpoint_for_sender_and_recipients_only(client: TestClient,
                                                               hub_env: HubEnv) -> None:
    sent = await _send(client, hub_env, [SO_NOI_VU, SONG_HINH])
    await _send(client, hub_env)
    path = f"/documents/{sent['message_id']}/receipt"
    for unit in (PROVINCE, SO_NOI_VU, SONG_HINH):
        status, body = await _get(client, hub_env, path, unit)
        assert status == 200 and body["leaf"] == sent["leaf"]
        assert body["tree_head"]["tree_size"] > sent["tree_head"]["tree_size"]
        check_receipt(body, _certs(hub_env))
    status, body = await _get(client, hub_env, path, OUTSIDER)
    assert status == 404 and body["code"] == "DX_NOT_FOUND"
    status, body = await _get(client, hub_env, "/documents/01NOSUCHMESSAGE/receipt", OUTSIDER)
    assert status == 404 and body["code"] == "DX_NOT_FOUND"


async def test_latest_tree_head_verifies(client: TestClient, hub_env: HubEnv) -> None:
    status, body = await _get(client, hub_env, "/evidence/tree-head")
    assert status == 200 and body["tree_size"] > 0  # `init` logged the demo set-up
    receipt = await _send(client, hub_env)
    status, body = await _get(client, hub_env, "/evidence/tree-head", OUTSIDER)
    assert status == 200 and body == receipt["tree_head"]
    check_tree_head(body, _certs(hub_env))


async def test_inclusion_only_for_the_units_concerned(client: TestClient,
                                                      hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, [SO_NOI_VU])
    await _send(client, hub_env, [SONG_HINH])
    index = receipt["leaf_index"]
    for unit in (PROVINCE, SO_NOI_VU):
        status, body = await _get(client, hub_env, f"/evidence/inclusion?leaf_index={index}",
                                  unit)
        assert status == 200 and body["leaf"] == receipt["leaf"]
        assert check_receipt(body, _certs(hub_env)).leaf_index == index
    hidden = await _get(client, hub_env, f"/evidence/inclusion?leaf_index={index}", SONG_HINH)
    missing = await _get(client, hub_env, "/evidence/inclusion?leaf_index=999", SONG_HINH)
    for status, body in (hidden, missing):
        assert status == 404 and body["code"] == "DX_NOT_FOUND"
        assert "leaf" not in body and "inclusion_proof" not in body
    assert hidden[1]["detail_en"] == missing[1]["detail_en"]


async def test_inclusion_against_an_older_head(client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env)
    await _send(client, hub_env)
    size = receipt["tree_head"]["tree_size"]
    status, body = await _get(client, hub_env, f"/evidence/inclusion?leaf_index="
                              f"{receipt['leaf_index']}&tree_size={size}")
    assert status == 200 and body["tree_head"] == receipt["tree_head"]
    assert body["inclusion_proof"] == receipt["inclusion_proof"]
    status, body = await _get(client, hub_env, f"/evidence/inclusion?leaf_index="
                              f"{receipt['leaf_index']}&tree_size={size + 999}")
    assert status == 404 and body["code"] == "DX_NOT_FOUND"


@pytest.mark.parametrize("query", [
    "/evidence/inclusion", "/evidence/inclusion?leaf_index=abc",
    "/evidence/inclusion?leaf_index=-1", "/evidence/inclusion?leaf_index=1_0",
    "/evidence/inclusion?leaf_index=3&tree_size=3", "/evidence/inclusion?leaf_index=0&tree_size=0",
    "/evidence/consistency", "/evidence/consistency?first=0",
    "/evidence/consistency?first=3&second=2", "/evidence/tree-heads?limit=0",
    "/evidence/tree-heads?from=yesterday"])
async def test_bad_parameters_are_400(client: TestClient, hub_env: HubEnv, query: str) -> None:
    await _send(client, hub_env)
    status, body = await _get(client, hub_env, query)
    assert status == 400 and body["code"] == "DX_BAD_REQUEST", body


async def test_consistency_between_two_heads_verifies(client: TestClient,
                                                      hub_env: HubEnv) -> None:
    first = (await _send(client, hub_env))["tree_head"]
    for _ in range(5):
        await _send(client, hub_env)
    second = (await _send(client, hub_env))["tree_head"]
    m, n = first["tree_size"], second["tree_size"]
    status, body = await _get(client, hub_env, f"/evidence/consistency?first={m}&second={n}",
                              OUTSIDER)
    assert status == 200 and body["first_tree_head"] == first
    assert body["second_tree_head"] == second
    old, new = (check_tree_head(h, _certs(hub_env)) for h in (first, second))
    proof = decode_proof(body["consistency_proof"])
    assert verify_consistency(m, n, old.root_hash, new.root_hash, proof)
    assert not verify_consistency(m, n, new.root_hash, old.root_hash, proof)
    status, latest = await _get(client, hub_env, f"/evidence/consistency?first={m}")
    assert status == 200 and latest["second"] == n
    status, body = await _get(client, hub_env, f"/evidence/consistency?first={m + 1000}")
    assert status == 404 and body["code"] == "DX_NOT_FOUND"


async def test_tree_heads_are_listed_by_time_and_paged(client: TestClient,
                                                       hub_env: HubEnv) -> None:
    heads = [(await _send(client, hub_env))["tree_head"] for _ in range(3)]
    start = heads[0]["timestamp"]  # the heads `init` signed come before
    status, page = await _get(client, hub_env, f"/evidence/tree-heads?limit=2&from={start}")
    assert status == 200 and page["tree_heads"] == heads[:2] and page["next_after"] is not None
    status, rest = await _get(client, hub_env, f"/evidence/tree-heads?limit=2&from={start}"
                              f"&after={page['next_after']}")
    assert rest["tree_heads"] == heads[2:] and rest["next_after"] is None
    since = heads[1]["timestamp"]
    status, later = await _get(client, hub_env, f"/evidence/tree-heads?from={since}")
    assert [h["tree_size"] for h in later["tree_heads"]] == [h["tree_size"] for h in heads
                                                             if h["timestamp"] >= since]
    status, none = await _get(client, hub_env, f"/evidence/tree-heads?from={start}&to={start}")
    assert none["count"] == 0


async def test_audit_export_endpoint_refuses_units(client: TestClient, hub_env: HubEnv) -> None:
    status, body = await _get(client, hub_env, "/audit/export")
    assert status == 403 and body["code"] == "DX_FORBIDDEN"
    resp = await client.get("/api/v1/audit/export")
    assert resp.status == 401


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_operators_export_over_http_and_it_verifies_offline(
        client: TestClient, hub_env: HubEnv, tmp_path: Path, fmt: str) -> None:
    for _ in range(3):
        await _send(client, hub_env, [SO_NOI_VU, SONG_HINH])
    token = hub_env.credentials["operators"]["admin"]["api_token"]
    operator = {"Authorization": f"Bearer {token}"}
    for query in (f"?format={fmt}", f"?format={fmt}&unit={SONG_HINH}&from=2000-01-01"):
        resp = await client.get(f"/api/v1/audit/export{query}", headers=operator)
        assert resp.status == 200
        export = tmp_path / f"export.{fmt}"
        export.write_bytes(await resp.read())
        code = await asyncio.to_thread(main, [
            "--config", str(hub_env.config_path), "audit", "verify", str(export),
            "--hub-cert", str(hub_env.config.keys.dir / "hub.crt")])
        assert code == 0, query
    bad = await client.get("/api/v1/audit/export?from=yesterday", headers=operator)
    assert bad.status == 400 and (await bad.json())["code"] == "DX_BAD_REQUEST"


async def test_leaf_hash_in_the_log_matches_the_receipt(client: TestClient,
                                                        hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env)
    row = await client.app[HUB_KEY].db.fetchone(
        "SELECT leaf_hash FROM log_leaves WHERE leaf_index = ?", (receipt["leaf_index"],))
    assert bytes(row[0]) == leaf_hash(base64.b64decode(receipt["leaf"]))
    assert TreeHead.from_json(receipt["tree_head"]).tree_size > receipt["leaf_index"]


async def test_receipts_proved_in_memory_equal_the_stored_proofs(client: TestClient,
                                                                 hub_env: HubEnv) -> None:
    """Receipts of concurrent sends are proved at seal time from memory; the same proofs
    must come out of the stored log, and every one must verify."""
    from docexchange.evidence import proofs
    hub = client.app[HUB_KEY]
    receipts = await asyncio.gather(*(_send(client, hub_env) for _ in range(40)))
    assert hub.evidence.proofs_from_memory == 40
    for receipt in receipts:
        stored = await proofs.receipt_proof(hub.db, receipt["leaf_index"], same_batch=True)
        assert stored.to_json() == {k: receipt[k] for k in stored.to_json()}
        check_receipt(receipt, _certs(hub_env))
