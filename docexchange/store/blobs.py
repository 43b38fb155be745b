"""Content-addressed payload store: the exact bytes each sender sent, named by SHA-256.

A blob is written to a temporary file, fsync'ed, renamed into place and its folder fsync'ed
before the database row that references it commits, so a 2xx never points at a missing file.
Bodies are spooled here while they stream in (`spool()`), then adopted by rename: a 100 MB
packet is never copied. A full or failing disk raises DX_STORAGE_UNAVAILABLE (store/failures.py)
and leaves no partial file behind.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from docexchange.durable import move_durably, open_spool, sync
from docexchange.store.failures import storage_error


@contextmanager
def _storage_failures() -> Iterator[None]:
    """Re-raise disk-full and I/O errors as DX_STORAGE_UNAVAILABLE."""
    try:
        yield
    except OSError as exc:
        translated = storage_error(exc)
        if translated is exc:
            raise
        raise translated from exc


class SpoolFile:
    """A temporary file that hashes what is written to it, unless its writer hashes the
    bytes itself (a request body is hashed as it streams, for checks made before it ends):
    one SHA-256 per body, not two."""

    def __init__(self, path: Path, *, hashing: bool = True) -> None:
        self.path = path
        self.size = 0
        self._hash = hashlib.sha256() if hashing else None
        with _storage_failures():
            self._file: IO[bytes] = open_spool(path)  # closed in finish()/discard()

    def write(self, chunk: bytes) -> None:
        with _storage_failures():
            self._file.write(chunk)
        if self._hash is not None:
            self._hash.update(chunk)
        self.size += len(chunk)

    def finish(self) -> str:
        """Flush to disk; returns the hex SHA-256 ("" when not hashing)."""
        with _storage_failures():
            sync(self._file)
            self._file.close()
        return "" if self._hash is None else self._hash.hexdigest()

    def discard(self) -> None:
        if not self._file.closed:
            try:
                self._file.close()  # flushing buffered bytes may fail on a full disk
            except OSError:
                pass
        self.path.unlink(missing_ok=True)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._spool_dir = root / "spool"

    def open(self) -> None:
        self._spool_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in self._spool_dir.iterdir():  # bodies of requests cut by a crash
            stale.unlink(missing_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def spool(self, *, hashing: bool = True) -> SpoolFile:
        """A new spool file; ``hashing=False`` when the writer hashes the bytes itself."""
        return SpoolFile(self._spool_dir / uuid.uuid4().hex, hashing=hashing)

    def adopt(self, spool_path: Path, sha256: str) -> Path:
        """Move a finished spool file into place (durably); an existing blob wins."""
        target = self.path_for(sha256)
        if target.exists():
            spool_path.unlink(missing_ok=True)
            return target
        with _storage_failures():
            target.parent.mkdir(parents=True, exist_ok=True)
            move_durably(spool_path, target)
        return target

    def put(self, data: bytes) -> str:
        """Store bytes durably; returns their SHA-256."""
        spool = self.spool()
        try:
            spool.write(data)
            digest = spool.finish()
        except BaseException:
            spool.discard()
            raise
        self.adopt(spool.path, digest)
        return digest

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()
