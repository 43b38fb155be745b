"""Logging: text for people, JSON lines in production; a request id on every line.

The request id is set by the problem middleware for the duration of a request (a context
variable, so concurrent requests keep theirs apart) and copied onto every record. Never log
document bodies, keys, secrets or tokens: only ids, codes and sizes.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from docexchange.appkeys import CALLER_KEY, REQUEST_ID_KEY

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # the access logger passes its own
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                    + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "logger": record.name,
            "request_id": getattr(record, "request_id", "-"), "message": record.getMessage()}
        for extra in ("method", "path", "status", "duration_ms", "unit"):
            if hasattr(record, extra):
                line[extra] = getattr(record, extra)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(log_format: str, verbose: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


class AccessLogger(AbstractAccessLogger):
    """One line per request: method, path (never the query: it may carry dates of a unit's
    search), status, duration, unit and request id."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1fms", request.method, request.path, response.status, time * 1000,
            extra={"method": request.method, "path": request.path, "status": response.status,
                   "duration_ms": round(time * 1000, 1),
                   "unit": request.get(CALLER_KEY, "-"),  # type: ignore[call-overload]
                   "request_id": request.get(REQUEST_ID_KEY, "-")})  # type: ignore[call-overload]
