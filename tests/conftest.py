"""Shared fixtures: a fully initialised hub (keys, database, demo directory) per test.

Initialising issues ~120 certificates, so it is done once per session into a template folder
that each test copies: every test still gets its own real database and real keys.

The engine: a SQLite file by default. With `DX_TEST_DATABASE=postgresql://USER@HOST:PORT/DB`
(a throw-away server: `make test-postgresql`) every hub of the suite lives on PostgreSQL
instead: the template is initialised into a database of its own, and each test gets a fresh
`CREATE DATABASE ... TEMPLATE` copy of it (a file copy on the server, no re-initialising).
Tests about SQLite itself ask for `sqlite_hub_env`, which stays on SQLite in both runs.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.commands.init import initialise
from docexchange.config import Config, PostgresURL, load_config, parse_database

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


#: the server every PostgreSQL hub of this run lives on; "" runs the suite on SQLite
TEST_DATABASE = os.environ.get("DX_TEST_DATABASE", "")
_SQLITE_LINE = 'database = "../var/hub.sqlite3"'


class PgTestServer:
    """Databases on the throw-away PostgreSQL server of a `make test-postgresql` run."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._numbers = itertools.count(1)

    def url(self, dbname: str) -> str:
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{dbname}"))

    def create(self, template: str | None = None) -> str:
        """A new database (empty, or a copy of `template`); returns its URL."""
        import psycopg

        name = f"dx_{os.getpid()}_{next(self._numbers)}"
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def drop(self, url: str) -> None:
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


SERVER = PgTestServer(TEST_DATABASE) if TEST_DATABASE else None


def point_at(config_path: Path, database: str) -> None:
    """Rewrite `[storage] database` of a project's hub.toml."""
    text = config_path.read_text("utf-8")
    line = next(x for x in text.splitlines() if x.startswith("database = "))
    config_path.write_text(text.replace(line, f'database = "{database}"'), encoding="utf-8")


def make_project(root: Path, extra_toml: str = "", *, engine: str = "") -> Path:
    """A project folder like a fresh checkout: config/ with the example and the demo CSV.

    Its database is a fresh, empty one on this run's engine (`engine="sqlite"` insists)."""
    (root / "config").mkdir(parents=True)
    shutil.copy(REPO / "config" / "demo-province.csv", root / "config")
    shutil.copy(REPO / "config" / "hub.example.toml", root / "config")
    config_path = root / "config" / "hub.toml"
    config_path.write_text((REPO / "config" / "hub.example.toml").read_text("utf-8") + extra_toml,
                           encoding="utf-8")
    if SERVER is not None and engine != "sqlite":
        point_at(config_path, SERVER.create())
    return config_path


def copy_hub(template: Path, root: Path) -> Path:
    """A copy of an initialised project folder with a database of its own (on PostgreSQL a
    server-side copy of the template's database); returns its config path."""
    shutil.copytree(template, root, symlinks=True)
    config_path = root / "config" / "hub.toml"
    database = load_config(config_path).storage.database
    if SERVER is not None and isinstance(database, PostgresURL):
        point_at(config_path, SERVER.create(template=database.dbname))
    return config_path


def _template(factory: pytest.TempPathFactory, engine: str = "") -> Path:
    root = factory.mktemp("template")
    config_path = make_project(root, engine=engine)
    asyncio.run(initialise(load_config(config_path)))
    return root


@pytest.fixture(scope="session")
def hub_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory)


@pytest.fixture(scope="session")
def sqlite_hub_template(tmp_path_factory: pytest.TempPathFactory,
                        hub_template: Path) -> Path:
    return _template(tmp_path_factory, "sqlite") if SERVER is not None else hub_template


def _hub_env(template: Path, root: Path) -> Iterator[HubEnv]:
    config_path = copy_hub(template, root)
    config = load_config(config_path)
    creds = json.loads(config.keys.dev_credentials.read_text("utf-8"))
    # credentials written in the template point at the template's key files: re-root them
    for entry in creds.values():
        if isinstance(entry, dict):
            for field in ("signing_key", "certificate"):
                if field in entry:
                    entry[field] = str(root / Path(entry[field]).relative_to(template))
    yield HubEnv(root, config_path, config, creds)
    if SERVER is not None and isinstance(config.storage.database, PostgresURL):
        SERVER.drop(config.storage.database.url)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgTestServer]:
    """This run's PostgreSQL server; in a SQLite run, a throw-away one of the PostgreSQL
    engine's own tests (scripts/postgresql-throwaway.sh, as `make test-postgresql` uses)."""
    if SERVER is not None:
        yield SERVER
        return
    # not under pytest's basetemp: concurrent pytest sessions prune each other's old ones
    folder = Path(tempfile.mkdtemp(prefix="dx-postgresql-"))
    script = REPO / "scripts" / "postgresql-throwaway.sh"
    started = subprocess.run(["bash", str(script), "start", str(folder), "", "fast"],
                             capture_output=True, text=True, check=False)
    assert started.returncode == 0, started.stderr
    try:
        yield PgTestServer(started.stdout.split()[-1])
    finally:
        subprocess.run(["bash", str(script), "stop", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgTestServer) -> Iterator[PostgresURL]:
    """A fresh, empty PostgreSQL database, dropped after the test."""
    url = pg_server.create()
    database = parse_database("pg_url", url, REPO)
    assert isinstance(database, PostgresURL)
    yield database
    pg_server.drop(url)


@pytest.fixture
def hub_env(hub_template: Path, tmp_path: Path) -> Iterator[HubEnv]:
    yield from _hub_env(hub_template, tmp_path / "hub")


@pytest.fixture
def sqlite_hub_env(sqlite_hub_template: Path, tmp_path: Path) -> Iterator[HubEnv]:
    """A hub on SQLite whatever the run's engine: for tests about SQLite itself."""
    yield from _hub_env(sqlite_hub_template, tmp_path / "hub")


class DbConn:
    """An autocommit connection to a hub's database through the store's own engine code, for
    tests that look at (or tamper with) rows: `.execute(sql, params)` with `?` placeholders
    on either engine; rows are tuples that also answer row["name"]. Closed by `with`."""

    def __init__(self, env: HubEnv) -> None:
        database = env.config.storage.database
        if isinstance(database, PostgresURL):
            from docexchange.store.postgres import PgTx, connect

            self._pg = connect(database)
            self._tx: Any = PgTx(self._pg)
            return
        from docexchange.store.sqlite import connect as sqlite_connect

        self._sqlite = sqlite_connect(database)
        self._sqlite.row_factory = _sqlite_row
        self._tx = self._sqlite

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._tx.execute(sql, params)

    def executemany(self, sql: str, params: Any) -> Any:
        return self._tx.executemany(sql, params)

    def close(self) -> None:
        (self._pg if hasattr(self, "_pg") else self._sqlite).close()

    def __enter__(self) -> DbConn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sqlite_row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Any:
    """The PostgreSQL engine's Row for SQLite too: a tuple that also answers row["name"]."""
    from docexchange.store.pg_sql import row_class

    return row_class(tuple(c[0] for c in cursor.description))(values)


def db_connect(env: HubEnv) -> DbConn:
    return DbConn(env)


def db_close(conn: DbConn) -> None:
    conn.close()


def db_rows(env: HubEnv, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """The rows of one query on `env`'s database (see db_connect)."""
    with DbConn(env) as conn:
        return list(conn.execute(sql, params).fetchall())


@pytest.fixture
async def client(hub_env: HubEnv, aiohttp_client: Any) -> AsyncIterator[TestClient]:
    yield await aiohttp_client(create_app(hub_env.config))
