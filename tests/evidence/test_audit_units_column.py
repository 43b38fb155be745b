"""The audit CSV's `units` column: each event's units as they were on its day (issue 14),
outside the signed JSON, so the file verifies as before, and files without it still do."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from docexchange.cli import main
from docexchange.commands.common import open_hub
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.evidence.logdata import export, verify


async def _events_then_rename(env: HubEnv, plan: Path) -> None:
    async with open_hub(env.config_path) as hub:
        def txn(conn: Any) -> None:
            hub.evidence.append_txn(conn, "test_event", {"sender": PROVINCE,
                                                         "recipients": [SO_NOI_VU]},
                                    units=(PROVINCE, SO_NOI_VU))
        await hub.db.write("test_events", txn)
        tomorrow = hub.directory.today(hub.config.zone) + dt.timedelta(days=1)
    plan.write_text("effective_date,operation,from_code,to_code,to_name\n"
                    f"{tomorrow},rename,{SO_NOI_VU},{SO_NOI_VU},Sở Nội vụ và Dân tộc\n",
                    encoding="utf-8")


def test_the_csv_names_each_events_units_as_they_were_and_still_verifies(
        hub_env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.csv"
    asyncio.run(_events_then_rename(hub_env, plan))
    assert main(["--config", str(hub_env.config_path), "units", "reorganise", str(plan),
                 "--apply"]) == 0
    out = tmp_path / "audit.csv"
    export(hub_env, out, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert list(rows[0]) == ["record", "index", "tree_size", "event", "time", "message_id",
                             "units", "json"]
    [event] = [r for r in rows if r["event"] == "test_event"]
    assert sorted(event["units"].split("; ")) == [  # in the order of the canonical JSON
        f"{PROVINCE} UBND tỉnh Phú Yên", f"{SO_NOI_VU} Sở Nội vụ (UBND tỉnh Phú Yên)"]
    code, output = verify(hub_env, out, capsys)
    assert code == 0 and output.startswith("OK"), output

    legacy = tmp_path / "legacy.csv"  # a file exported before the column existed
    with legacy.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([c for c in rows[0] if c != "units"])
        writer.writerows([v for k, v in r.items() if k != "units"] for r in rows)
    code, output = verify(hub_env, legacy, capsys)
    assert code == 0 and output.startswith("OK"), output
