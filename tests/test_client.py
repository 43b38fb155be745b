"""HubClient and the send/inbox/status commands, driven against the real app."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.cli import main
from docexchange.client import DigestMismatchError, HubClient, HubError

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PROVINCE = "000.00.00.H45"
SO_NOI_VU = "000.00.12.H45"
SONG_HINH = "000.00.31.H45"


def base_url(client: TestClient) -> str:
    return str(client.make_url(""))


@pytest.fixture
async def province(client: TestClient, hub_env: Any) -> AsyncIterator[HubClient]:
    async with HubClient(base_url(client), hub_env.api_key(PROVINCE)) as hub:
        yield hub


@pytest.fixture
async def so_noi_vu(client: TestClient, hub_env: Any) -> AsyncIterator[HubClient]:
    async with HubClient(base_url(client), hub_env.api_key(SO_NOI_VU)) as hub:
        yield hub


# -- the client against the hub ------------------------------------------------------------

async def test_document_travels_and_the_sender_hears_01(province: HubClient,
                                                       so_noi_vu: HubClient) -> None:
    sample = (SAMPLES / "edoc_new.edxml").read_bytes()
    receipt = await province.send_document(sample)
    assert receipt["sha256"] == hashlib.sha256(sample).hexdigest()
    assert {r["organ_id"] for r in receipt["recipients"]} == {SO_NOI_VU, SONG_HINH}

    [item] = [i for i in await so_noi_vu.inbox() if i["message_id"] == receipt["message_id"]]
    assert (item["kind"], item["sender"]) == ("document", PROVINCE)
    assert item["document_id"] == "000.00.00.H45,2018/06/14,125/UBND-KT"
    assert await so_noi_vu.fetch(item["message_id"]) == sample
    ack = await so_noi_vu.ack(item["delivery_id"])
    assert ack["delivery_id"] == item["delivery_id"]

    statuses = [i for i in await province.inbox()
                if i["kind"] == "status" and i["related_message_id"] == receipt["message_id"]]
    assert [s["status_code"] for s in statuses] == ["01"]
    assert statuses[0]["sender"] == SO_NOI_VU


async def test_a_repeated_send_returns_the_first_receipt(province: HubClient) -> None:
    sample = (SAMPLES / "edoc_new.edxml").read_bytes()
    first = await province.send_document(sample)
    again = await province.send_document(sample)
    assert again["duplicate"] is True
    assert again["message_id"] == first["message_id"]


async def test_deliveries_show_each_recipient(province: HubClient, so_noi_vu: HubClient) -> None:
    receipt = await province.send_document((SAMPLES / "edoc_new.edxml").read_bytes())
    timeline = await province.deliveries(receipt["message_id"])
    assert timeline["message_id"] == receipt["message_id"]
    assert {d["recipient"] for d in timeline["deliveries"]} == {SO_NOI_VU, SONG_HINH}


async def test_a_bad_key_raises_hub_error_with_the_code(client: TestClient) -> None:
    async with HubClient(base_url(client), "dx_000000000000_not-a-key") as hub:
        with pytest.raises(HubError) as caught:
            await hub.inbox()
    error = caught.value
    assert (error.status, error.code) == (401, "DX_UNAUTHENTICATED")
    assert error.detail_en and error.detail_vi
    assert error.request_id == error.problem["request_id"]


async def test_directory_reads(province: HubClient) -> None:
    unit = await province.unit(SONG_HINH)
    assert unit["organ_id"] == SONG_HINH
    districts = await province.units(kind="district", parent=None)
    assert SONG_HINH in {u["organ_id"] for u in districts}
    with pytest.raises(HubError) as caught:
        await province.unit("000.00.99.X99")
    assert caught.value.code == "DX_NOT_FOUND"
    assert "/units" in (await province.get_json("/openapi.json"))["paths"]


# -- the client's own checks, against a stand-in server -------------------------------------

async def fake_hub(aiohttp_client: Any, handler: Any) -> TestClient:
    app = web.Application()
    app.router.add_route("*", "/api/v1/{tail:.*}", handler)
    return await aiohttp_client(app)  # type: ignore[no-any-return]


async def test_fetch_refuses_bytes_that_do_not_match_the_digest(aiohttp_client: Any) -> None:
    async def damaged(request: web.Request) -> web.Response:
        return web.Response(body=b"<edXML/>", content_type="application/xml",
                            headers={"X-Content-SHA256": hashlib.sha256(b"other").hexdigest()})
    server = await fake_hub(aiohttp_client, damaged)
    async with HubClient(base_url(server), "dx_x_y") as hub:
        with pytest.raises(DigestMismatchError) as caught:
            await hub.fetch("01ABC")
    assert caught.value.code == "DX_DIGEST_MISMATCH"


async def test_packets_in_the_listing_and_ack_many(province: HubClient,
                                                  so_noi_vu: HubClient) -> None:
    sample = (SAMPLES / "edoc_new.edxml").read_bytes()
    receipt = await province.send_document(sample)
    [item] = [i for i in await so_noi_vu.inbox(packets=True)
              if i["message_id"] == receipt["message_id"]]
    assert item["packet"] == sample and item["state"] == "fetched"
    results = await so_noi_vu.ack_many([item["delivery_id"], "01NOTADELIVERY"])
    assert results[0]["state"] == "received" and results[0]["status_message_id"]
    assert results[1]["error"]["code"] == "DX_NOT_FOUND"
    statuses = [i for i in await province.inbox(packets=True) if i["kind"] == "status"]
    assert [s["status_code"] for s in statuses] == ["01"]
    assert b"<edXML:StatusCode>01</edXML:StatusCode>" in statuses[0]["packet"]


async def test_a_damaged_packet_in_the_listing_raises(aiohttp_client: Any) -> None:
    async def damaged(request: web.Request) -> web.Response:
        assert request.query["packets"] == "inline"
        return web.json_response({"count": 1, "items": [{
            "message_id": "01ABC", "delivery_id": "01DEF", "packet": "PGVkWE1MLz4=",
            "sha256": hashlib.sha256(b"other").hexdigest()}]})
    server = await fake_hub(aiohttp_client, damaged)
    async with HubClient(base_url(server), "dx_x_y") as hub:
        with pytest.raises(DigestMismatchError) as caught:
            await hub.inbox(packets=True)
    assert caught.value.code == "DX_DIGEST_MISMATCH"


async def test_an_answer_that_is_not_a_problem_still_raises(aiohttp_client: Any) -> None:
    async def proxy_page(request: web.Request) -> web.Response:
        return web.Response(status=502, text="<html>Bad Gateway</html>",
                            content_type="text/html")
    server = await fake_hub(aiohttp_client, proxy_page)
    async with HubClient(base_url(server), "dx_x_y") as hub:
        with pytest.raises(HubError) as caught:
            await hub.unit(PROVINCE)
    assert (caught.value.status, caught.value.code, caught.value.problem) == (502, "HTTP_502", {})


async def test_ids_are_quoted_into_one_path_segment(aiohttp_client: Any) -> None:
    seen: list[str] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(request.raw_path)
        return web.json_response({})
    server = await fake_hub(aiohttp_client, record)
    async with HubClient(base_url(server), "dx_x_y") as hub:
        await hub.unit("a/b?c")
    assert seen == ["/api/v1/units/a%2Fb%3Fc"]


# -- the command line against a real server --------------------------------------------------

@pytest.fixture
async def hub_url(hub_env: Any) -> AsyncIterator[str]:
    """The real app on a real port, with the test's credentials file written beside it."""
    hub_env.config.keys.dev_credentials.write_text(json.dumps(hub_env.credentials),
                                                   encoding="utf-8")
    runner = web.AppRunner(create_app(hub_env.config))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def cli(capsys: pytest.CaptureFixture[str], hub_env: Any, url: str,
              *argv: str) -> tuple[int, str]:
    """Run `docexchange --config … ARGV --url URL` in a thread (main() runs its own loop)."""
    command, *rest = argv
    code = await asyncio.to_thread(main, ["--config", str(hub_env.config_path), command,
                                         "--url", url, *rest])
    return code, capsys.readouterr().out


async def test_send_inbox_status_from_the_command_line(
        hub_env: Any, hub_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(b"%PDF-1.4 ke hoach\n")
    code, out = await cli(capsys, hub_env, hub_url, "send", "--as", PROVINCE,
                          "--to", f"{SO_NOI_VU},{SONG_HINH}", "--subject", "V/v thử nghiệm",
                          "--urgent", "1", str(pdf))
    assert code == 0, out
    receipt = json.loads(out)
    message_id = receipt["message_id"]
    assert {r["organ_id"] for r in receipt["recipients"]} == {SO_NOI_VU, SONG_HINH}

    inbox_dir = tmp_path / "in"
    code, out = await cli(capsys, hub_env, hub_url, "inbox", "--as", SO_NOI_VU,
                          "--fetch", str(inbox_dir), "--ack")
    assert code == 0
    assert "V/v thử nghiệm" in out and "acknowledged" in out
    saved = (inbox_dir / f"{message_id}.edxml").read_bytes()
    assert hashlib.sha256(saved).hexdigest() == receipt["sha256"]
    assert b"SignatureValue" in saved  # signed with the province's dev key

    code, out = await cli(capsys, hub_env, hub_url, "status", "--as", SO_NOI_VU,
                          message_id, "03", "--note", "Văn thư đã vào sổ")
    assert code == 0, out
    assert json.loads(out)["status_code"] == "03"

    code, out = await cli(capsys, hub_env, hub_url, "inbox", "--as", PROVINCE)
    assert code == 0
    status_lines = [line for line in out.splitlines() if " status " in line]
    assert any(" 01" in line for line in status_lines), out
    assert any(" 03" in line for line in status_lines), out


async def test_the_command_line_reports_hub_errors(
        hub_env: Any, hub_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = await asyncio.to_thread(main, ["--config", str(hub_env.config_path), "inbox",
                                          "--as", PROVINCE, "--url", hub_url,
                                          "--api-key", "dx_000000000000_wrong"])
    assert code == 1
    assert "DX_UNAUTHENTICATED" in capsys.readouterr().err


async def test_validate_from_the_command_line(
        hub_env: Any, hub_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = SAMPLES / "edoc_new.edxml"
    bad = tmp_path / "bad.edxml"
    bad.write_bytes(good.read_bytes().replace(b"000.00.31.H45</edXML:OrganId>",
                                              b"999.99.99.H45</edXML:OrganId>", 1))
    code, out = await cli(capsys, hub_env, hub_url, "validate", "--as", PROVINCE, str(good))
    assert code == 0, out
    assert out.startswith(f"{good}: OK (document 000.00.00.H45,2018/06/14,125/UBND-KT")

    code, out = await cli(capsys, hub_env, hub_url, "validate", "--as", PROVINCE, str(good),
                          str(bad))
    assert code == 1
    assert f"{bad}: INVALID" in out
    assert "DX_UNKNOWN_RECIPIENT at edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To/OrganId" \
        in out
    assert "vi: Không có đơn vị nhận với mã: 999.99.99.H45." in out
    assert "en: Unknown recipient code(s): 999.99.99.H45." in out

    code, out = await cli(capsys, hub_env, hub_url, "validate", "--as", PROVINCE, "--json",
                          str(bad))
    report = json.loads(out)
    assert report["file"] == str(bad) and report["valid"] is False


async def test_client_sends_json_and_validates(province: HubClient, so_noi_vu: HubClient) -> None:
    document = {"to": [SO_NOI_VU], "code_number": "9", "code_notation": "UBND-VP",
                "subject": "V/v gửi bằng JSON", "sent_at": "2026-11-28T10:00:00+07:00",
                "attachments": [{"name": "a.pdf", "content_base64": "JVBERi0xLjQK"}]}
    report = await province.validate_document(document)
    assert report["valid"] is True
    receipt = await province.send_document_json(document)
    data = await so_noi_vu.fetch(receipt["message_id"])
    assert hashlib.sha256(data).hexdigest() == receipt["sha256"]
    assert (await province.validate_document(data))["valid"] is True
