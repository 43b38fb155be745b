"""API keys are remembered for a few seconds (accounts/key_cache.py): a revocation through
this process ends a key at once; one made by another process within the cache's 5 s."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from docexchange.accounts.key_cache import KeyCache
from docexchange.accounts.operators import Operator
from docexchange.appkeys import HUB_KEY
from docexchange.hub import Hub
from docexchange.monitor import actions
from tests.conftest import SO_NOI_VU, HubEnv

ADMIN = Operator("admin", "admin")


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _status(client: TestClient, env: HubEnv) -> int:
    resp = await client.get(f"/api/v1/units/{SO_NOI_VU}", headers=env.auth(SO_NOI_VU))
    resp.close()
    return resp.status


async def test_a_revocation_here_ends_the_key_at_once(client: TestClient,
                                                      hub_env: HubEnv) -> None:
    assert await _status(client, hub_env) == 200  # remembered now
    await actions.disable_credentials(client.app[HUB_KEY], SO_NOI_VU, ADMIN)
    assert await _status(client, hub_env) == 401


async def test_another_process_revocation_ends_the_key_within_the_ttl(
        client: TestClient, hub_env: HubEnv) -> None:
    hub: Hub = client.app[HUB_KEY]
    clock = FakeMonotonic()
    hub.key_cache = KeyCache(ttl=5.0, monotonic=clock)
    assert await _status(client, hub_env) == 200
    other = await Hub.open(hub_env.config)  # the CLI, or another serve process
    try:
        await actions.disable_credentials(other, SO_NOI_VU, ADMIN)
    finally:
        await other.close()

    clock.now += 4.9
    assert await _status(client, hub_env) == 200  # within the stated bound
    clock.now += 0.2
    assert await _status(client, hub_env) == 401
