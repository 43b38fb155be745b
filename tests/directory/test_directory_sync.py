"""`docexchange units sync`: an axis agency list or a units CSV as a reviewed diff (new,
changed, gone, placeholders replaced), written only with --apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.directory.reorg_helpers import DEMO_PLAN, cli

EA_LY = "TAM.66.22237"  # placeholder OrganId of xã Ea Ly in the demo plan
OFFICIAL = "000.22.66.H99"  # an "official" code for the test (no real one is known)


def _show(env: HubEnv, capsys: pytest.CaptureFixture[str], code: str) -> dict[str, object]:
    capsys.readouterr()
    assert cli(env, "units", "show", code) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_agency_list_sync_is_reviewed_then_applied(hub_env: HubEnv, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(hub_env, "units", "reorganise", str(DEMO_PLAN), "--apply") == 0
    agencies = {"status": "OK", "ErrorCode": "0", "ErrorDesc": "", "data": [
        {"id": "1", "pid": "", "code": "TAM.66.00000", "name": "UBND tỉnh Đắk Lắk", "mail": ""},
        {"id": "2", "pid": "1", "code": SO_NOI_VU, "name": "Sở Nội vụ tỉnh Đắk Lắk",
         "mail": "snv@phuyen.example"},
        {"id": "3", "pid": "1", "code": OFFICIAL, "name": "UBND xã Ea Ly", "mail": ""},
        {"id": "4", "pid": "1", "code": "000.00.60.H45", "name": "Sở mới", "mail": ""},
        {"id": "5", "pid": "1", "code": "000.00.03.H45", "name": "Sở Tài chính",
         "deleted": True}]}
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps(agencies, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert cli(hub_env, "units", "sync", str(path)) == 0
    out = capsys.readouterr().out
    assert "new      000.00.60.H45 Sở mới" in out
    assert f"replaces {EA_LY} (placeholder) → {OFFICIAL} UBND xã Ea Ly" in out
    assert f"changed  {SO_NOI_VU} name: 'Sở Nội vụ' → 'Sở Nội vụ tỉnh Đắk Lắk'" in out
    assert "gone     000.00.03.H45 Sở Tài chính" in out
    assert "review only" in out
    assert _show(hub_env, capsys, SO_NOI_VU)["name"] == "Sở Nội vụ"  # nothing written yet

    assert cli(hub_env, "units", "sync", str(path), "--apply") == 0
    assert _show(hub_env, capsys, SO_NOI_VU)["name"] == "Sở Nội vụ tỉnh Đắk Lắk"
    assert _show(hub_env, capsys, "000.00.60.H45")["parent"] == "TAM.66.00000"
    placeholder = _show(hub_env, capsys, EA_LY)
    assert placeholder["successors"] == [OFFICIAL] and placeholder["valid_to"] is not None
    official = _show(hub_env, capsys, OFFICIAL)
    assert official["placeholder"] is False and EA_LY in official["aliases"]  # type: ignore[operator]
    assert _show(hub_env, capsys, "000.00.03.H45")["valid_to"] is None  # gone: only listed
    assert _show(hub_env, capsys, PROVINCE)["successors"] == ["TAM.66.00000"]


def test_units_csv_sync_lists_changes(hub_env: HubEnv, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "units.csv"
    assert cli(hub_env, "units", "export", "--out", str(export)) == 0
    text = export.read_text("utf-8").replace(",Sở Nội vụ,", ",Sở Nội vụ (sửa),")
    export.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert cli(hub_env, "units", "sync", str(export), "--format", "csv") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-2] == "0 new, 0 replacing placeholders, 1 changed, 0 gone"
