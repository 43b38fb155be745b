"""Dashboard sessions without a browser: login redirects, cookie flags, what is stored, CSRF,
rate limiting, logout, roles."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestClient

from docexchange.admin.operators import add_operator, disable_operator
from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from tests.conftest import SO_NOI_VU, SONG_HINH, HubEnv
from tests.dashboard.forms import admin_password, csrf_of, login, post_login

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def test_pages_send_strangers_to_the_login_page(client: TestClient) -> None:
    for path in ("/dashboard/", "/dashboard/units?kind=commune", "/dashboard/documents/X"):
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 303
        assert resp.headers["Location"].startswith("/dashboard/login?next=%2Fdashboard%2F")
    bare = await client.get("/dashboard", allow_redirects=False)
    assert bare.status == 303 and bare.headers["Location"] == "/dashboard/"
    page = await client.get("/dashboard/login")
    assert page.status == 200 and 'name="password"' in await page.text()
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert page.headers["X-Frame-Options"] == "DENY"


async def test_login_sets_a_strict_cookie_and_stores_only_its_hash(client: TestClient,
                                                                   hub_env: HubEnv) -> None:
    resp = await post_login(client, "admin", admin_password(hub_env),
                            next="/dashboard/units")
    assert resp.status == 303 and resp.headers["Location"] == "/dashboard/units"
    cookie = resp.cookies["dx_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/dashboard" and not cookie["secure"]
    assert int(cookie["max-age"]) == 8 * 3600
    db = client.app[HUB_KEY].db
    [row] = await db.fetchall("SELECT session_hash, csrf_token, expires_ts FROM "
                              "operator_sessions")
    assert row["session_hash"] == hashlib.sha256(cookie.value.encode()).hexdigest()
    assert abs(row["expires_ts"] - (time.time() + 8 * 3600) * 1000) < 60_000
    page = await (await client.get("/dashboard/units")).text()
    assert csrf_of(page) == row["csrf_token"]


async def test_the_session_cookie_is_secure_over_https(hub_env: HubEnv,
                                                       aiohttp_client: object) -> None:
    @web.middleware
    async def behind_tls(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await handler(request.clone(scheme="https"))
    app = create_app(hub_env.config)
    app.middlewares.insert(0, behind_tls)
    client = await aiohttp_client(app)  # type: ignore[operator]
    page = await client.get("/dashboard/login")
    login_cookie = page.cookies["dx_login_csrf"]
    assert login_cookie["secure"] and login_cookie["httponly"]
    # the test client speaks plain HTTP, so it holds Secure cookies back: send it by hand
    resp = await client.post("/dashboard/login", allow_redirects=False, data={
        "csrf": csrf_of(await page.text()), "name": "admin",
        "password": admin_password(hub_env)},
        headers={"Cookie": f"dx_login_csrf={login_cookie.value}"})
    assert resp.status == 303 and resp.cookies["dx_session"]["secure"]


async def test_logout_ends_the_session(client: TestClient, hub_env: HubEnv) -> None:
    csrf = await login(client, hub_env)
    resp = await client.post("/dashboard/logout", data={"csrf": csrf}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/dashboard/login?msg=out"
    assert await client.app[HUB_KEY].db.fetchall("SELECT 1 FROM operator_sessions") == []
    again = await client.get("/dashboard/", allow_redirects=False)
    assert again.status == 303 and "/dashboard/login" in again.headers["Location"]


async def test_posts_without_the_csrf_token_are_refused(client: TestClient,
                                                        hub_env: HubEnv) -> None:
    csrf = await login(client, hub_env)
    action = f"/dashboard/units/{SO_NOI_VU}/disable"
    for form in ({"confirm": "on"}, {"confirm": "on", "csrf": "forged"},
                 {"confirm": "on", "csrf": ""}):
        resp = await client.post(action, data=form, allow_redirects=False)
        assert resp.status == 403
        assert resp.content_type == "text/html"
        assert "mã chống giả mạo" in await resp.text()
    inbox = await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))
    assert inbox.status == 200  # nothing was revoked
    ok = await client.post(action, data={"confirm": "on", "csrf": csrf}, allow_redirects=False)
    assert ok.status == 303 and ok.headers["Location"].endswith("?revoked=1")
    assert (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).status == 401


async def test_the_login_form_needs_its_own_csrf_cookie(client: TestClient,
                                                        hub_env: HubEnv) -> None:
    resp = await client.post("/dashboard/login", data={
        "name": "admin", "password": admin_password(hub_env), "csrf": "guess"},
        allow_redirects=False)
    assert resp.status == 403 and "dx_session" not in resp.cookies
    stranger = await client.post(f"/dashboard/units/{SO_NOI_VU}/disable", data={"csrf": "x"})
    assert stranger.status == 403


async def test_failed_logins_are_rate_limited(client: TestClient, hub_env: HubEnv) -> None:
    for _ in range(5):
        wrong = await post_login(client, "admin", "wrong password")
        assert wrong.status == 200 and "không đúng" in await wrong.text()
    blocked = await post_login(client, "admin", admin_password(hub_env))
    assert blocked.status == 429 and "dx_session" not in blocked.cookies
    assert 0 < int(blocked.headers["Retry-After"]) <= 300
    text = await blocked.text()
    assert "Quá nhiều lần đăng nhập sai" in text and 'data-code="DX_RATE_LIMITED"' in text
    page = await (await client.get("/dashboard/login?lang=en")).text()
    english = await client.post("/dashboard/login", data={
        "csrf": csrf_of(page), "name": "admin", "password": "x"})
    assert english.status == 429
    assert "Too many failed logins" in await english.text()
    other = await post_login(client, "someone-else", "x")  # the same address, another name
    assert other.status == 200


async def test_a_next_address_outside_the_dashboard_is_ignored(client: TestClient,
                                                               hub_env: HubEnv) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/dashboard//evil.example"):
        client.session.cookie_jar.clear()
        resp = await post_login(client, "admin", admin_password(hub_env), next=target)
        assert resp.headers["Location"] == "/dashboard/"


async def test_viewers_see_no_actions_and_may_not_act(client: TestClient,
                                                      hub_env: HubEnv) -> None:
    await add_operator(client.app[HUB_KEY], "lan", "viewer", "viewer-pw", "test")
    csrf = await login(client, hub_env, "lan", "viewer-pw")
    page = await (await client.get(f"/dashboard/units/{SONG_HINH}")).text()
    assert "unit-disable" not in page and "unit-reissue" not in page
    resp = await client.post(f"/dashboard/units/{SONG_HINH}/reissue",
                             data={"csrf": csrf, "confirm": "on"})
    assert resp.status == 403 and "Cần quyền quản trị" in await resp.text()


async def test_a_disabled_operator_is_logged_out(client: TestClient, hub_env: HubEnv) -> None:
    await login(client, hub_env)
    await disable_operator(client.app[HUB_KEY], "admin", "test")
    resp = await client.get("/dashboard/", allow_redirects=False)
    assert resp.status == 303 and "/dashboard/login" in resp.headers["Location"]
