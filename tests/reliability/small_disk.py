"""A small real file system for the hub's var/: a tmpfs the test mounts (the suite runs as root,
as `make test` and CI do), filled up and emptied again by the test."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


@contextmanager
def small_disk(var: Path, headroom: int = 8 * 1024 * 1024) -> Iterator[Path]:
    """Mount a tmpfs over `var` (its content copied in) with `headroom` bytes to spare."""
    saved = var.with_name(var.name + ".saved")
    var.rename(saved)
    var.mkdir()
    size_kib = (_du(saved) + headroom) // 1024 + 1
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs",
                    str(var)], check=True)
    try:
        shutil.copytree(saved, var, dirs_exist_ok=True)
        yield var
    finally:
        subprocess.run(["umount", "-l", str(var)], check=False)


def fill(path: Path) -> int:
    """Write `path` until the file system is full; returns the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with path.open("wb", buffering=0) as out:
        while True:
            try:
                written += out.write(chunk) or 0
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    return written
                chunk = chunk[: len(chunk) // 2]  # top up the last blocks too


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize
