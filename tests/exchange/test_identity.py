"""Identity is (sender OrganId, DocumentId): statuses routed by ResponseFor, the status hijack
of FIELD-PACKETS.md §5 closed, recalls from the sender only, changes to one's own documents
only, duplicates, "no recipient but the sender", and recall texts stored once (issue 9 #4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.appkeys import HUB_KEY
from docexchange.exchange.status_intake import STATUS_TEXT_MAX
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, ResponseFor, document, status

A, C, D = PROVINCE, "000.00.02.H45", SO_NOI_VU  # the sender, the hijacker, the recipient


def _doc_id(sender: str, number: int) -> str:
    return f"{sender},2026/11/28,{number}/UBND-VP"  # what helpers.document writes


async def _post(client: TestClient, env: HubEnv, path: str, unit: str, data: bytes) -> Any:
    resp = await client.post(path, data=data, headers={**env.auth(unit), **XML})
    return resp.status, await resp.json()


async def _send(client: TestClient, env: HubEnv, unit: str, data: bytes) -> dict[str, Any]:
    code, body = await _post(client, env, "/api/v1/documents", unit, data)
    assert code == 202, body
    return dict(body)


async def _status(client: TestClient, env: HubEnv, unit: str, data: bytes) -> tuple[int, Any]:
    return await _post(client, env, "/api/v1/statuses", unit, data)


async def _statuses_in_inbox(client: TestClient, env: HubEnv, unit: str) -> list[str]:
    body = await (await client.get("/api/v1/inbox", headers=env.auth(unit))).json()
    return [i["status_code"] for i in body["items"] if i["kind"] == "status"]


async def _delivery(client: TestClient, env: HubEnv, receipt: dict[str, Any]) -> Any:
    timeline = await (await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                       headers=env.auth(receipt["sender"]))).json()
    return timeline["deliveries"][0]


async def test_a_reused_document_id_cannot_capture_statuses(client: TestClient,
                                                            hub_env: HubEnv) -> None:
    doc_id = _doc_id(A, 4242)
    hijack = await _send(client, hub_env, C, document(C, [D], document_id=doc_id))
    original = await _send(client, hub_env, A, document(A, [D], number=4242))
    assert original["document_id"] == hijack["document_id"] == doc_id
    assert original["message_id"] != hijack["message_id"]  # another sender: another document
    hijack["sender"], original["sender"] = C, A

    code, body = await _status(client, hub_env, D, status(D, A, doc_id, "03"))
    assert code == 202, body
    assert await _statuses_in_inbox(client, hub_env, A) == ["03"]
    assert await _statuses_in_inbox(client, hub_env, C) == []
    assert (await _delivery(client, hub_env, original))["state"] == "registered"
    assert (await _delivery(client, hub_env, hijack))["state"] == "pending"

    code, body = await _status(client, hub_env, A, status(A, A, doc_id, "13"))
    assert code == 202, body
    newer = await _send(client, hub_env, C, document(C, [D], document_id=doc_id,
                                                     business_type=2))
    assert newer["related_message_id"] == hijack["message_id"]
    code, body = await _status(client, hub_env, D, status(
        D, A, doc_id, "15", dt.datetime(2026, 11, 28, 12)))
    assert code == 202, body
    assert await _statuses_in_inbox(client, hub_env, A) == ["03", "15"]
    assert await _statuses_in_inbox(client, hub_env, C) == []
    recalled = await _delivery(client, hub_env, original)
    assert (recalled["state"], recalled["recall"]) == ("recalled", "accepted")


async def test_a_status_naming_the_wrong_sender_is_refused(client: TestClient,
                                                           hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, A, document(A, [D]))
    code, body = await _status(client, hub_env, D, status(D, C, receipt["document_id"], "03"))
    assert code == 422 and body["code"] == "DX_UNKNOWN_REFERENCE"
    assert C in body["detail_en"] and C in body["detail_vi"]
    assert await _statuses_in_inbox(client, hub_env, A) == []


async def test_duplicates_are_per_sender(client: TestClient, hub_env: HubEnv) -> None:
    data = document(A, [D], number=777)
    first = await _send(client, hub_env, A, data)
    code, again = await _post(client, hub_env, "/api/v1/documents", A, data)
    assert code == 200 and again["duplicate"] and again["message_id"] == first["message_id"]
    code, body = await _post(client, hub_env, "/api/v1/documents", A,
                             document(A, [D], number=777, subject="V/v khác"))
    assert code == 409 and body["code"] == "DX_DUPLICATE_DOCUMENT"
    assert body["first_message_id"] == first["message_id"]
    other = await _send(client, hub_env, C, document(C, [D], document_id=first["document_id"]))
    assert other["message_id"] != first["message_id"]


async def test_a_recall_may_name_the_sender_or_a_recipient(client: TestClient,
                                                           hub_env: HubEnv) -> None:
    first = await _send(client, hub_env, A, document(A, [D, SONG_HINH]))
    second = await _send(client, hub_env, A, document(A, [D]))
    code, body = await _status(client, hub_env, A, status(A, D, first["document_id"], "13"))
    assert code == 202 and len(body["deliveries"]) == 2, body  # the official sample's form
    code, body = await _status(client, hub_env, A, status(A, A, second["document_id"], "13"))
    assert code == 202, body  # the project builder's form
    code, body = await _status(client, hub_env, A, status(
        A, C, first["document_id"], "13", dt.datetime(2026, 11, 28, 12)))
    assert code == 422 and body["code"] == "DX_UNKNOWN_REFERENCE"


async def test_a_recall_from_a_recipient_says_only_the_sender_may_recall(
        client: TestClient, hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, A, document(A, [D]))
    code, body = await _status(client, hub_env, D, status(D, D, receipt["document_id"], "13"))
    assert code == 403 and body["code"] == "DX_FORBIDDEN"
    assert "only the original sender may recall" in body["detail_en"].lower()
    assert "chỉ đơn vị gửi văn bản gốc mới được thu hồi" in body["detail_vi"].lower()
    assert await _statuses_in_inbox(client, hub_env, A) == []


async def test_changes_act_only_on_the_senders_own_documents(client: TestClient,
                                                             hub_env: HubEnv) -> None:
    original = await _send(client, hub_env, A, document(A, [D]))
    doc_id = original["document_id"]
    code, body = await _post(client, hub_env, "/api/v1/documents", C,
                             document(C, [D], document_id=doc_id, business_type=1))
    assert code == 422 and body["code"] == "DX_UNKNOWN_REFERENCE"
    assert body["errors"] == [{"element": "DocumentId", "value": doc_id}]
    found_by = {
        "header DocumentId": document(A, [D], document_id=doc_id, business_type=2),
        "ReplacementInfo": document(A, [D], business_type=3, replaces=("nowhere", doc_id)),
        "ResponseFor": document(A, [D], business_type=1, business_document_id="nowhere",
                                response_for=ResponseFor(A, doc_id, "1/UBND-VP")),
        "Bussiness/DocumentId": document(A, [D], business_type=1,
                                         business_document_id=doc_id),
    }
    for how, data in found_by.items():
        change = await _send(client, hub_env, A, data)
        assert change["related_message_id"] == original["message_id"], how
    code, body = await _post(client, hub_env, "/api/v1/documents", A, document(
        A, [D], business_type=1, business_document_id="nowhere",
        response_for=ResponseFor(C, doc_id, "1/UBND-VP")))  # names another sender's document
    assert code == 422 and body["code"] == "DX_UNKNOWN_REFERENCE"


async def test_no_recipient_but_the_sender_is_said_plainly(client: TestClient,
                                                           hub_env: HubEnv) -> None:
    code, body = await _post(client, hub_env, "/api/v1/documents", A, document(A, [A]))
    assert code == 422 and body["code"] == "DX_UNKNOWN_RECIPIENT"
    assert "no recipient other than its sender" in body["detail_en"]
    assert "không có đơn vị nhận nào khác ngoài chính đơn vị gửi" in body["detail_vi"]
    assert body["errors"] == [{"element": "To/OrganId", "value": A,
                               "reason": "no recipient other than the sender"}]


async def _used_bytes(client: TestClient) -> int:
    """Bytes of row data in the database (no page slack, no free pages), so that a few
    kilobytes of text per recipient cannot hide in b-tree page splits: SQLite's dbstat, or
    PostgreSQL's size of every stored row of every table."""
    db = client.app[HUB_KEY].db
    if db.engine == "sqlite":
        row = await db.fetchone("SELECT sum(payload) FROM dbstat")
        return int(row[0])
    tables = await db.fetchall("SELECT table_name FROM information_schema.tables "
                               "WHERE table_schema = 'public'")
    sizes = " + ".join(f"(SELECT COALESCE(sum(pg_column_size(t.*)), 0) FROM {r[0]} t)"
                       for r in tables)
    row = await db.fetchone(f"SELECT {sizes}")
    return int(row[0])


async def test_a_recall_text_is_stored_once_whatever_the_number_of_recipients(
        client: TestClient, hub_env: HubEnv) -> None:
    short = await _send(client, hub_env, A, document(A, ["ALL-COMMUNES"]))
    long = await _send(client, hub_env, A, document(A, ["ALL-COMMUNES"]))
    recipients = len(long["recipients"])
    assert recipients >= 100
    text = ("Đề nghị các đơn vị không triển khai văn bản này; văn bản thay thế sẽ được gửi "
            "sau. " * 40)[:STATUS_TEXT_MAX - 1] + "."
    copy = len(text.encode())

    async def growth(receipt: dict[str, Any], note: str) -> int:
        before = await _used_bytes(client)
        code, body = await _status(client, hub_env, A, status(
            A, A, receipt["document_id"], "13", note=note))
        assert code == 202, body
        return await _used_bytes(client) - before

    baseline = await growth(short, "Thu hồi")
    with_text = await growth(long, text)
    print(f"recall to {recipients} units: {copy} bytes of text grew the database "
          f"{with_text - baseline} bytes more than a short text")
    assert with_text - baseline < 3 * copy  # the packet and one stored copy, not 112
    timeline = await (await client.get(f"/api/v1/documents/{long['message_id']}/deliveries",
                                       headers=hub_env.auth(A))).json()
    notes = [e["note"] for d in timeline["deliveries"] for e in d["events"]
             if e["status_code"] == "13"]
    assert notes == [text] * recipients


async def test_a_status_text_over_the_limit_is_refused(client: TestClient,
                                                       hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, A, document(A, [D]))
    code, body = await _status(client, hub_env, A, status(
        A, A, receipt["document_id"], "13", note="x" * (STATUS_TEXT_MAX + 1)))
    assert code == 422 and body["code"] == "DX_INVALID_PACKET"
    assert body["errors"][0]["element"] == "Description"
    assert body["errors"][0]["limit"] == STATUS_TEXT_MAX == 2000
    assert "2000" in body["detail_en"] and "2000" in body["detail_vi"]
    code, _ = await _status(client, hub_env, A, status(
        A, A, receipt["document_id"], "13", note="x" * STATUS_TEXT_MAX))
    assert code == 202
