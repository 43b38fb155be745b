"""Logging: text for people, JSON lines in production; a request id on every line.

The request id is set by the problem middleware for the duration of a request (a context
variable, so concurrent requests keep theirs apart) and copied onto every record. Never log
document bodies, keys, secrets or tokens: only ids, codes and sizes.

The access log writes a line per request, so its cost is per request (py-spy: 7-11 % of the
hub's GIL time under load before issue 12): access records are copied from a template rather
than built by `Logger._log` (no caller lookup, no per-record pid/thread/process probes), the
formatters render a second's timestamp once, and `serve` writes through `BufferedStderr`,
which flushes every `FLUSH_INTERVAL` seconds, at once for warnings and errors, and when the
process stops cleanly (logging's own exit hook) instead of one write(2) per line. A SIGKILL
loses at most the last interval's INFO lines.
"""

from __future__ import annotations

import contextvars
import io
import json
import logging
import os
import sys
import threading
import time
from typing import Any, TextIO

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from docexchange.appkeys import CALLER_KEY, REQUEST_ID_KEY

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # the access logger passes its own
            record.request_id = request_id_var.get()
        return True


class _SecondCache:
    """`strftime` of the current second, computed once per second rather than per line."""

    def __init__(self, convert: Any, pattern: str) -> None:
        self._convert, self._pattern = convert, pattern
        self._second, self._text = -1, ""

    def text(self, created: float) -> str:
        second = int(created)
        if second != self._second:  # a benign race: two threads may both compute it
            self._text = time.strftime(self._pattern, self._convert(second))
            self._second = second
        return self._text


class TextFormatter(logging.Formatter):
    """The people's format: `2026-11-29 05:00:00,123 INFO name [request id] message`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        self._seconds = _SecondCache(self.converter, self.default_time_format)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt:
            return super().formatTime(record, datefmt)
        return f"{self._seconds.text(record.created)},{int(record.msecs):03d}"


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        self._seconds = _SecondCache(time.gmtime, "%Y-%m-%dT%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": f"{self._seconds.text(record.created)}.{int(record.msecs):03d}Z",
            "level": record.levelname, "logger": record.name,
            "request_id": getattr(record, "request_id", "-"), "message": record.getMessage()}
        for extra in ("method", "path", "status", "duration_ms", "unit"):
            if hasattr(record, extra):
                line[extra] = getattr(record, extra)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


#: Seconds an INFO line may wait in the buffer before it reaches stderr.
FLUSH_INTERVAL = 0.5


class BufferedStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Lines into a 64 KiB buffer over stderr's file descriptor, flushed by a timer thread
    every `interval` seconds, at once for WARNING and above, and on close (logging's exit
    hook closes every handler, so a clean stop loses nothing)."""

    def __init__(self, interval: float = FLUSH_INTERVAL) -> None:
        stream = _buffered_stderr()
        super().__init__(stream)
        self._owned = stream if stream is not sys.stderr else None
        self._stop = threading.Event()
        self._timer = threading.Thread(target=self._flush_every, args=(interval,),
                                       name="log-flush", daemon=True)
        self._timer.start()

    def _flush_every(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.flush()
            except (OSError, ValueError):  # the stream was closed under us (a test's capture)
                return

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
            if record.levelno >= logging.WARNING:
                self.stream.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        """Write what is buffered and give the descriptor back; a line logged after this
        (another exit hook's) goes to `sys.stderr` unbuffered."""
        self._stop.set()
        self.acquire()
        try:
            used, self.stream = self.stream, sys.stderr
            if not used.closed:  # a test's captured stderr may be gone already
                used.flush()
            if self._owned is not None:
                self._owned.close()
        finally:
            self.release()
        super().close()


def _buffered_stderr() -> TextIO:
    """Our own buffered writer on stderr's descriptor; the interpreter's `sys.stderr` is
    line-buffered (one write(2) per line). Falls back to `sys.stderr` when it has no
    descriptor (a test's capture)."""
    try:
        fd = os.dup(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        return sys.stderr
    return io.TextIOWrapper(open(fd, "wb", buffering=65536), encoding="utf-8",  # noqa: SIM115
                            errors="backslashreplace")


def configure(log_format: str, verbose: bool = False) -> None:
    handler = BufferedStderr()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in root.handlers:
        old.close()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


class AccessLogger(AbstractAccessLogger):
    """One line per request: method, path (never the query: it may carry dates of a unit's
    search), status, duration, unit and request id."""

    _template: dict[str, Any] | None = None

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return
        ms = time * 1000
        record = logging.LogRecord.__new__(logging.LogRecord)
        fields = record.__dict__
        fields.update(self._template or self._make_template())
        fields.update(
            args=(request.method, request.path, response.status, ms), method=request.method,
            path=request.path, status=response.status, duration_ms=round(ms, 1),
            unit=request.get(CALLER_KEY, "-"),  # type: ignore[call-overload]
            request_id=request.get(REQUEST_ID_KEY, "-"))  # type: ignore[call-overload]
        created = _now()
        fields.update(created=created, msecs=(created - int(created)) * 1000,
                      relativeCreated=(created - _START) * 1000)
        logger.handle(record)

    def _make_template(self) -> dict[str, Any]:
        """What every access record shares (level, logger, thread, process), built once by
        the logging module itself so that formatters find every attribute they know."""
        template = self.logger.makeRecord(self.logger.name, logging.INFO, __file__, 0,
                                          "%s %s %s %.1fms", (), None, "log")
        self._template = dict(template.__dict__)
        return self._template


_now = time.time
_START: float = getattr(logging, "_startTime", time.time())  # relativeCreated counts from it
