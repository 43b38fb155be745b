"""The registered signing keys are read from memory (accounts/signing_keys.py), and still:
a registration through this process counts at the next packet, one made by another process
within the recheck interval, and validity dates to the millisecond of the hub's clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.accounts.signing_keys import SigningKeyCache
from docexchange.admin.credentials import register_certificate
from docexchange.appkeys import HUB_KEY
from docexchange.hub import Hub
from docexchange.signing.certificates import key_id, load_certificate
from docexchange.signing.keyring import issue_unit_signing_key
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, document, sign_as


async def _signature(client: TestClient, env: HubEnv, subject: str) -> str:
    data = sign_as(env, PROVINCE, document(PROVINCE, [SO_NOI_VU], subject=subject))
    resp = await client.post("/api/v1/documents", data=data,
                             headers={**env.auth(PROVINCE), **XML})
    assert resp.status == 202, await resp.text()
    message_id = (await resp.json())["message_id"]
    timeline = await (await client.get(f"/api/v1/documents/{message_id}/deliveries",
                                       headers=env.auth(PROVINCE))).json()
    return str(timeline["signature"])


def _new_unregistered_key(env: HubEnv) -> Path:
    """The unit's key files replaced by a new dev-CA key that no one registered yet."""
    return issue_unit_signing_key(env.config.keys.dir, PROVINCE, "new key")[1]


async def test_a_certificate_registered_here_counts_at_the_next_packet(
        client: TestClient, hub_env: HubEnv) -> None:
    hub: Hub = client.app[HUB_KEY]
    assert await _signature(client, hub_env, "V/v trước") == "verified"  # the cache is warm
    cert_path = _new_unregistered_key(hub_env)
    assert await _signature(client, hub_env, "V/v chưa đăng ký") == "unverified"

    await register_certificate(hub, PROVINCE, load_certificate(cert_path), "cli:test")

    assert await _signature(client, hub_env, "V/v đã đăng ký") == "verified"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_another_process_registration_counts_within_the_recheck_interval(
        client: TestClient, hub_env: HubEnv) -> None:
    """Two Hubs on one database are two processes' views (serve --workers, the CLI)."""
    hub: Hub = client.app[HUB_KEY]
    clock = FakeMonotonic()
    hub.exchange.signing_keys = SigningKeyCache(hub.db, recheck=1.0, monotonic=clock)
    assert await _signature(client, hub_env, "V/v trước") == "verified"
    cert_path = _new_unregistered_key(hub_env)
    other = await Hub.open(hub_env.config)
    try:
        await register_certificate(other, PROVINCE, load_certificate(cert_path), "cli:test")
    finally:
        await other.close()

    clock.now += 0.5  # within the bound, this process may still use what it read
    assert await _signature(client, hub_env, "V/v ngay sau") == "unverified"
    clock.now += 0.6  # past it: the version changed, the table is read again
    assert await _signature(client, hub_env, "V/v sau một giây") == "verified"


async def test_validity_is_judged_at_each_lookup_to_the_millisecond(hub_env: HubEnv) -> None:
    hub = await Hub.open(hub_env.config)
    try:
        cert = load_certificate(_new_unregistered_key(hub_env))
        await register_certificate(hub, PROVINCE, cert, "cli:test")
        begins = int(cert.not_valid_before_utc.timestamp() * 1000)
        ends = int(cert.not_valid_after_utc.timestamp() * 1000)
        cache: Any = hub.exchange.signing_keys
        kid = key_id(cert)

        assert kid not in await cache.key_ids([PROVINCE], begins - 1)
        assert kid in await cache.key_ids([PROVINCE], begins)
        assert kid in await cache.key_ids([PROVINCE], ends)
        assert kid not in await cache.key_ids([PROVINCE], ends + 1)
        assert kid not in await cache.key_ids([SO_NOI_VU], begins)  # another unit's
    finally:
        await hub.close()


async def test_a_revocation_by_another_process_is_seen_within_the_bound(
        hub_env: HubEnv) -> None:
    """No service revokes signing certificates yet; the cache honours the column (and its
    version counts revoked rows) so that the one that comes cannot be cached past."""
    hub = await Hub.open(hub_env.config)
    clock = FakeMonotonic()
    cache = SigningKeyCache(hub.db, recheck=1.0, monotonic=clock)
    try:
        now = hub.clock.now_ms()
        registered = await cache.key_ids([PROVINCE], now)
        assert registered
        await hub.db.write("revoke_for_test", lambda tx: tx.execute(
            "UPDATE unit_certificates SET revoked_ts = ? WHERE organ_id = ?", (now, PROVINCE)))
        assert await cache.key_ids([PROVINCE], now) == registered  # within the bound
        clock.now += 1.1
        assert await cache.key_ids([PROVINCE], now) == set()
    finally:
        await hub.close()
