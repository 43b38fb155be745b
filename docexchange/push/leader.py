"""One hub process at a time runs the outbound workers (push, relay).

With `serve --workers N` every process opens the hub; N push workers would race for the same
queue rows and push each document N times (harmless to an idempotent receiver, but wasteful
and noisy on the timeline). A non-blocking flock on a file beside the database (with
PostgreSQL: beside the blob folder; see StorageConfig.lock_path) elects one;
the kernel releases it when that process dies, even by SIGKILL, and another takes over.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path


class Leadership:
    def __init__(self, lock_path: Path) -> None:
        self._path = lock_path
        self._fd: int | None = None

    def try_take(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def wait(self, interval: float = 2.0) -> None:
        while not self.try_take():
            await asyncio.sleep(interval)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
