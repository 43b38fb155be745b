"""Through the real HTTP API: a mark in any field class gets 422 DX_CLASSIFIED and nothing of
the packet is stored (no message row, no payload, no blob, no spool file); the refusal record
keeps codes and element paths, never the refused values (issue 9, items 1, 2 and 6)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from lxml import etree

from docexchange.appkeys import HUB_KEY
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML
from tests.exchange.secrecy_packets import (
    DOCUMENT_FIELDS,
    NS,
    STATUS_FIELDS,
    Field,
    full_document,
    packet_with,
)

_numbers = iter(range(5000, 10**6))


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


async def _stored(client: TestClient) -> dict[str, Any]:
    """What the hub holds: message and payload rows, blob files, spool files."""
    hub = client.app[HUB_KEY]
    blobs = hub.config.storage.blobs
    return {
        "messages": [tuple(r) for r in await hub.db.fetchall("SELECT message_id FROM messages")],
        "payloads": [tuple(r) for r in await hub.db.fetchall("SELECT sha256 FROM payloads")],
        "blobs": {f for f in _files(blobs) if not f.startswith("spool")},
        "spool": _files(blobs / "spool") if (blobs / "spool").exists() else set(),
    }


async def _post(client: TestClient, env: HubEnv, sender: str, path: str, data: bytes) -> Any:
    resp = await client.post(path, data=io.BytesIO(data), headers={**env.auth(sender), **XML})
    return resp.status, await resp.json()


async def _refused_and_nothing_stored(client: TestClient, env: HubEnv, sender: str, path: str,
                                      data: bytes, field: Field) -> None:
    before = await _stored(client)
    status, body = await _post(client, env, sender, path, data)
    assert (status, body["code"]) == (422, "DX_CLASSIFIED"), (field.name, body)
    assert body["errors"][0]["element"].endswith(field.path), field.name
    assert await _stored(client) == before and before["spool"] == set(), field.name
    refusal = await client.app[HUB_KEY].db.fetchone(
        "SELECT code, sha256 FROM refusals ORDER BY created_ts DESC LIMIT 1")
    assert tuple(refusal) == ("DX_CLASSIFIED", hashlib.sha256(data).hexdigest())


async def test_the_full_packets_are_accepted(client: TestClient, hub_env: HubEnv) -> None:
    """Without a mark, the packets below are accepted: the mark is what refuses them."""
    data = etree.tostring(full_document(next(_numbers)), xml_declaration=True, encoding="UTF-8")
    status, body = await _post(client, hub_env, PROVINCE, "/api/v1/documents", data)
    assert status == 202, body
    report = packet_with(STATUS_FIELDS[0], "Văn thư đã vào sổ", document_id=body["document_id"])
    status, body = await _post(client, hub_env, SO_NOI_VU, "/api/v1/statuses", report)
    assert status in (200, 201, 202), body


async def test_a_document_with_a_mark_in_any_field_is_refused_and_not_stored(
        client: TestClient, hub_env: HubEnv) -> None:
    """One hub for all the fields (a fresh hub per field costs seconds each)."""
    for field in DOCUMENT_FIELDS:
        data = packet_with(field, "V/v kế hoạch [𝐓Ố\u200bI MẬ𝐓]", number=next(_numbers))
        await _refused_and_nothing_stored(client, hub_env, PROVINCE, "/api/v1/documents",
                                          data, field)


async def test_a_status_with_a_mark_in_any_field_is_refused_and_not_stored(
        client: TestClient, hub_env: HubEnv) -> None:
    data = etree.tostring(full_document(next(_numbers)), xml_declaration=True, encoding="UTF-8")
    status, body = await _post(client, hub_env, PROVINCE, "/api/v1/documents", data)
    assert status == 202, body
    for field in STATUS_FIELDS:
        report = packet_with(field, "Độ mật: Tối mật", document_id=body["document_id"])
        await _refused_and_nothing_stored(client, hub_env, SO_NOI_VU, "/api/v1/statuses",
                                          report, field)


async def test_a_large_spooled_packet_with_a_manifest_mark_leaves_nothing(
        client: TestClient, hub_env: HubEnv) -> None:
    """Above the inline limit the body is spooled to a file and inspected in a worker process:
    the spool file goes too."""
    root = full_document(next(_numbers))
    field = next(f for f in DOCUMENT_FIELDS if f.name == "Reference Description")
    field.put(root, "Tờ trình (MẬT)")
    encoded = root.find(f".//{{{NS}}}ContentTransferEncoded")
    assert encoded is not None
    encoded.text = "QUJD" * (700 * 1024)  # 2.8 MB of base64
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert len(data) > client.app[HUB_KEY].config.storage.inline_payload_bytes
    await _refused_and_nothing_stored(client, hub_env, PROVINCE, "/api/v1/documents", data,
                                      field)


def _to_unknown_unit(code: str) -> bytes:
    root = full_document(next(_numbers))
    organ = root.find(f".//{{{NS}}}To/{{{NS}}}OrganId")
    assert organ is not None
    organ.text = code
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _grep(folder: Path, needles: list[bytes]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for needle in needles:
                if needle in content:
                    found.setdefault(needle.decode(), []).append(str(path))
    return found


async def test_refusals_keep_codes_and_paths_never_the_refused_values(
        client: TestClient, hub_env: HubEnv) -> None:
    """Issue 9 item 6: refuse packets whose values are unique strings, then search the whole
    var/ folder (SQLite file, WAL, blobs, spool) byte for byte: the strings are nowhere."""
    by_name = {f.name: f for f in DOCUMENT_FIELDS + STATUS_FIELDS}
    unique = [f"qzx{n}unique" for n in range(5)]
    cases = [
        (PROVINCE, "/api/v1/documents",
         packet_with(by_name["DueDate"], f"MẬT - {unique[0]}", number=next(_numbers)),
         "DX_CLASSIFIED"),
        (PROVINCE, "/api/v1/documents",
         packet_with(by_name["DueDate"], f"2026/{unique[1]}", number=next(_numbers)),
         "DX_INVALID_PACKET"),
        (PROVINCE, "/api/v1/documents",
         packet_with(by_name["Subject"], f"TỐI MẬT: {unique[2]}", number=next(_numbers)),
         "DX_CLASSIFIED"),
        (SO_NOI_VU, "/api/v1/statuses",
         packet_with(by_name["status Description"], f"[MẬT] {unique[3]}"), "DX_CLASSIFIED"),
        (PROVINCE, "/api/v1/documents", _to_unknown_unit(unique[4]), "DX_UNKNOWN_RECIPIENT"),
    ]
    for sender, path, data, code in cases:
        status, body = await _post(client, hub_env, sender, path, data)
        assert (status, body["code"]) == (422, code), body
    assert _grep(hub_env.root / "var", [u.encode() for u in unique]) == {}
    hub = client.app[HUB_KEY]
    rows = await hub.db.fetchall("SELECT code, reason FROM refusals ORDER BY created_ts")
    assert [r["code"] for r in rows] == [code for *_, code in cases]
    assert rows[0]["reason"] == '["/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/DueDate"]'
    leaves = await hub.db.fetchall("SELECT data FROM log_leaves WHERE event = 'packet_refused'")
    assert len(leaves) == len(cases)
