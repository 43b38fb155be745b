"""The push block of the dashboard's unit page: shown to operators, approved by an admin
through a CSRF-protected form."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.conftest import SO_NOI_VU, HubEnv
from tests.dashboard.forms import login


async def test_an_admin_approves_a_pending_endpoint_from_the_unit_page(
        client: TestClient, hub_env: HubEnv) -> None:
    csrf = await login(client, hub_env)
    page = await (await client.get(f"/dashboard/units/{SO_NOI_VU}")).text()
    assert 'data-testid="push-none"' in page
    resp = await client.put("/api/v1/push-endpoint", json={"url": "http://dms.example.org/in"},
                            headers=hub_env.auth(SO_NOI_VU))
    assert resp.status == 201
    page = await (await client.get(f"/dashboard/units/{SO_NOI_VU}")).text()
    assert 'data-state="pending"' in page and "http://dms.example.org/in" in page
    resp = await client.post(f"/dashboard/units/{SO_NOI_VU}/push-approve",
                             data={"csrf": "wrong", "allow_http": "on"}, allow_redirects=False)
    assert resp.status == 403
    resp = await client.post(f"/dashboard/units/{SO_NOI_VU}/push-approve",
                             data={"csrf": csrf, "allow_http": "on"}, allow_redirects=False)
    assert resp.status == 303
    page = await (await client.get(f"/dashboard/units/{SO_NOI_VU}")).text()
    assert 'data-state="approved"' in page
