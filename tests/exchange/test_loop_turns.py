"""Inline inspections take turns on the event loop (issue 12, loop lag <= 20 ms): a burst of
small packets is spread over loop iterations instead of running back to back in one, so a
request arriving amid them is served between two of them. Iterations are counted by a
callback that re-schedules itself (it runs exactly once per iteration); no clock is read."""

from __future__ import annotations

import asyncio
import collections
import os
from typing import Any

import pytest

from docexchange.exchange.inspection_pool import InspectionPool
from docexchange.exchange.loop_turns import LoopTurns
from tests.conftest import PROVINCE, SO_NOI_VU
from tests.exchange.helpers import document


class IterationCounter:
    """The number of the loop iteration now running."""

    def __init__(self) -> None:
        self.count = 0
        self._loop = asyncio.get_running_loop()
        self._handle = self._loop.call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        self._handle = self._loop.call_soon(self._tick)

    def stop(self) -> None:
        self._handle.cancel()


async def test_a_line_is_let_in_a_quarter_at_a_time_in_arrival_order() -> None:
    """With no budget (and, on a clock that stands still, no time taken by anything), twenty
    jobs that all arrive in one iteration run one first, then a quarter of the line (rounded
    up) per iteration, first come first served."""
    turns, ticks = LoopTurns(budget=0, clock=lambda: 0.0), IterationCounter()
    ran: list[tuple[int, int]] = []

    async def one(n: int) -> int:
        return await turns.run(lambda: ran.append((n, ticks.count)) or n)

    assert await asyncio.gather(*(one(n) for n in range(20))) == list(range(20))
    ticks.stop()
    assert [n for n, _ in ran] == list(range(20))
    per_tick = collections.Counter(tick for _, tick in ran)
    assert [per_tick[tick] for tick in sorted(per_tick)] == [1, 5, 4, 3, 2, 2, 1, 1, 1]


async def test_each_iteration_runs_what_its_budget_holds() -> None:
    """Jobs of 1 (fake) second and a budget of 3: of 20 jobs arriving in one iteration the
    first three run at once, then five (a quarter of the 17 waiting), then three per iteration,
    what the budget holds."""
    clock = [0.0]
    turns, ticks = LoopTurns(budget=3, clock=lambda: clock[0]), IterationCounter()
    per_tick = collections.Counter[int]()

    def job() -> None:
        clock[0] += 1
        per_tick[ticks.count] += 1

    await asyncio.gather(*(turns.run(job) for _ in range(20)))
    ticks.stop()
    assert [per_tick[tick] for tick in sorted(per_tick)] == [3, 5, 3, 3, 3, 3]


async def test_long_other_work_gives_the_jobs_a_matching_turn() -> None:
    """Other callbacks taking 6 (fake) seconds per iteration: the waiting 1-second jobs get
    about as much (6 per iteration, not the budget's 3), so a busy loop cannot starve them."""
    clock = [0.0]
    turns, ticks = LoopTurns(budget=3, clock=lambda: clock[0]), IterationCounter()
    per_tick = collections.Counter[int]()
    loop = asyncio.get_running_loop()

    def other_work() -> None:
        clock[0] += 6
        handle[0] = loop.call_soon(other_work)

    handle = [loop.call_soon(other_work)]

    def job() -> None:
        clock[0] += 1
        per_tick[ticks.count] += 1

    await asyncio.gather(*(turns.run(job) for _ in range(27)))
    ticks.stop()
    handle[0].cancel()
    assert [per_tick[tick] for tick in sorted(per_tick)] == [3, 6, 6, 6, 6]


async def test_a_cancelled_waiter_gives_its_turn_up_and_a_failing_job_frees_its_own() -> None:
    turns = LoopTurns(budget=0, clock=lambda: 0.0)
    ran: list[int] = []

    def fail() -> None:
        raise ValueError("bad packet")

    first = asyncio.create_task(turns.run(fail))
    waiting = asyncio.create_task(turns.run(lambda: ran.append(1)))
    last = asyncio.create_task(turns.run(lambda: ran.append(2)))
    await asyncio.sleep(0)  # all three have arrived; the first has run and failed
    waiting.cancel()
    with pytest.raises(ValueError):
        await first
    await last
    assert ran == [2]
    assert waiting.cancelled()


async def test_a_burst_of_small_packets_leaves_room_for_other_requests() -> None:
    """32 real 5 KB packets inspected inline at once, and a probe task (think /healthz) made
    right after them: without turns all 32 ran before the probe, in one iteration."""
    data = document(PROVINCE, [SO_NOI_VU], files=[("cv.pdf", os.urandom(3000))])
    pool = InspectionPool((), False, workers=1, inline_below=64 * 1024)
    ticks, done = IterationCounter(), collections.Counter[int]()

    async def inspect() -> Any:
        inspection = await pool.inspect(data)
        done[ticks.count] += 1
        return inspection

    async def probe() -> int:
        return sum(done.values())

    try:
        burst = [asyncio.create_task(inspect()) for _ in range(32)]
        seen_by_probe = await asyncio.create_task(probe())
        results = await asyncio.gather(*burst)
    finally:
        ticks.stop()
        pool.close()
    assert all(r.packet is not None for r in results)
    assert seen_by_probe < 32
    assert max(done.values()) < 32 and len(done) > 1
