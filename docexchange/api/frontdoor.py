"""The first middleware every request meets: who is really calling, and how much body an
anonymous caller may send.

Proxies: X-Forwarded-For and X-Forwarded-Proto are believed only when the connection comes
from an address in `[server] trusted_proxies`; the request is then re-made with the client's
address (login throttle, logs) and scheme (Secure cookies). Anyone else could write those
headers, so from anyone else they are ignored.

Bodies: a request that carries no credentials (no Authorization header, no client
certificate), and every dashboard request (the login form comes before any session), may send
at most `[server] unauthenticated_body_bytes`. The declared Content-Length is checked here,
before any other work (CSRF, throttle, password hashing); a body that lies about its length is
cut by aiohttp's own limit while it streams (`client_max_size`), which answers 413 too.
Authenticated API calls read their bodies after the key is checked (api/body.py), under the
packet limit.

It is also the only hub middleware of the API: it names the request (its id), times it for
/metrics and turns errors into problem+json (api/problems.py). These were four layers (door,
latency, problems, and problems again in the API sub-app), each a coroutine frame and a
`partial` per request; one layer does the same work.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from docexchange.api.auth import client_certificate
from docexchange.api.metrics import route_template
from docexchange.api.problems import answer_problems, name_request, problem_response
from docexchange.appkeys import REQUEST_ID_KEY
from docexchange.config import ServerConfig
from docexchange.errors import DocExchangeError
from docexchange.monitor.metrics import RequestLatency

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(value: str | None, proxies: Sequence[Network]) -> bool:
    address = _address(value or "")
    return address is not None and any(address in net for net in proxies)


def forwarded_client(headers: Sequence[str], proxies: Sequence[Network]) -> str | None:
    """The right-most X-Forwarded-For address that is not one of our proxies: everything
    left of it was written by the client and proves nothing."""
    hops = [hop.strip() for header in headers for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop if _address(hop) is not None else None
    return None


def _anonymous(request: web.Request) -> bool:
    if request.path.startswith("/dashboard"):
        return True
    if request.path.startswith("/vdxp/") and "XroadVnpt-hash-header" in request.headers:
        return False  # the VDXP door checks its HMAC before reading a body (vdxp/urls.py)
    return "Authorization" not in request.headers and client_certificate(request) is None


def body_too_large(limit: int) -> DocExchangeError:
    return DocExchangeError(
        "DX_TOO_LARGE", f"Yêu cầu chưa xác thực chỉ được gửi tối đa {limit} byte.",
        f"A request without credentials may send at most {limit} bytes.", limit=limit)


def front_door(server: ServerConfig, latency: RequestLatency | None = None) -> Middleware:
    """The door above, the request id, the latency histogram (`latency`), problem+json."""
    proxies = [ipaddress.ip_network(p, strict=False) for p in server.trusted_proxies]
    limit = server.unauthenticated_body_bytes

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        request_id = name_request(request)
        try:
            changes = _changes(request, proxies, limit)
            if changes is None:
                response = problem_response(body_too_large(limit), request_id)
                response.force_close()  # do not read the rest of a body we refused
                return response
            if changes:
                # a clone forgets an earlier clone's scheme and address unless given again
                request = request.clone(**{"scheme": request.scheme,
                                           "remote": request.remote, **changes})
                request[REQUEST_ID_KEY] = request_id
            return await answer_problems(request, handler, request_id)
        finally:
            if latency is not None:
                latency.observe(request.method, route_template(request),
                                time.perf_counter() - started)

    return middleware


def _changes(request: web.Request, proxies: Sequence[Network], limit: int
             ) -> dict[str, Any] | None:
    """What the request must be re-made with (client address and scheme behind a trusted
    proxy, the anonymous body limit); None when its declared body is already too large."""
    changes: dict[str, Any] = {}
    if proxies and _trusted(request.remote, proxies):
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            changes["scheme"] = proto
        client = forwarded_client(request.headers.getall("X-Forwarded-For", []), proxies)
        if client:
            changes["remote"] = client
    if _anonymous(request):
        if (request.content_length or 0) > limit:
            return None
        changes["client_max_size"] = limit
    return changes
