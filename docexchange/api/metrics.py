"""GET /metrics for Prometheus; the route names every request is timed under (the front
door, api/frontdoor.py, times them).

Open by default like /healthz (aggregates only, see docs/operations.md §4); with
`monitor.metrics_require_token` it needs an operator token.
"""

from __future__ import annotations

from aiohttp import web

from docexchange.api.auth import authenticate_operator
from docexchange.appkeys import HUB_KEY, LATENCY_KEY
from docexchange.monitor.metrics import render_metrics

routes = web.RouteTableDef()
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def route_template(request: web.Request) -> str:
    """The matched route's template (`/api/v1/documents/{message_id}`), never the raw path."""
    route = request.match_info.route
    resource = route.resource if route is not None else None
    return resource.canonical if resource is not None else "unmatched"


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    hub = request.config_dict[HUB_KEY]
    if hub.config.monitor.metrics_require_token:
        await authenticate_operator(request)
    text = await render_metrics(hub, request.config_dict[LATENCY_KEY])
    return web.Response(body=text.encode("utf-8"), headers={"Content-Type": CONTENT_TYPE})
