"""The foundation through the real HTTP app: health, auth, units, problem shape, OpenAPI."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from docexchange.api.openapi import PATHS
from docexchange.app import create_api_app
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv

PROBLEM_KEYS = {"type", "title", "status", "code", "detail_vi", "detail_en", "request_id",
                "errors"}


async def test_health_and_readiness(client: TestClient) -> None:
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    body = await ready.json()
    assert ready.status == 200, body
    assert body["checks"] == {"database_writable": True, "keys_loaded": True}


async def test_units_listed_with_a_dev_credential(client: TestClient, hub_env: HubEnv) -> None:
    resp = await client.get("/api/v1/units", headers=hub_env.auth(SO_NOI_VU))
    body = await resp.json()
    assert resp.status == 200
    assert body["count"] >= 100
    codes = {u["organ_id"] for u in body["units"]}
    assert {PROVINCE, SO_NOI_VU, SONG_HINH} <= codes


async def test_unit_with_parent_and_children(client: TestClient, hub_env: HubEnv) -> None:
    resp = await client.get(f"/api/v1/units/{SONG_HINH}", headers=hub_env.auth(SO_NOI_VU))
    body = await resp.json()
    assert body["parent_unit"]["organ_id"] == PROVINCE
    names = [c["name"] for c in body["children"]]
    assert any("Sơn Giang" in n for n in names)


async def _problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status == status
    assert resp.content_type == "application/problem+json"
    body = await resp.json()
    assert set(body) >= PROBLEM_KEYS and body["code"] == code
    assert body["request_id"] == resp.headers["X-Request-Id"]
    assert body["detail_vi"] and body["detail_en"]
    return body


async def test_missing_or_wrong_key_is_401_problem(client: TestClient) -> None:
    await _problem(await client.get("/api/v1/units"), 401, "DX_UNAUTHENTICATED")
    await _problem(await client.get("/api/v1/units", headers={"Authorization": "Bearer dx_x_y"}),
                   401, "DX_UNAUTHENTICATED")
    await _problem(await client.get("/api/v1/units", headers={"Authorization": "Basic abc"}),
                   401, "DX_UNAUTHENTICATED")


async def test_unknown_unit_and_route_are_404_problems(client: TestClient,
                                                       hub_env: HubEnv) -> None:
    await _problem(await client.get("/api/v1/units/NOPE", headers=hub_env.auth(SO_NOI_VU)),
                   404, "DX_NOT_FOUND")
    await _problem(await client.get("/api/v1/nowhere"), 404, "DX_NOT_FOUND")


async def test_wrong_method_is_405_problem(client: TestClient, hub_env: HubEnv) -> None:
    await _problem(await client.put("/api/v1/documents", headers=hub_env.auth(SO_NOI_VU)),
                   405, "DX_METHOD_NOT_ALLOWED")


async def test_internal_error_reveals_nothing(hub_env: HubEnv, aiohttp_client: Any) -> None:
    from docexchange.api.problems import problem_middleware

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret database path /var/x")
    app = web.Application(middlewares=[problem_middleware])
    app.router.add_get("/boom", boom)
    client = await aiohttp_client(app)
    body = await _problem(await client.get("/boom"), 500, "DX_INTERNAL")
    assert "secret" not in str(body)


def _app_routes() -> set[tuple[str, str]]:
    found = set()
    for route in create_api_app().router.routes():
        if route.method in ("HEAD", "OPTIONS"):
            continue
        found.add((route.method.lower(), route.resource.canonical))
    return found


def test_openapi_document_matches_the_routes() -> None:
    documented = {(method, path) for path, ops in PATHS.items() for method in ops}
    assert documented == _app_routes()


async def test_openapi_served_and_readable(client: TestClient) -> None:
    doc = await (await client.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    assert "/documents" in doc["paths"]
    page = await client.get("/api/docs")
    assert page.status == 200 and "/api/v1/units" in await page.text()
