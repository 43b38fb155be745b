"""One table: every route of the app × every kind of caller → the status the hub must answer.

Routes are read from the app's router, so a new route without a row here fails the test. The
callers are real credentials of a real hub: unit API keys, operator tokens and a dashboard
session cookie (with its CSRF token, so that what is tested is the role, not the form check).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from docexchange.admin.operators import add_operator, issue_token
from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.errors import ERROR_CODES
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.dashboard.forms import login
from tests.exchange.helpers import XML, document

SENDER, RECIPIENT, OTHER = PROVINCE, SO_NOI_VU, SONG_HINH
TARGET_UNIT = "000.00.02.H45"  # whose credentials the admin routes disable and re-issue
CALLERS = ("none", "bad_key", "sender", "recipient", "other_unit", "viewer", "admin",
           "session")

#: (method, path) → statuses in CALLERS order. {message_id}, {delivery_id}: a document SENDER
#: sent to RECIPIENT; {code}/{organ_id}: TARGET_UNIT. Rows run top to bottom, callers left to
#: right (an ack or a re-issue changes state for the callers after it).
#                                                    none bad  send recv othr view admn sess
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/healthz"):                                (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/readyz"):                                 (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/metrics"):                                (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/docs"):                               (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/openapi.json"):                    (200, 200, 200, 200, 200, 200, 200, 200),
    # units: the directory, for every unit; operators use /ops
    ("GET", "/api/v1/units"):                           (401, 401, 200, 200, 200, 401, 401, 401),
    ("GET", "/api/v1/units/{code}"):                    (401, 401, 200, 200, 200, 401, 401, 401),
    # a document: its sender and its recipients only; others do not learn it exists
    ("GET", "/api/v1/documents/{message_id}"):          (401, 401, 200, 200, 404, 401, 401, 401),
    ("GET", "/api/v1/documents/{message_id}/deliveries"):
                                                        (401, 401, 200, 200, 404, 401, 401, 401),
    ("GET", "/api/v1/documents/{message_id}/receipt"):  (401, 401, 200, 200, 404, 401, 401, 401),
    ("GET", "/api/v1/inbox"):                           (401, 401, 200, 200, 200, 401, 401, 401),
    ("POST", "/api/v1/documents"):                      (401, 401, 422, 422, 422, 401, 401, 401),
    ("POST", "/api/v1/statuses"):                       (401, 401, 422, 422, 422, 401, 401, 401),
    ("POST", "/api/v1/documents/validate"):             (401, 401, 422, 422, 422, 401, 401, 401),
    # the VDXP door (any method) has its own credentials, and answers HTTP 200 with a FAIL
    # reply: the status of the reply's DX_ code is what is compared
    ("*", "/vdxp/{operation}"):                         (401, 401, 401, 401, 401, 401, 401, 401),
    # a batch of acks: the matrix posts no body (400 once authenticated); per-item
    # isolation is tested in tests/exchange/test_inbox_batch.py
    ("POST", "/api/v1/deliveries/ack"):                 (401, 401, 400, 400, 400, 401, 401, 401),
    ("POST", "/api/v1/deliveries/{delivery_id}/ack"):   (401, 401, 404, 200, 404, 401, 401, 401),
    # evidence: any unit (no parameters given: 400 once authenticated)
    ("GET", "/api/v1/evidence/tree-head"):              (401, 401, 200, 200, 200, 401, 401, 401),
    ("GET", "/api/v1/evidence/tree-heads"):             (401, 401, 200, 200, 200, 401, 401, 401),
    ("GET", "/api/v1/evidence/inclusion"):              (401, 401, 400, 400, 400, 401, 401, 401),
    ("GET", "/api/v1/evidence/consistency"):            (401, 401, 400, 400, 400, 401, 401, 401),
    # operators: units are forbidden, changes need the admin role
    ("GET", "/api/v1/audit/export"):                    (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/alerts"):                      (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/connectivity"):                (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/expiring-credentials"):        (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/kpis"):                        (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/not-acked"):                   (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/overdue"):                     (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/stuck"):                       (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/trend"):                       (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/units/{code}"):                (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/documents"):                   (401, 401, 403, 403, 403, 400, 400, 401),
    ("GET", "/api/v1/ops/reports/coverage.xlsx"):       (401, 401, 403, 403, 403, 200, 200, 401),
    ("GET", "/api/v1/ops/reports/documents.xlsx"):      (401, 401, 403, 403, 403, 200, 200, 401),
    ("POST", "/api/v1/ops/snapshots"):                  (401, 401, 403, 403, 403, 200, 200, 401),
    ("POST", "/api/v1/ops/units/{code}/disable-credentials"):
                                                        (401, 401, 403, 403, 403, 403, 200, 401),
    ("POST", "/api/v1/ops/units/{code}/reissue-credentials"):
                                                        (401, 401, 403, 403, 403, 403, 201, 401),
    # push endpoints: a unit its own; operators list, admins decide (no endpoint: 404);
    # the relay API only for [[downstream]] accounts (none configured here)
    ("GET", "/api/v1/push-endpoint"):                   (401, 401, 404, 404, 404, 401, 401, 401),
    ("PUT", "/api/v1/push-endpoint"):                   (401, 401, 422, 422, 422, 401, 401, 401),
    ("DELETE", "/api/v1/push-endpoint"):                (401, 401, 404, 404, 404, 401, 401, 401),
    ("GET", "/api/v1/ops/push-endpoints"):              (401, 401, 403, 403, 403, 200, 200, 401),
    ("POST", "/api/v1/ops/push-endpoints/{code}/approve"):
                                                        (401, 401, 403, 403, 403, 403, 404, 401),
    ("POST", "/api/v1/ops/push-endpoints/{code}/disable"):
                                                        (401, 401, 403, 403, 403, 403, 404, 401),
    ("GET", "/api/v1/relay/inbox"):                     (401, 401, 403, 403, 403, 401, 401, 401),
    ("GET", "/api/v1/relay/messages/{message_id}"):     (401, 401, 403, 403, 403, 401, 401, 401),
    ("POST", "/api/v1/relay/documents"):                (401, 401, 403, 403, 403, 401, 401, 401),
    ("POST", "/api/v1/relay/statuses"):                 (401, 401, 403, 403, 403, 401, 401, 401),
    ("POST", "/api/v1/relay/deliveries/{delivery_id}/ack"):
                                                        (401, 401, 403, 403, 403, 401, 401, 401),
    # dashboard: a session only (bearer tokens mean nothing there); pages redirect to the
    # login, forms without the session's CSRF token are refused
    ("GET", "/dashboard/static/{filename}"):            (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/dashboard/login"):                        (200, 200, 200, 200, 200, 200, 200, 303),
    ("POST", "/dashboard/login"):                       (403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/dashboard/"):                             (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/units"):                        (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/units/{organ_id}"):             (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/documents"):                    (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/documents/{message_id}"):       (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/audit"):                        (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/audit/export"):                 (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/stuck"):                        (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/overdue"):                      (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/reports/coverage.xlsx"):        (303, 303, 303, 303, 303, 303, 303, 200),
    ("GET", "/dashboard/reports/documents.xlsx"):       (303, 303, 303, 303, 303, 303, 303, 200),
    ("POST", "/dashboard/audit/receipt"):               (403, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "/dashboard/units/{organ_id}/contact"):    (403, 403, 403, 403, 403, 403, 403, 303),
    ("POST", "/dashboard/units/{organ_id}/trial"):      (403, 403, 403, 403, 403, 403, 403, 303),
    ("POST", "/dashboard/units/{organ_id}/disable"):    (403, 403, 403, 403, 403, 403, 403, 303),
    ("POST", "/dashboard/units/{organ_id}/reissue"):    (403, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "/dashboard/units/{organ_id}/push-approve"):
                                                        (403, 403, 403, 403, 403, 403, 403, 404),
    ("POST", "/dashboard/units/{organ_id}/push-disable"):
                                                        (403, 403, 403, 403, 403, 403, 403, 404),
    ("POST", "/dashboard/logout"):                      (403, 403, 403, 403, 403, 403, 403, 303),
}


def _routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every route, sub-applications included (their resources
    already carry the prefix they are mounted at); HEAD is implied by GET."""
    found: set[tuple[str, str]] = set()
    for resource in app.router.resources():
        info = resource.get_info()
        if "app" in info:
            found |= _routes(info["app"])
            continue
        for route in resource:
            if route.method == "HEAD":
                continue
            path = info.get("formatter") or info.get("path")
            if path is None:  # static files
                path = info["prefix"] + "/{filename}"
            found.add((route.method, path))
    return found


async def _credentials(client: TestClient, env: HubEnv) -> dict[str, dict[str, str]]:
    hub = client.app[HUB_KEY]
    await add_operator(hub, "lan", "viewer", "viewer-password-1", "test")
    viewer = await issue_token(hub, "lan", "test")
    admin = env.credentials["operators"]["admin"]["api_token"]
    return {
        "none": {}, "bad_key": {"Authorization": "Bearer dx_not.a-real-key"},
        "sender": env.auth(SENDER), "recipient": env.auth(RECIPIENT),
        "other_unit": env.auth(OTHER), "viewer": {"Authorization": f"Bearer {viewer}"},
        "admin": {"Authorization": f"Bearer {admin}"}, "session": {}}


async def _fixtures(client: TestClient, env: HubEnv) -> dict[str, str]:
    resp = await client.post("/api/v1/documents", data=document(SENDER, [RECIPIENT]),
                             headers={**env.auth(SENDER), **XML})
    receipt = await resp.json()
    return {"message_id": receipt["message_id"],
            "delivery_id": receipt["recipients"][0]["delivery_id"],
            "code": TARGET_UNIT, "organ_id": TARGET_UNIT, "filename": "dashboard.css",
            "operation": "getReceivedEdocList"}


async def _call(client: TestClient, method: str, path: str, headers: dict[str, str],
                csrf: str | None) -> int:
    kwargs: dict[str, Any] = {"headers": headers, "allow_redirects": False}
    method = "POST" if method == "*" else method  # a catch-all route: tried with POST
    if method == "POST":
        if path.startswith("/dashboard"):
            kwargs["data"] = {"csrf": csrf or "", "confirm": "on"}
        else:
            kwargs["data"] = io.BytesIO(b"")
            kwargs["headers"] = {**headers, **XML}
    resp = await client.request(method, path, **kwargs)
    await resp.read()
    if path.startswith("/vdxp/") and resp.status == 200:  # VDXP: always 200, the reply tells
        reply = await resp.json(content_type=None)
        if reply.get("status") == "FAIL":
            return ERROR_CODES[reply["ErrorCode"]][0]
    return resp.status


@pytest.fixture
async def matrix_client(hub_env: HubEnv, aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(hub_env.config))


async def test_every_route_times_every_caller(matrix_client: TestClient, hub_env: HubEnv,
                                              aiohttp_client: Any) -> None:
    client = matrix_client
    routes = _routes(client.app)
    assert routes == set(MATRIX), (
        f"routes without a row: {sorted(routes - set(MATRIX))}; "
        f"rows without a route: {sorted(set(MATRIX) - routes)}")
    creds = await _credentials(client, hub_env)
    values = await _fixtures(client, hub_env)
    session = await aiohttp_client(client.server)  # own cookie jar
    csrf = await login(session, hub_env)
    observed: dict[tuple[str, str], tuple[int, ...]] = {}
    for method, template in MATRIX:
        path = template.format(**values)
        row = []
        for caller in CALLERS:
            who = session if caller == "session" else client
            row.append(await _call(who, method, path, creds[caller],
                                   csrf if caller == "session" else None))
        observed[(method, template)] = tuple(row)
    wrong = {key: (want, observed[key]) for key, want in MATRIX.items() if observed[key] != want}
    assert not wrong, "\n".join(f"{m} {p}: want {w}, got {g}" for (m, p), (w, g) in wrong.items())
