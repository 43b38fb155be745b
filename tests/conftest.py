"""Shared fixtures: a fully initialised hub (keys, database, demo directory) per test.

Initialising issues ~120 certificates, so it is done once per session into a template folder
that each test copies: every test still gets its own real SQLite file and real keys.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.commands.init import initialise
from docexchange.config import Config, load_config

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"  # written by `docexchange samples`; see samples/README.md
PROVINCE = "000.00.00.H45"
SO_NOI_VU = "000.00.12.H45"
SONG_HINH = "000.00.31.H45"


def bare_cid_variant(data: bytes) -> bytes:
    """A sample as some implementations write it: ``cid:`` in the Manifest, a bare ContentId
    on the attachment (7f3c). The builder always writes ``cid:``, so tests bend its output."""
    manifest = re.search(rb"<edXML:ContentId>cid:([^<]*)</edXML:ContentId>", data)
    assert manifest is not None
    cid = manifest[1]
    data = data.replace(b"<edXML:ContentId>cid:" + cid + b"<", b"<edXML:ContentId>cid:7f3c<")
    return data.replace(b"<ContentId>cid:" + cid + b"<", b"<ContentId>7f3c<")


@dataclass
class HubEnv:
    root: Path
    config_path: Path
    config: Config
    credentials: dict[str, Any]

    def api_key(self, organ_id: str) -> str:
        return str(self.credentials[organ_id]["api_key"])

    def auth(self, organ_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key(organ_id)}"}


def make_project(root: Path, extra_toml: str = "") -> Path:
    """A project folder like a fresh checkout: config/ with the example and the demo CSV."""
    (root / "config").mkdir(parents=True)
    shutil.copy(REPO / "config" / "demo-province.csv", root / "config")
    shutil.copy(REPO / "config" / "hub.example.toml", root / "config")
    config_path = root / "config" / "hub.toml"
    config_path.write_text((REPO / "config" / "hub.example.toml").read_text("utf-8") + extra_toml,
                           encoding="utf-8")
    return config_path


@pytest.fixture(scope="session")
def hub_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    config_path = make_project(root)
    asyncio.run(initialise(load_config(config_path)))
    return root


@pytest.fixture
def hub_env(hub_template: Path, tmp_path: Path) -> Iterator[HubEnv]:
    root = tmp_path / "hub"
    shutil.copytree(hub_template, root, symlinks=True)
    config_path = root / "config" / "hub.toml"
    config = load_config(config_path)
    creds = json.loads(config.keys.dev_credentials.read_text("utf-8"))
    # credentials written in the template point at the template's key files: re-root them
    for entry in creds.values():
        if isinstance(entry, dict):
            for field in ("signing_key", "certificate"):
                if field in entry:
                    entry[field] = str(root / Path(entry[field]).relative_to(hub_template))
    yield HubEnv(root, config_path, config, creds)


@pytest.fixture
async def client(hub_env: HubEnv, aiohttp_client: Any) -> AsyncIterator[TestClient]:
    yield await aiohttp_client(create_app(hub_env.config))
