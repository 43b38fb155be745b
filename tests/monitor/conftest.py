"""An app whose background loops stay quiet (flushes and alert checks are far apart), so each
test drives them itself with a fake clock; and the operator credentials to call /ops with."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.config import Config
from docexchange.hub import Hub
from tests.conftest import HubEnv


def quiet(config: Config, **alerts: Any) -> Config:
    return dataclasses.replace(
        config, monitor=dataclasses.replace(config.monitor, activity_flush_interval=3600),
        alerts=dataclasses.replace(config.alerts, **{"check_interval": 86400, **alerts}))


@pytest.fixture
async def ops_client(hub_env: HubEnv, aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(quiet(hub_env.config)))


def hub_of(client: TestClient) -> Hub:
    return client.app[HUB_KEY]


def admin(env: HubEnv) -> dict[str, str]:
    return {"Authorization": f"Bearer {env.credentials['operators']['admin']['api_token']}"}
