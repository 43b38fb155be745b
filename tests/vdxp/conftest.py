"""The VDXP door under test: credentials issued through the real CLI, SDK-like clients talking
to the real app over HTTP."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.cli import main
from docexchange.vdxp.client import VdxpClient
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv

#: A fixed SDK timestamp, as a long-running DMS sends for months.
STAMP = "28112026T090000+0123"


def issue(env: HubEnv, code: str) -> dict[str, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--config", str(env.config_path), "keys", "issue-vdxp", code]) == 0
    credential: dict[str, str] = json.loads(out.getvalue())
    return credential


@pytest.fixture
def credentials(hub_env: HubEnv) -> dict[str, dict[str, str]]:
    return {code: issue(hub_env, code) for code in (PROVINCE, SO_NOI_VU, SONG_HINH)}


@dataclass
class Door:
    http: TestClient
    env: HubEnv
    credentials: dict[str, dict[str, str]]

    @property
    def endpoint(self) -> str:
        return str(self.http.make_url("/vdxp"))

    def sdk(self, unit: str, *, endpoint: str | None = None, secret: str | None = None,
            system_id: str | None = None, timestamp: str = STAMP) -> VdxpClient:
        """A new SDK service object for `unit`."""
        cred = self.credentials[unit]
        return VdxpClient(self.http.session, endpoint or self.endpoint,
                          system_id or cred["system_id"], secret or cred["secret"],
                          timestamp=timestamp)


@pytest.fixture
async def door(credentials: dict[str, dict[str, str]], client: TestClient,
               hub_env: HubEnv) -> AsyncIterator[Door]:
    yield Door(client, hub_env, credentials)


def params(**values: Any) -> dict[str, Any]:
    return values


EDOC = {"servicetype": "eDoc", "messagetype": "edoc"}
STATUS = {"servicetype": "eDoc", "messagetype": "status"}
