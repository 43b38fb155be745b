"""Multi-node tests run on PostgreSQL in either run of the suite: tests/conftest.py's
`pg_server` (this run's server, or a throw-away one in a SQLite run) and `pg_url` (a fresh,
empty database per test)."""

from __future__ import annotations

import pytest

from docexchange.cli import main
from docexchange.config import PostgresURL, load_config
from tests.conftest import HubEnv, point_at


@pytest.fixture
def pg_hub_env(sqlite_hub_env: HubEnv, pg_url: PostgresURL) -> HubEnv:
    """The per-test hub moved into this test's PostgreSQL database with `store migrate` (the
    command under test elsewhere), its config then pointing at the database: what an operator
    does before starting a second node."""
    env = sqlite_hub_env
    assert main(["--config", str(env.config_path), "store", "migrate", "--to", pg_url.url]) == 0
    point_at(env.config_path, pg_url.url)
    return HubEnv(env.root, env.config_path, load_config(env.config_path), env.credentials)
