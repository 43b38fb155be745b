"""Directory through the CLI and the exchange: units, aliases, retired units, groups."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.cli import main
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document

OLD = "000.00.99.H45"


def _cli(env: HubEnv, *args: str) -> int:
    return main(["--config", str(env.config_path), *args])


async def _acli(env: HubEnv, *args: str) -> int:
    """main() runs its own event loop: from an async test, call it in a thread."""
    return await asyncio.to_thread(_cli, env, *args)


def test_units_list_show_export_import(hub_env: HubEnv, capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    assert _cli(hub_env, "units", "list", "--parent", SONG_HINH) == 0
    out = capsys.readouterr().out
    assert "Sơn Giang" in out and len(out.splitlines()) == 11
    assert _cli(hub_env, "units", "show", SO_NOI_VU) == 0
    assert "Sở Nội vụ" in capsys.readouterr().out
    export = tmp_path / "units.csv"
    assert _cli(hub_env, "units", "export", "--out", str(export)) == 0
    rows = list(csv.DictReader(io.StringIO(export.read_text("utf-8"))))
    assert len(rows) >= 100
    rows[0]["name"] = "Tên mới"
    with export.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert _cli(hub_env, "units", "import", str(export)) == 0
    assert "0 added" in capsys.readouterr().out
    assert _cli(hub_env, "units", "show", rows[0]["organ_id"]) == 0
    assert "Tên mới" in capsys.readouterr().out


def test_bad_csv_names_line_and_column(hub_env: HubEnv, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("organ_id,name,kind\nX1,Đơn vị,planet\n", encoding="utf-8")
    assert _cli(hub_env, "units", "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert "DX_INVALID_UNIT" in err and "Line 2" in err and "kind" in err


async def _retire_and_client(env: HubEnv, aiohttp_client: Any, policy: str) -> TestClient:
    assert await _acli(env, "units", "add", OLD, "--name", "Sở cũ", "--kind", "department",
                "--parent", PROVINCE, "--valid-from", "2010-01-01", "--valid-to", "2020-12-31",
                "--successor", SO_NOI_VU) == 0
    from dataclasses import replace
    config = replace(env.config, exchange=replace(env.config.exchange, retired_recipient=policy))
    return await aiohttp_client(create_app(config))


async def test_retired_code_follows_its_successor(hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await _retire_and_client(hub_env, aiohttp_client, "follow")
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, [OLD]),
                             headers={**hub_env.auth(PROVINCE), **XML})
    receipt = await resp.json()
    assert resp.status == 202, receipt
    assert [r["organ_id"] for r in receipt["recipients"]] == [SO_NOI_VU]
    assert receipt["routing"][0]["via"] == "successor"
    assert OLD in receipt["routing"][0]["note"]


async def test_retired_code_is_refused_naming_the_successor(hub_env: HubEnv,
                                                            aiohttp_client: Any) -> None:
    client = await _retire_and_client(hub_env, aiohttp_client, "refuse")
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, [OLD]),
                             headers={**hub_env.auth(PROVINCE), **XML})
    body = await resp.json()
    assert resp.status == 422 and body["code"] == "DX_RETIRED_RECIPIENT"
    assert body["errors"][0]["successor"] == SO_NOI_VU and SO_NOI_VU in body["detail_en"]


async def test_alias_routes_to_the_current_unit(hub_env: HubEnv, aiohttp_client: Any) -> None:
    assert await _acli(hub_env, "units", "add", "000.00.77.H45", "--name", "Sở mới", "--kind",
                "department", "--parent", PROVINCE, "--alias", "OLD-CODE-1") == 0
    client = await aiohttp_client(create_app(hub_env.config))
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, ["OLD-CODE-1"]),
                             headers={**hub_env.auth(PROVINCE), **XML})
    receipt = await resp.json()
    assert [r["organ_id"] for r in receipt["recipients"]] == ["000.00.77.H45"]
    assert receipt["routing"][0]["via"] == "alias"


async def test_groups_cli_and_send_to_a_saved_list(hub_env: HubEnv, aiohttp_client: Any,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert await _acli(hub_env, "groups", "add", "HOP-GIAO-BAN", "--name", "Họp giao ban",
                "--member", SO_NOI_VU, "--member", SONG_HINH) == 0
    assert await _acli(hub_env, "groups", "add", "BAD", "--name", "x", "--member", "NOPE") == 1
    assert await _acli(hub_env, "groups", "list") == 0
    out = capsys.readouterr().out
    assert "HOP-GIAO-BAN" in out and "ALL-DEPARTMENTS" in out
    assert await _acli(hub_env, "groups", "show", "ALL-DISTRICTS") == 0
    assert SONG_HINH in capsys.readouterr().out
    client = await aiohttp_client(create_app(hub_env.config))
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, ["HOP-GIAO-BAN"]),
                             headers={**hub_env.auth(PROVINCE), **XML})
    receipt = await resp.json()
    assert sorted(r["organ_id"] for r in receipt["recipients"]) == [SO_NOI_VU, SONG_HINH]


def test_groups_import_from_csv(hub_env: HubEnv, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("group_id,name,description,kind,parent,members\n"
                    f"SH-ALL,Sông Hinh,,commune,{SONG_HINH},{SONG_HINH}\n", encoding="utf-8")
    assert _cli(hub_env, "groups", "import", str(path)) == 0
    assert _cli(hub_env, "groups", "show", "SH-ALL") == 0
    out = capsys.readouterr().out
    assert out.count(".31.H45") >= 12  # the district itself and its 11 communes


async def test_running_hub_picks_up_cli_changes(hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(hub_env.config))
    hub = client.app[__import__("docexchange.appkeys").appkeys.HUB_KEY]
    refresher = asyncio.create_task(hub.directory.refresh_forever(interval=0.05))
    try:
        assert await _acli(hub_env, "units", "add", "000.00.88.H45", "--name", "Ban mới",
                           "--kind", "department", "--parent", PROVINCE) == 0
        for _ in range(100):
            if hub.directory.get("000.00.88.H45"):
                break
            await asyncio.sleep(0.05)
        assert hub.directory.get("000.00.88.H45") is not None
    finally:
        refresher.cancel()


def test_units_export_writes_the_contacts_that_import_reads(
        hub_env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13: a directory exported, edited and imported again keeps whom to call."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("organ_id,name,kind,contact_person,contact_phone,contact_email\n"
                        f"{SO_NOI_VU},Sở Nội vụ,department,Nguyễn Văn An,0257 3 841 234,"
                        "an.nv@snv.example\n", encoding="utf-8")
    assert _cli(hub_env, "units", "import", str(contacts)) == 0
    export = tmp_path / "units.csv"
    assert _cli(hub_env, "units", "export", "--out", str(export)) == 0
    rows = {r["organ_id"]: r for r in csv.DictReader(io.StringIO(export.read_text("utf-8")))}
    row = rows[SO_NOI_VU]
    assert (row["contact_person"], row["contact_phone"], row["contact_email"]) == (
        "Nguyễn Văn An", "0257 3 841 234", "an.nv@snv.example")
    assert rows[PROVINCE]["contact_person"] == ""
    row["contact_phone"] = "0257 3 841 999"
    with export.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerows(rows.values())
    assert _cli(hub_env, "units", "import", str(export)) == 0
    capsys.readouterr()
    assert _cli(hub_env, "units", "export") == 0
    again = {r["organ_id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert again[SO_NOI_VU]["contact_person"] == "Nguyễn Văn An"
    assert again[SO_NOI_VU]["contact_phone"] == "0257 3 841 999"
