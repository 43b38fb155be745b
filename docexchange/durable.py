"""The package's one way to put a file on disk durably (issue 11: there were four, one
without fsync).

A file the hub or its CLI relies on after a crash (keys and certificates, sealed VDXP secrets,
dev credentials, payload blobs, a saved packet that is acknowledged next, a receipt that is the
sender's proof) is written to a temporary file in the target's folder, fsync'ed, renamed over
the target and the folder fsync'ed: a crash leaves the old file or the new one, never a torn
or empty one, and the rename itself survives power loss. The temporary file is created with
its final mode (0600 for secrets, whose new folders are 0700), so an existing file's looser
mode is never inherited and no chmod ever follows a write.

tests/test_durable.py checks the fsyncs and that no other module renames, fsyncs or opens
files for writing where durability matters.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import IO, Any

PRIVATE = 0o600


def write_durably(path: Path, content: bytes, *, mode: int = PRIVATE) -> None:
    """Replace `path` with `content` atomically and durably; the file is born with `mode`
    (umask applies). A missing folder is created 0700 for a private file, else 0755."""
    path = Path(path)
    private = not mode & 0o077
    path.parent.mkdir(mode=0o700 if private else 0o755, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            sync(out)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def open_spool(path: Path) -> IO[bytes]:
    """A new private file to stream into (a large request body); `sync` it when complete,
    then `move_durably` it into place."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE), "wb")


def sync(handle: IO[Any]) -> None:
    """Python's buffer, then the kernel's: the bytes written so far are on the disk."""
    handle.flush()
    os.fsync(handle.fileno())


def move_durably(source: Path, target: Path) -> None:
    """Rename a synced file into place and make the rename itself durable."""
    os.replace(source, target)
    fsync_folder(target.parent)


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
