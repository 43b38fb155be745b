"""Real hubs for the benchmark harness: `docexchange init` and `docexchange serve` in a
throw-away folder, with the example configuration as shipped (production settings: FULL
synchronous commits, access log, per-unit rate limits), and what the OS says they cost.

``STARTERS`` maps a setup name to a function that starts one: SQLite as shipped, SQLite with
one `serve` process per core, and PostgreSQL (a throw-away durable server, fsync on, started by
scripts/postgresql-throwaway.sh; the initialised hub copied into it with `store migrate`) with
one and with two nodes. Every setup has the same ``Hub`` shape: its URLs (one per node), the
credentials file, and the PIDs whose CPU and memory count as the hub's (the PostgreSQL server's
included: its work is the hub's work).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

try:
    from packets import make_project
except ImportError:  # imported as bench.hubs
    from bench.packets import make_project


@dataclass
class Hub:
    """A running hub: stop() ends it. ``pids`` are the server processes (children included
    when CPU and memory are read)."""

    name: str
    urls: list[str]
    credentials: dict
    pids: list[int]
    processes: list[subprocess.Popen] = field(default_factory=list)
    #: hub processes doing the hub's Python work (the divisor of the primitive bound)
    hub_processes: int = 1
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.urls[0]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for cleanup in reversed(self.cleanups):
            cleanup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _initialised(root: Path, options: dict[str, Any] | None) -> tuple[list[str], dict]:
    """`docexchange init` in a fresh project folder: the command prefix and the credentials.
    ``options`` replace values of the example configuration (a larger max_packet_bytes)."""
    config = make_project(root)
    for name, value in (options or {}).items():
        text = config.read_text("utf-8")
        config.write_text(re.sub(rf"(?m)^{name} = .*$", f"{name} = {value}", text), "utf-8")
    exe = [sys.executable, "-m", "docexchange", "--config", str(config)]
    subprocess.run([*exe, "init"], check=True, capture_output=True)
    return exe, json.loads((root / "keys" / "dev-credentials.json").read_text("utf-8"))


def _serve(exe: list[str], workers: int | None = None) -> tuple[str, subprocess.Popen]:
    port = free_port()
    more = ["--workers", str(workers)] if workers else []
    server = subprocess.Popen([*exe, "serve", "--port", str(port), *more],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_ready(url, server)
    return url, server


def start_sqlite(root: Path, workers: int | None = None,
                 options: dict[str, Any] | None = None) -> Hub:
    """One `docexchange serve` on a fresh SQLite database: as configured (server.workers of
    the example configuration) or with ``workers`` processes."""
    exe, credentials = _initialised(root, options)
    url, server = _serve(exe, workers)
    processes = _hub_processes(server.pid) if workers is None else workers
    return Hub(f"sqlite, {processes} process(es)", [url], credentials, [server.pid], [server],
               hub_processes=processes)


def start_sqlite_per_core(root: Path) -> Hub:
    return start_sqlite(root, workers=os.cpu_count() or 1)


def _hub_processes(pid: int) -> int:
    """`serve` processes in the tree (the inspection pool's workers are not hub processes)."""
    found = 0
    for each in tree(pid):
        try:
            command = Path(f"/proc/{each}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        found += b"serve" in command
    return max(found, 1)


def start_postgresql(root: Path, nodes: int = 1, options: dict[str, Any] | None = None) -> Hub:
    """A throw-away durable PostgreSQL (fsync on, as in production), the initialised hub copied
    into it with `docexchange store migrate`, and ``nodes`` `serve` processes on it."""
    script = REPO / "scripts" / "postgresql-throwaway.sh"
    server = subprocess.run(["bash", str(script), "start", str(root / "pg")], check=True,
                            capture_output=True, text=True).stdout.strip()
    hub = Hub(f"postgresql, {nodes} node(s)", [], {}, [], hub_processes=nodes)
    hub.cleanups.append(lambda: subprocess.run(["bash", str(script), "stop", str(root / "pg")],
                                               check=False, capture_output=True))
    try:
        exe, hub.credentials = _initialised(root / "hub", options)
        database = server.rsplit("/", 1)[0] + "/postgres"
        subprocess.run([*exe, "store", "migrate", "--to", database], check=True,
                       capture_output=True)
        config = Path(exe[-1])
        config.write_text(re.sub(r"(?m)^database = .*$", f'database = "{database}"',
                                 config.read_text("utf-8")), "utf-8")
        for _ in range(nodes):
            url, process = _serve(exe, 1)
            hub.urls.append(url)
            hub.processes.append(process)
            hub.pids.append(process.pid)
        hub.pids.append(_postmaster(root / "pg"))
    except BaseException:
        hub.stop()
        raise
    return hub


def _postmaster(folder: Path) -> int:
    return int((folder / "data" / "postmaster.pid").read_text().split()[0])


def _wait_ready(url: str, server: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the hub exited with {server.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the hub was not ready within a minute")


#: Setups the harness runs, in order.
STARTERS: dict[str, Callable[[Path], Hub]] = {
    "sqlite": start_sqlite,
    "sqlite-per-core": start_sqlite_per_core,
    "postgresql-1": start_postgresql,
    "postgresql-2": lambda root: start_postgresql(root, nodes=2),
}


def tree(pid: int) -> list[int]:
    """The process and its descendants (workers, the parse pool), whichever of its threads
    started them (`serve` starts the inspection pool from a thread)."""
    found = [pid]
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += tree(int(child))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the hub's processes and their children so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in (p for root in pids for p in tree(root)):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def peak_rss_mb(pids: list[int]) -> float:
    """Peak resident memory (VmHWM) summed over the hub's processes, in MB."""
    total = 0
    for pid in (p for root in pids for p in tree(root)):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024
