"""Liveness and readiness probes (no authentication, no internals)."""

from __future__ import annotations

from aiohttp import web

from docexchange.api.responses import json_response
from docexchange.appkeys import HUB_KEY

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "alive"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    hub = request.config_dict[HUB_KEY]
    checks = {"database_writable": await hub.db.is_writable(),
              "keys_loaded": hub.keyring is not None}
    ready = all(checks.values())
    return json_response({"status": "ready" if ready else "not_ready", "checks": checks},
                             status=200 if ready else 503)
