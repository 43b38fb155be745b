"""The configuration as evidence (docs/evidence.md §1): `init` records it; a server that starts
with a different one adds a `configuration_changed` leaf naming the changed keys, a secret's
value never in it; an unchanged start adds nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from docexchange.app import create_app
from docexchange.cli import main
from docexchange.config import PostgresURL, load_config
from tests.conftest import DbConn, HubEnv

WEBHOOK = "https://hooks.example.org/alerts?token=s3cr3t-t0ken-value"


def _config_leaves(env: HubEnv) -> list[dict[str, Any]]:
    with DbConn(env) as conn:
        rows = conn.execute("SELECT data FROM log_leaves WHERE event = 'configuration_changed' "
                            "ORDER BY leaf_index").fetchall()
    return [json.loads(data) for (data,) in rows]


def _edit(env: HubEnv, old: str, new: str) -> None:
    text = env.config_path.read_text("utf-8")
    assert old in text
    env.config_path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def _start(env: HubEnv, aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(load_config(env.config_path)))
    assert (await client.get("/healthz")).status == 200
    await client.close()


async def test_a_changed_configuration_is_logged_at_start(hub_env: HubEnv,
                                                          aiohttp_client: Any) -> None:
    [baseline] = _config_leaves(hub_env)  # recorded by `init`
    assert baseline["previous_digest"] is None
    assert baseline["values"]["exchange.max_packet_bytes"] == 104857600
    database = baseline["values"]["storage.database"]
    if isinstance(hub_env.config.storage.database, PostgresURL):  # a URL, password hidden
        assert database.startswith("postgresql://docexchange@")  # (init's: the template's)
    else:
        assert database.startswith("..")  # as written, relative

    await _start(hub_env, aiohttp_client)
    assert len(_config_leaves(hub_env)) == 1  # unchanged: nothing new

    _edit(hub_env, "unit_rate_limit = 50", "unit_rate_limit = 70")
    _edit(hub_env, 'webhook_url = ""', f'webhook_url = "{WEBHOOK}"')
    await _start(hub_env, aiohttp_client)
    leaves = _config_leaves(hub_env)
    assert len(leaves) == 2
    changed = leaves[-1]
    assert changed["changed_keys"] == ["alerts.webhook_url", "server.unit_rate_limit"]
    assert changed["previous_digest"] == baseline["digest"] != changed["digest"]
    assert changed["values"]["server.unit_rate_limit"] == 70
    assert "s3cr3t" not in json.dumps(changed)
    assert changed["secrets"]["alerts.webhook_url"].startswith("$argon2id$")

    await _start(hub_env, aiohttp_client)  # the same secret again: no change
    assert len(_config_leaves(hub_env)) == 2
    _edit(hub_env, WEBHOOK, WEBHOOK.replace("s3cr3t", "other"))
    await _start(hub_env, aiohttp_client)
    assert _config_leaves(hub_env)[-1]["changed_keys"] == ["alerts.webhook_url"]

    out = hub_env.root / "audit.jsonl"
    assert await asyncio.to_thread(main, ["--config", str(hub_env.config_path), "audit",
                                          "export", "--out", str(out)]) == 0
    assert await asyncio.to_thread(main, ["audit", "verify", str(out), "--hub-cert",
                                          str(hub_env.config.keys.dir / "hub.crt")]) == 0
