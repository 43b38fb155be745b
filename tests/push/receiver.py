"""A push receiver like a DMS would run: it stores each push once per idempotency key."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Receiver:
    status: int = 200
    redirect_to: str | None = None
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    stored: dict[str, bytes] = field(default_factory=dict)  # idempotency key -> body

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/in", self.handle)
        app.router.add_post("/elsewhere", self.handle_elsewhere)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((dict(request.headers), body))
        if self.redirect_to:
            raise web.HTTPFound(self.redirect_to)
        if 200 <= self.status < 300:
            self.stored.setdefault(request.headers["Idempotency-Key"], body)
        return web.Response(status=self.status, text="ok")

    async def handle_elsewhere(self, request: web.Request) -> web.Response:
        self.stored["elsewhere"] = await request.read()
        return web.Response(text="followed")
