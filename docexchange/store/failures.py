"""Storage failures (disk full, I/O errors, a read-only disk) become one domain error.

Why: a full disk is an operating condition, not a bug. The caller must hear a 503 with a stable
code (retry later; nothing was stored), never a 500, and the hub must keep serving reads and
recover by itself when space returns. Both layers that write (the blob files and the database
writer) pass what they catch through `storage_error()`. With PostgreSQL, a server that is out
of space, failing, shutting down or unreachable means the same to a caller.
"""

from __future__ import annotations

import errno
import sqlite3

import psycopg

from docexchange.errors import DocExchangeError

#: what a violated UNIQUE/FOREIGN KEY/CHECK raises, whichever engine: catch this, never a
#: driver's own class
IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)

#: OSError numbers that mean "the storage cannot take this write now"
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EFBIG})
#: SQLite primary result codes with the same meaning (extended codes keep them in the low byte)
_SQLITE_FULL, _SQLITE_IOERR, _SQLITE_READONLY = 13, 10, 8
STORAGE_SQLITE_CODES = frozenset({_SQLITE_FULL, _SQLITE_IOERR, _SQLITE_READONLY})
#: PostgreSQL SQLSTATE classes with that meaning: 53 insufficient resources (disk full), 58
#: system error (I/O), 57P operator intervention (shutdown), 08 connection exception
_PG_STORAGE_STATES = ("53", "58", "57P", "08")
#: seconds a client should wait before retrying a refused write
RETRY_AFTER_SECONDS = 30


def is_storage_failure(exc: BaseException) -> bool:
    """True for a disk-full or I/O error from the file system or from SQLite, or a
    PostgreSQL server that cannot take writes now (full, failing, gone)."""
    if isinstance(exc, psycopg.Error):
        state = exc.sqlstate
        if state is None:  # no answer from the server: the connection is lost
            return isinstance(exc, psycopg.OperationalError)
        return state.startswith(_PG_STORAGE_STATES) or state == "25006"  # read-only
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
