"""`docexchange serve` as a real process on a free loopback port, for the tests that need a
process of its own: SIGKILLs, resident memory, what it leaves on disk."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from tests.conftest import HubEnv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubProcess:
    """One hub process; its stderr goes to `log` (scanned by the tests that check what a hub
    leaves on disk)."""

    def __init__(self, env: HubEnv, *extra_args: str) -> None:
        self.env = env
        self.port = free_port()
        self.extra_args = extra_args
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: Path = env.root / "hub-stderr.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 30) -> float:
        """Start and wait for /readyz; returns the seconds from spawn to ready."""
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "docexchange", "--config", str(self.env.config_path),
                 "serve", "--port", str(self.port), *self.extra_args],
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = started + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            while time.monotonic() < deadline:
                try:
                    async with session.get(f"{self.url}/readyz") as resp:
                        if resp.status == 200:
                            return time.monotonic() - started
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.02)
        raise AssertionError("hub did not become ready")

    def rss_kib(self) -> int:
        """Resident memory of the hub process, from /proc (KiB)."""
        assert self.proc is not None
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines()
                    if line.startswith("VmRSS:"))

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """SIGTERM: the hub shuts down cleanly (and stops its worker processes)."""
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=30)


def set_option(config_path: Path, name: str, value: int | bool) -> None:
    """Rewrite one integer or boolean option of a test hub's config file (it holds every
    option once)."""
    text = config_path.read_text("utf-8")
    toml = str(value).lower() if isinstance(value, bool) else str(value)
    new, count = re.subn(rf"(?m)^{name} = (\d+|true|false)$", f"{name} = {toml}", text)
    assert count == 1, name
    config_path.write_text(new, encoding="utf-8")
