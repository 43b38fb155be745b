"""Leaf indexes are counted in memory per write batch (one MAX+1 read per batch, not per
leaf): a job rolled back to its savepoint between two good ones must give its indexes back,
so the log stays gap-free and `audit verify` accepts it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from docexchange.commands.common import open_hub
from tests.conftest import SO_NOI_VU, HubEnv
from tests.evidence.logdata import export, verify


class Refused(Exception):
    pass


async def _one_batch_with_a_failing_job(env: HubEnv) -> tuple[list[Any], int, int]:
    """A good job, a job that appends two leaves then fails, a good job: one batch."""
    async with open_hub(env.config_path) as hub:
        release = threading.Event()

        def hold(conn: Any) -> None:  # a batch of its own while the others queue up
            release.wait(10)

        def good(tag: str) -> Any:
            def txn(conn: Any) -> int:
                return hub.evidence.append_txn(conn, "test_event", {"tag": tag},
                                               units=(SO_NOI_VU,))
            return txn

        def bad(conn: Any) -> None:
            hub.evidence.append_txn(conn, "test_event", {"tag": "bad-1"}, units=(SO_NOI_VU,))
            hub.evidence.append_txn(conn, "test_event", {"tag": "bad-2"}, units=(SO_NOI_VU,))
            raise Refused("rolled back to its savepoint")

        held = asyncio.ensure_future(hub.db.write("hold", hold))
        await asyncio.sleep(0.2)  # the writer runs `hold`; the next jobs queue behind it
        batches_before = hub.db.stats.batches
        jobs = [asyncio.ensure_future(hub.db.write("good", good("first"))),
                asyncio.ensure_future(hub.db.write("bad", bad)),
                asyncio.ensure_future(hub.db.write("good", good("second")))]
        await asyncio.sleep(0.2)
        release.set()
        await held
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        return outcomes, hub.db.stats.batches - batches_before, hub.evidence.heads_signed


def test_a_failing_job_between_two_good_ones_leaves_no_gap(
        hub_env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcomes, batches, heads = asyncio.run(_one_batch_with_a_failing_job(hub_env))
    first, failed, second = outcomes
    assert isinstance(failed, Refused)
    assert batches == 2, "the three jobs must have shared one batch (after `hold`'s own)"
    assert heads == 1  # one signed head for the batch
    assert second == first + 1  # the rolled-back job's two indexes were given back
    out = tmp_path / "audit.jsonl"
    export(hub_env, out)
    code, output = verify(hub_env, out, capsys)
    assert code == 0, output
    assert output.startswith(f"OK: {second + 1} leaves"), output


async def _a_failing_job_then_more_batches(env: HubEnv) -> list[int]:
    """The counter also starts afresh after a batch whose only leaf-adding job failed."""
    async with open_hub(env.config_path) as hub:
        def bad(conn: Any) -> None:
            hub.evidence.append_txn(conn, "test_event", {"tag": "bad"}, units=(SO_NOI_VU,))
            raise Refused("no")

        def good(conn: Any) -> int:
            return hub.evidence.append_txn(conn, "test_event", {"tag": "ok"},
                                           units=(SO_NOI_VU,))
        indexes = [await hub.db.write("good", good)]
        with pytest.raises(Refused):
            await hub.db.write("bad", bad)
        indexes += [await hub.db.write("good", good), await hub.db.write("good", good)]
        return indexes


def test_indexes_continue_after_a_batch_whose_job_failed(
        hub_env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, *rest = asyncio.run(_a_failing_job_then_more_batches(hub_env))
    assert rest == [first + 1, first + 2]
    out = tmp_path / "audit.jsonl"
    export(hub_env, out)
    code, output = verify(hub_env, out, capsys)
    assert code == 0, output
