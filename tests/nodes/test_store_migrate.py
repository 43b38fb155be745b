"""`docexchange store migrate --to postgresql://…`: a SQLite hub with documents copied table
by table, its evidence log verified on the copy; a non-empty target and a tampered log are
refused; the copy then serves as the hub."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import psycopg
from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from docexchange.cli import main
from docexchange.config import PostgresURL
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document

TABLES = ("messages", "deliveries", "delivery_events", "log_leaves", "tree_heads",
          "merkle_nodes", "units", "payloads")


def counts_sqlite(env: HubEnv) -> dict[str, int]:
    with sqlite3.connect(env.config.storage.database) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def counts_pg(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in TABLES}


async def migrate(env: HubEnv, url: str) -> int:
    return await asyncio.to_thread(main, ["--config", str(env.config_path), "store", "migrate",
                                          "--to", url])


async def send_some(env: HubEnv, client: TestClient, count: int) -> list[dict[str, Any]]:
    receipts = []
    for _ in range(count):
        resp = await client.post("/api/v1/documents", data=document(
            PROVINCE, [SO_NOI_VU, SONG_HINH]), headers={**env.auth(PROVINCE), **XML})
        assert resp.status == 202
        receipts.append(await resp.json())
    return receipts


async def test_round_trip_copies_every_row_and_verifies_the_log(
        sqlite_hub_env: HubEnv, aiohttp_client: Any, pg_url: PostgresURL, capsys: Any) -> None:
    hub_env, url = sqlite_hub_env, pg_url.url
    await send_some(hub_env, await aiohttp_client(create_app(hub_env.config)), 5)
    before = counts_sqlite(hub_env)
    assert before["log_leaves"] >= 5
    assert await migrate(hub_env, url) == 0
    out = capsys.readouterr().out
    assert f"evidence log verified: {before['log_leaves']} leaves" in out
    assert counts_pg(url) == before
    with psycopg.connect(url) as conn, sqlite3.connect(hub_env.config.storage.database) as lite:
        assert conn.execute("SELECT data FROM log_leaves ORDER BY leaf_index").fetchall() == \
            [(bytes(r[0]),) for r in lite.execute(
                "SELECT data FROM log_leaves ORDER BY leaf_index")]

    assert await migrate(hub_env, url) == 1  # the target is no longer empty
    assert "not empty" in capsys.readouterr().out
    assert counts_pg(url) == before


async def test_a_tampered_log_is_copied_but_not_verified(
        sqlite_hub_env: HubEnv, aiohttp_client: Any, pg_url: PostgresURL, capsys: Any) -> None:
    hub_env, url = sqlite_hub_env, pg_url.url
    await send_some(hub_env, await aiohttp_client(create_app(hub_env.config)), 3)
    with sqlite3.connect(hub_env.config.storage.database) as conn:
        conn.execute("UPDATE log_leaves SET data = CAST(replace(CAST(data AS TEXT), "
                     "'document_accepted', 'document_accepted ') AS BLOB) WHERE leaf_index = "
                     "(SELECT MIN(leaf_index) FROM log_leaves WHERE event = 'document_accepted')")
        assert conn.total_changes == 1
    assert await migrate(hub_env, url) == 1
    assert "NOT VERIFIED" in capsys.readouterr().out
