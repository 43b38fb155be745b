"""Real hubs for the benchmark harness: `docexchange init` and `docexchange serve` in a
throw-away folder, with the example configuration as shipped (production settings: FULL
synchronous commits, access log, per-unit rate limits), and what the OS says they cost.

``STARTERS`` maps a setup name to a function that starts one; the PostgreSQL one- and two-node
setups (helper "nodes", issue 11) register theirs here with the same ``Hub`` shape: a URL,
the credentials file and the PIDs whose CPU and memory count as the hub's.
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

try:
    from packets import make_project
except ImportError:  # imported as bench.hubs
    from bench.packets import make_project


@dataclass
class Hub:
    """A running hub: stop() ends it. ``pids`` are the server processes (children included
    when CPU and memory are read)."""

    name: str
    url: str
    credentials: dict
    pids: list[int]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sqlite(root: Path, workers: int = 1, options: dict[str, int] | None = None) -> Hub:
    """One `docexchange serve` (``workers`` processes) on a fresh SQLite database; ``options``
    replace `[exchange]` values of the example configuration (a larger max_packet_bytes)."""
    config = make_project(root)
    for name, value in (options or {}).items():
        text = config.read_text("utf-8")
        config.write_text(re.sub(rf"(?m)^{name} = .*$", f"{name} = {value}", text), "utf-8")
    exe = [sys.executable, "-m", "docexchange", "--config", str(config)]
    subprocess.run([*exe, "init"], check=True, capture_output=True)
    credentials = json.loads((root / "keys" / "dev-credentials.json").read_text("utf-8"))
    port = free_port()
    server = subprocess.Popen([*exe, "serve", "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_ready(url, server)
    return Hub(f"sqlite, {workers} process(es)", url, credentials, [server.pid], [server])


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


#: Setups the harness runs, in order. PostgreSQL (one and two nodes) goes here when it lands.
STARTERS: dict[str, Callable[[Path], Hub]] = {"sqlite-1": start_sqlite}


def tree(pid: int) -> list[int]:
    """The process and its descendants (workers, the parse pool)."""
    found = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
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
