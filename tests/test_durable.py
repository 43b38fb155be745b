"""docexchange/durable.py is the one durable-file writer, and it really syncs (issue 11:
there were four writers, one without fsync).

fsync's effect cannot be observed without cutting the power, so the writer is checked by
counting its fsync calls on the file and on the folder; everything else (modes, atomicity,
no temporary file left) is observed on a real disk.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

import docexchange
from docexchange import durable

ROOT = Path(docexchange.__file__).parent

#: renaming or syncing a file: only durable.py does it
SYNC_OR_RENAME = re.compile(r"os\.(fsync|fdatasync|replace|rename)\(|\.rename\(|\.replace\(\w*path")
#: opening a file for writing (or copying one into place)
WRITE_OPEN = re.compile(r"""open\([^)]*["'][wax]b?\+?["']|\.open\(["'][wax]|O_WRONLY|O_RDWR|"""
                        r"""O_CREAT|\.write_bytes\(|\.write_text\(|shutil\.copy""")
#: the other places that write files, and why durability does not matter there
NOT_DURABLE = {
    "cli.py": "stdout/stderr redirected to /dev/null",
    "logs.py": "a buffered writer on stderr's own descriptor: log lines, not data",
    "store/leadership.py": "the leader's lock file (SQLite): its content is never read",
    "store/sqlite.py": "the writer's lock file: its content is never read",
    "extract.py": "attachments unpacked for a person to open, created exclusively",
    "samples.py": "sample packets a developer regenerates in the checkout",
    "commands/units.py": "`units export`: a CSV the operator asked for, made again at will",
    "commands/audit.py": "`audit export`: a copy of the log, made again at will",
    "commands/init.py": "hub.toml copied from the example on the first run",
}


def _lines(pattern: re.Pattern[str]) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
            for path in sorted(ROOT.rglob("*.py")) if path != ROOT / "durable.py"
            for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
            if pattern.search(line)]


def test_no_other_module_renames_or_syncs_files() -> None:
    assert not _lines(SYNC_OR_RENAME)


def test_files_are_written_elsewhere_only_where_durability_does_not_matter() -> None:
    found = {line.split(":")[0] for line in _lines(WRITE_OPEN)}
    assert found <= set(NOT_DURABLE), sorted(found - set(NOT_DURABLE))


def test_the_writer_syncs_the_file_then_the_folder(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real = os.fsync

    def counting(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)
    monkeypatch.setattr(durable.os, "fsync", counting)
    target = tmp_path / "keys" / "unit.key"
    durable.write_durably(target, b"secret")
    assert synced == ["file", "folder"]
    assert target.read_bytes() == b"secret"


def test_modes_are_born_private(tmp_path: Path) -> None:
    target = tmp_path / "new" / "credentials.json"
    durable.write_durably(target, b"{}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    loose = tmp_path / "loose.key"
    loose.write_bytes(b"old")
    loose.chmod(0o644)
    durable.write_durably(loose, b"new")  # a looser existing mode is not inherited
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "receipt.json"
    target.write_bytes(b"old")

    def broken(fd: int) -> None:
        raise OSError(5, "I/O error")
    monkeypatch.setattr(durable.os, "fsync", broken)
    with pytest.raises(OSError):
        durable.write_durably(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["receipt.json"]


def test_a_spool_is_synced_and_moved_durably(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real = os.fsync

    def counting(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)
    monkeypatch.setattr(durable.os, "fsync", counting)
    spool = tmp_path / "spool"
    with durable.open_spool(spool) as out:
        out.write(b"body")
        durable.sync(out)
    (tmp_path / "ab").mkdir()
    durable.move_durably(spool, tmp_path / "ab" / "blob")
    assert synced == ["file", "folder"]
    assert stat.S_IMODE((tmp_path / "ab" / "blob").stat().st_mode) == 0o600
