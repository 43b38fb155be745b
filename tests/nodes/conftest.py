"""A throw-away PostgreSQL server for the multi-node tests, started once per session with the
project's own script (scripts/postgresql-throwaway.sh); each test gets a database of its own.

`fast` mode (no fsync): these tests prove ordering, claiming and failover, not durability.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from docexchange.cli import main
from docexchange.config import load_config
from tests.conftest import HubEnv

REPO = Path(__file__).resolve().parents[2]
_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The server's URL (its `postgres` database).

    Its folder is not under pytest's tmp folder: the server runs as the `postgres` account
    when we are root, and pytest (of this or a parallel run) resets its root to mode 0700."""
    folder = Path(tempfile.mkdtemp(prefix="docexchange-pg-"))
    script = REPO / "scripts" / "postgresql-throwaway.sh"
    started = subprocess.run(["bash", str(script), "start", str(folder), "", "fast"],
                             capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(script), "stop", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """An empty database of this test's own."""
    name = f"nodes_{next(_names)}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return pg_server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def pg_hub_env(hub_env: HubEnv, pg_url: str) -> HubEnv:
    """The per-test hub moved into this test's PostgreSQL database with `store migrate` (the
    command under test elsewhere), its config then pointing at the database: what an operator
    does before starting a second node."""
    config = ["--config", str(hub_env.config_path)]
    assert main([*config, "store", "migrate", "--to", pg_url]) == 0
    text = hub_env.config_path.read_text("utf-8")
    text, count = re.subn(r'(?m)^database = .*$', f'database = "{pg_url}"', text)
    assert count == 1
    hub_env.config_path.write_text(text, encoding="utf-8")
    return HubEnv(hub_env.root, hub_env.config_path, load_config(hub_env.config_path),
                  hub_env.credentials)
