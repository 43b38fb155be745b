"""`docexchange units reorganise PLAN.csv --dry-run | --apply`: the plan, its checks, its event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, DbConn, HubEnv, db_rows
from tests.directory.reorg_helpers import (
    DEMO_PLAN,
    SO_CONG_THUONG,
    SO_GTVT,
    SO_TU_PHAP,
    SO_XAY_DUNG,
    cli,
    plan,
    write_plan,
)


def _unit(env: HubEnv, capsys: pytest.CaptureFixture[str], code: str) -> dict[str, object]:
    capsys.readouterr()
    assert cli(env, "units", "show", code) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_dry_run_of_the_demo_plan_prints_every_change_and_changes_nothing(
        hub_env: HubEnv, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(hub_env, "units", "reorganise", str(DEMO_PLAN), "--dry-run") == 0
    out = capsys.readouterr().out
    summary = next(line for line in out.splitlines() if line.startswith("summary: "))
    counts = dict(item.rsplit(" ", 1) for item in summary[9:].split(", "))
    # 112 communes → 34 (7 split), 9 districts dissolved, 19 departments → 13 (1 split),
    # the province into Đắk Lắk; 35 new units, all with placeholder OrganIds
    assert counts == {"created": "35", "dissolved": "9", "merged": "111", "renamed": "2",
                      "reparented": "16", "split": "8", "codes_following": "111",
                      "codes_stopping": "17", "open_deliveries_moving": "0",
                      "open_deliveries_staying": "0"}
    assert out.count("[placeholder OrganId]") == 35
    assert f"{SONG_HINH} stops (dissolved): refused with DX_RECIPIENT_REORGANISED" in out
    assert f"{PROVINCE} follows TAM.66.00000" in out
    assert "000.00.11.H45 stops (split into 000.00.12.H45, 000.00.16.H45, 000.00.15.H45)" in out
    assert "dry run: nothing was changed" in out
    assert _unit(hub_env, capsys, SONG_HINH)["valid_to"] is None
    assert db_rows(hub_env, "SELECT COUNT(*) FROM reorg_plans")[0][0] == 0


def test_demo_plan_marks_every_new_organ_id_as_placeholder() -> None:
    rows = [line.split(",") for line in DEMO_PLAN.read_text("utf-8").splitlines()
            if line.startswith("2025-07-01,create")]
    assert len(rows) == 35 and all(r[3].startswith("TAM.66.") and r[7] == "yes" for r in rows)
    assert "placeholder" in DEMO_PLAN.read_text("utf-8").splitlines()[2].lower()


def test_a_bad_plan_is_refused_as_a_whole_with_every_problem(
        hub_env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_plan(tmp_path, plan(f"2030-01-01,merge,{SO_GTVT},{SO_XAY_DUNG},,,,"), "a.csv")
    assert cli(hub_env, "units", "reorganise", str(first), "--apply") == 0
    bad = write_plan(tmp_path, plan(
        f"2030-06-01,rename,{SO_NOI_VU},{SO_NOI_VU},Sở Nội vụ (mới),,,",  # fine alone
        "2030-06-01,merge,000.00.99.H45,000.00.03.H45,,,,",                 # unknown code
        f"2030-06-01,merge,{SO_TU_PHAP},{SO_CONG_THUONG},,,,",              # cycle …
        f"2030-06-01,merge,{SO_CONG_THUONG},{SO_TU_PHAP},,,,",              # … back
        "2030-06-01,split,000.00.13.H45,000.00.14.H45,,,,",                 # merged and split
        "2030-06-01,merge,000.00.13.H45,000.00.15.H45,,,,",
        "2029-12-31,dissolve,000.00.18.H45,,,,,",                           # before applied plan
        f"2030-06-01,dissolve,{SONG_HINH},,,,,",                            # communes orphaned
        "2030-06-01,explode,000.00.19.H45,,,,,"), "bad.csv")                # unknown operation
    assert cli(hub_env, "units", "reorganise", str(bad), "--apply") == 2
    err = capsys.readouterr().err
    assert "DX_INVALID_PLAN" in err
    for expected in ("line 3: unknown code 000.00.99.H45",
                     f"line 4: cycle of successors: {SO_TU_PHAP} → {SO_CONG_THUONG} → "
                     f"{SO_TU_PHAP}",
                     "line 6: 000.00.13.H45 is both merge and split",
                     "line 8: date 2029-12-31 is in the past of an applied plan",
                     f"line 9: children of {SONG_HINH} left without a parent: 000.01.31.H45",
                     "line 10: unknown operation 'explode'"):
        assert expected in err, (expected, err)
    # nothing of it was applied, not even the good rename
    assert _unit(hub_env, capsys, SO_NOI_VU)["name"] == "Sở Nội vụ"
    assert db_rows(hub_env, "SELECT COUNT(*) FROM reorg_plans")[0][0] == 1


def test_apply_is_one_logged_signed_event_and_the_same_plan_only_once(
        hub_env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_plan(tmp_path, plan(
        f"2030-01-01,merge,{SO_GTVT},{SO_XAY_DUNG},,,,",
        f"2030-01-01,rename,{SO_TU_PHAP},{SO_TU_PHAP},Sở Tư pháp tỉnh,,,"))
    assert cli(hub_env, "units", "reorganise", str(path), "--apply") == 0
    out = capsys.readouterr().out
    assert f"{SO_GTVT} follows {SO_XAY_DUNG}" in out and "applied as plan" in out
    db = DbConn(hub_env)
    leaves = db.execute("SELECT leaf_index, data FROM log_leaves WHERE event = "
                        "'reorganisation_applied'").fetchall()
    assert len(leaves) == 1
    body = json.loads(leaves[0][1])
    assert body["effective_dates"] == ["2030-01-01"] and len(body["operations"]) == 2
    assert db.execute("SELECT COUNT(*) FROM tree_heads WHERE tree_size > ?",
                      (leaves[0][0],)).fetchone()[0] >= 1  # sealed under a signed head
    unit = _unit(hub_env, capsys, SO_GTVT)
    assert unit["valid_to"] == "2029-12-31" and unit["successors"] == [SO_XAY_DUNG]
    assert _unit(hub_env, capsys, SO_TU_PHAP)["name"] == "Sở Tư pháp tỉnh"
    assert cli(hub_env, "units", "reorganise", str(path), "--apply") == 2
    assert "DX_CONFLICT" in capsys.readouterr().err
    assert db.execute("SELECT COUNT(*) FROM log_leaves WHERE event = "
                      "'reorganisation_applied'").fetchone()[0] == 1
    db.close()


def test_readme_offers_the_dry_run_of_the_demo_plan() -> None:
    readme = (DEMO_PLAN.parents[1] / "README.md").read_text("utf-8")
    assert "docexchange units reorganise config/reorg-2025-07.csv --dry-run" in readme
