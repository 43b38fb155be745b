"""Logging in and reading forms the way a browser would, through the aiohttp test client."""

from __future__ import annotations

import re

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from tests.conftest import HubEnv

CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def csrf_of(page: str) -> str:
    """The first CSRF token of a page's forms."""
    found = CSRF.search(page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def admin_password(env: HubEnv) -> str:
    return str(env.credentials["operators"]["admin"]["password"])


async def post_login(client: TestClient, name: str, password: str,
                     **extra: str) -> ClientResponse:
    page = await (await client.get("/dashboard/login")).text()
    return await client.post("/dashboard/login", allow_redirects=False,
                             data={"csrf": csrf_of(page), "name": name, "password": password,
                                   **extra})


async def login(client: TestClient, env: HubEnv, name: str = "admin",
                password: str | None = None) -> str:
    """Log in; returns the session's CSRF token (from the overview's logout form)."""
    resp = await post_login(client, name, password or admin_password(env))
    assert resp.status == 303, await resp.text()
    return csrf_of(await (await client.get("/dashboard/units?kind=province")).text())
