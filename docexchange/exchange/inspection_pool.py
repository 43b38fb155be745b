"""The worker processes that parse, validate and verify packets, so the event loop only moves
bytes (DESIGN.md §8, issue 12).

lxml, libxmlsec1 and signxml hold the GIL (or the whole core) while they work: on the event
loop a 5 KB signed packet costs about 0.8 ms, in which no other request is served, and a 5 MB
one 100 ms. Here that work runs in a persistent pool of processes, one per core, each started
with the trust store, the verifier and the XSDs already loaded (`packet_check.start_worker`).
A spooled body goes to the worker as its path, never as bytes: the hub process reads nothing
of a large packet. What comes back is the `light` inspection, a few kilobytes.

Workers are forked from a fork server that imported the inspection code once (not from the hub
process, whose threads a fork would copy mid-lock). A worker ends itself when the hub process
ends, however it ends: the executor's workers wait on a pipe whose writing end they hold
themselves, so after a SIGKILL of the hub they (and the fork server, which waits for them)
would otherwise live on. Packets of at most ``inline_below`` bytes
(`[exchange] inspect_inline_bytes`, 64 KiB) are inspected on the event loop: the pipe costs the
hub process about 0.2 ms per packet and the machine 0.3-0.5 ms more, which for a 5 KB packet
(0.8 ms) cost 5-10 % of the documents/s on two shared cores (bench/README.md). Inline
inspections take turns (exchange/loop_turns.py): a few milliseconds of them per loop iteration
at most, so that a burst of small packets does not keep /healthz or an inbox fetch waiting.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import select
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from docexchange.exchange.loop_turns import LoopTurns
from docexchange.exchange.packet_check import Inspection, inspect_source, start_worker

#: The code every worker needs, imported once by the fork server.
_PRELOAD = ["docexchange.exchange.inspection_pool"]


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _start_worker(hub_pid: int, trust_files: tuple[Path, ...], allow_sha1: bool) -> None:
    """A worker's initializer: watch the hub, then load what every inspection needs."""
    threading.Thread(target=_exit_after, args=(hub_pid,), name="hub-watch",
                     daemon=True).start()
    start_worker(trust_files, allow_sha1)


def _exit_after(pid: int) -> None:
    """Return never; end this process as soon as process ``pid`` has ended."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):  # no pidfd here: ask once a second
        while _alive(pid):
            time.sleep(1)
        os._exit(0)
    select.select([handle], [], [])  # readable when the process has ended
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ready() -> int:
    return os.getpid()


#: Seconds of inline inspections one loop iteration may run (at least one runs): about four
#: 5 KB packets. The lag they add is bounded by this, not by the number of senders.
INLINE_BUDGET = 0.002


class InspectionPool:
    """Inspects packets in ``workers`` processes, started on first use or by `warm()`."""

    def __init__(self, trust_files: tuple[Path, ...], allow_sha1: bool, *, workers: int = 0,
                 inline_below: int = 0) -> None:
        """``workers``: 0 for one per core. ``inline_below``: packets of at most this many
        bytes are inspected in the calling process (0: none)."""
        self._trust, self._sha1 = trust_files, allow_sha1
        self._workers = workers or cores()
        self.inline_below = inline_below
        self._turns = LoopTurns(INLINE_BUDGET)
        self._executor: ProcessPoolExecutor | None = None
        self._starting = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._starting:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(_PRELOAD)
                self._executor = ProcessPoolExecutor(
                    max_workers=self._workers, mp_context=context, initializer=_start_worker,
                    initargs=(os.getpid(), self._trust, self._sha1))
            return self._executor

    def warm(self) -> int:
        """Start every worker now and wait until each has loaded what it needs; returns how
        many answered. Blocking: `serve` runs it in a thread at start. Started on first use
        instead, the fork server's imports and each worker's start (0.1-0.3 s) would stall the
        event loop under the first large packet (seen as the 100 KB scenario's loop lag)."""
        pool = self._pool()
        pids = {future.result() for future in [pool.submit(_ready)
                                               for _ in range(self._workers * 2)]}
        return len(pids)

    async def inspect(self, source: bytes | Path, *, refuse_classified: bool = True
                      ) -> Inspection:
        """The inspection of packet bytes or of a spooled body's file; raises what
        `inspect_packet` raises (DocExchangeError pickles with its code and details)."""
        job = partial(inspect_source, source, self._trust, self._sha1, refuse_classified)
        if isinstance(source, bytes) and len(source) <= self.inline_below:
            return await self._turns.run(job)
        return await asyncio.get_running_loop().run_in_executor(self._pool(), job)

    def close(self) -> None:
        """Stop the workers; a packet being inspected is given up (its request fails)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
