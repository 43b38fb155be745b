"""What init leaves on disk is private to the hub's user: folders 0700, secrets 0600."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.conftest import HubEnv


def _mode(path: object) -> int:
    return stat.S_IMODE(path.stat().st_mode)  # type: ignore[attr-defined]


def test_keys_and_data_folders_are_0700_and_secrets_0600(hub_env: HubEnv) -> None:
    config = hub_env.config
    folders = [config.keys.dir, config.storage.blobs, config.storage.blobs / "spool"]
    if isinstance(config.storage.database, Path):  # with PostgreSQL the server keeps its own
        folders.append(config.storage.database.parent)
    for folder in folders:
        assert _mode(folder) == 0o700, folder
    secrets = [config.keys.dev_credentials, *config.keys.dir.rglob("*.key")]
    assert len(secrets) > 10
    for path in secrets:
        assert _mode(path) == 0o600, path
