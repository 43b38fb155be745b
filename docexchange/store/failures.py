"""Storage failures (disk full, I/O errors, a read-only disk) become one domain error.

Why: a full disk is an operating condition, not a bug. The caller must hear a 503 with a stable
code (retry later; nothing was stored), never a 500, and the hub must keep serving reads and
recover by itself when space returns. Both layers that write (the blob files and the SQLite
writer) pass what they catch through `storage_error()`.
"""

from __future__ import annotations

import errno
import sqlite3

from docexchange.errors import DocExchangeError

#: OSError numbers that mean "the storage cannot take this write now"
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EFBIG})
#: SQLite primary result codes with the same meaning (extended codes keep them in the low byte)
_SQLITE_FULL, _SQLITE_IOERR, _SQLITE_READONLY = 13, 10, 8
STORAGE_SQLITE_CODES = frozenset({_SQLITE_FULL, _SQLITE_IOERR, _SQLITE_READONLY})
#: seconds a client should wait before retrying a refused write
RETRY_AFTER_SECONDS = 30


def is_storage_failure(exc: BaseException) -> bool:
    """True for a disk-full or I/O error from the file system or from SQLite."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return code is not None and (code & 0xFF) in STORAGE_SQLITE_CODES
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


def is_unique_violation(exc: BaseException) -> bool:
    """A UNIQUE constraint refused the row: on several nodes, another node committed the same
    thing first (SQLSTATE 23505 on PostgreSQL; SQLite serialises writers and rarely sees it)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    return getattr(exc, "sqlstate", None) == "23505"


def storage_unavailable() -> DocExchangeError:
    return DocExchangeError(
        "DX_STORAGE_UNAVAILABLE",
        "Bộ lưu trữ của hệ thống tạm thời không ghi được (đầy hoặc lỗi); không có gì được lưu, "
        "hãy gửi lại sau.",
        "The hub's storage cannot take writes right now (full or failing); nothing was stored, "
        "retry later.", retry_after=RETRY_AFTER_SECONDS)


def storage_error(exc: BaseException) -> BaseException:
    """The error a caller should see for `exc`: DX_STORAGE_UNAVAILABLE for storage failures,
    `exc` itself otherwise."""
    return storage_unavailable() if is_storage_failure(exc) else exc
