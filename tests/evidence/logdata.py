"""Evidence logs made fast for tests: events appended straight through a real hub, then the
CLI's export and verify run on them (the verify output is returned for the assertions)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from docexchange.cli import main
from docexchange.commands.common import open_hub
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, DbConn, HubEnv

UNITS = (PROVINCE, SO_NOI_VU, SONG_HINH)


async def _append(config_path: Path, batches: Sequence[int], fresh: bool) -> None:
    async with open_hub(config_path) as hub:
        if fresh:
            await hub.db.write("forget_log", _forget_log)
        for number, size in enumerate(batches):
            def txn(conn: Any, size: int = size, number: int = number) -> None:
                for i in range(size):
                    unit = UNITS[i % len(UNITS)]
                    hub.evidence.append_txn(conn, "test_event", {
                        "batch": number, "n": i, "text": "Văn bản thử nghiệm"},
                        units=(unit,), message_id=f"m-{number}-{i}")
            await hub.db.write("test_events", txn)


def _forget_log(conn: Any) -> None:
    for table in ("log_leaves", "tree_heads", "merkle_nodes"):
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def add_events(env: HubEnv, batches: Sequence[int], *, fresh: bool = True) -> None:
    """One write batch (one signed tree head) per entry, of that many events, units in turn,
    in a log that starts with them (`fresh`: `init` logs the demo directory and credentials,
    which would only shift every index these tests count), or after what is there."""
    asyncio.run(_append(env.config_path, batches, fresh))


def database(env: HubEnv) -> DbConn:
    """A connection behind the hub's back, for tampering (either engine)."""
    return DbConn(env)


def export(env: HubEnv, out: Path, *extra: str) -> None:
    code = main(["--config", str(env.config_path), "audit", "export", "--out", str(out),
                 *extra])
    assert code == 0


def verify(env: HubEnv, path: Path, capsys: pytest.CaptureFixture[str],
           *certs: Path) -> tuple[int, str]:
    cert_args = [a for c in certs or (env.config.keys.dir / "hub-certs",)
                 for a in ("--hub-cert", str(c))]
    capsys.readouterr()
    code = main(["audit", "verify", str(path), *cert_args])
    return code, capsys.readouterr().out
