"""The login form under attack: concurrent guesses, lock-out attempts, oversized bodies,
account probing by timing, forwarded headers from strangers and from trusted proxies."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.admin import operators as accounts  # where check_login looks it up
from docexchange.admin.operators import add_operator, disable_operator
from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from tests.conftest import HubEnv
from tests.dashboard.forms import admin_password, csrf_of, post_login


def _count_password_checks(monkeypatch: Any) -> list[str]:
    checked: list[str] = []
    real = accounts.password_matches_async

    async def counting(password_hash: str, password: str) -> bool:
        checked.append(password)
        return await real(password_hash, password)
    monkeypatch.setattr(accounts, "password_matches_async", counting)
    return checked


async def _proxied_client(hub_env: HubEnv, aiohttp_client: Any) -> TestClient:
    config = replace(hub_env.config, server=replace(hub_env.config.server,
                                                    trusted_proxies=("127.0.0.0/8",)))
    return await aiohttp_client(create_app(config))


async def _login_from(client: TestClient, address: str, name: str, password: str) -> Any:
    page = await (await client.get("/dashboard/login")).text()
    return await client.post("/dashboard/login", allow_redirects=False,
                             headers={"X-Forwarded-For": address},
                             data={"csrf": csrf_of(page), "name": name, "password": password})


async def test_concurrent_wrong_passwords_are_counted_before_they_are_checked(
        client: TestClient, monkeypatch: Any) -> None:
    checked = _count_password_checks(monkeypatch)
    page = await (await client.get("/dashboard/login")).text()
    form = {"csrf": csrf_of(page), "name": "admin", "password": "wrong"}
    answers = await asyncio.gather(*(client.post("/dashboard/login", data=form,
                                                 allow_redirects=False) for _ in range(24)))
    statuses = sorted(r.status for r in answers)
    assert statuses.count(200) == 5 and statuses.count(429) == 19
    assert len(checked) == 5


async def test_a_name_locked_from_one_address_still_logs_in_from_another(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    client = await _proxied_client(hub_env, aiohttp_client)
    for _ in range(5):
        assert (await _login_from(client, "203.0.113.9", "admin", "wrong")).status == 200
    assert (await _login_from(client, "203.0.113.9", "admin", "wrong")).status == 429
    for i in range(60):  # and many addresses, one guess each
        await _login_from(client, f"198.51.100.{i}", "admin", "wrong")
    ok = await _login_from(client, "192.0.2.1", "admin", admin_password(hub_env))
    assert ok.status == 303 and "dx_session" in ok.cookies


async def test_forwarded_headers_from_a_stranger_are_ignored(client: TestClient) -> None:
    for i in range(5):  # a different forged address each time: still one real address
        await _login_from(client, f"203.0.113.{i}", "admin", "wrong")
    assert (await _login_from(client, "203.0.113.99", "admin", "wrong")).status == 429


async def test_oversized_login_bodies_are_refused_before_csrf_and_throttle(
        client: TestClient, monkeypatch: Any) -> None:
    checked = _count_password_checks(monkeypatch)
    big = {"name": "admin", "password": "x" * (17 * 1024)}  # no CSRF token at all
    declared = await client.post("/dashboard/login", data=big)
    assert declared.status == 413
    body = b"name=admin&password=" + b"x" * (64 * 1024)

    async def chunks() -> Any:  # no Content-Length: the limit holds while streaming
        for at in range(0, len(body), 4096):
            yield body[at:at + 4096]
    streamed = await client.post("/dashboard/login", data=chunks(), headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert streamed.status == 413
    huge = await client.post("/dashboard/login", data=io.BytesIO(b"x" * 1024), headers={
        "Content-Length": str(95 * 1024 * 1024)})
    assert huge.status == 413 and (await huge.json())["code"] == "DX_TOO_LARGE"
    assert checked == []


async def test_a_disabled_operator_costs_a_password_hash_like_a_wrong_password(
        client: TestClient, monkeypatch: Any) -> None:
    hub = client.app[HUB_KEY]
    await add_operator(hub, "lan", "viewer", "right password", "test")
    await disable_operator(hub, "lan", "test")
    checked = _count_password_checks(monkeypatch)
    resp = await post_login(client, "lan", "right password")
    assert resp.status == 200 and "dx_session" not in resp.cookies
    assert checked == ["right password"]


async def test_the_session_cookie_is_secure_behind_a_trusted_tls_proxy(
        hub_env: HubEnv, aiohttp_client: Any, client: TestClient) -> None:
    proxied = await _proxied_client(hub_env, aiohttp_client)
    for http, secure in ((proxied, True), (client, False)):  # `client` trusts no proxy
        page = await http.get("/dashboard/login", headers={"X-Forwarded-Proto": "https"})
        assert bool(page.cookies["dx_login_csrf"]["secure"]) is secure
    page = await proxied.get("/dashboard/login", headers={"X-Forwarded-Proto": "https"})
    cookie = page.cookies["dx_login_csrf"]
    resp = await proxied.post("/dashboard/login", allow_redirects=False, data={
        "csrf": csrf_of(await page.text()), "name": "admin", "password": admin_password(hub_env)},
        headers={"Cookie": f"dx_login_csrf={cookie.value}", "X-Forwarded-Proto": "https"})
    assert resp.status == 303 and resp.cookies["dx_session"]["secure"]
