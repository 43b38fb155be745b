"""`keys issue-vdxp` / `revoke-vdxp`, the sealed secret, and revocation with the API keys."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from docexchange.cli import main
from docexchange.vdxp.credentials import SEAL_KEY_FILE
from tests.conftest import SO_NOI_VU, HubEnv, db_rows
from tests.vdxp.conftest import Door, issue


def test_issue_prints_json_and_reissue_replaces_the_secret(hub_env: HubEnv) -> None:
    first = issue(hub_env, SO_NOI_VU)
    assert set(first) == {"organ_id", "system_id", "secret"}
    assert first["organ_id"] == SO_NOI_VU and len(first["secret"]) >= 40
    second = issue(hub_env, SO_NOI_VU)
    assert second["system_id"] != first["system_id"]
    rows = dict(db_rows(hub_env, "SELECT system_id, revoked_ts IS NULL FROM vdxp_credentials"))
    assert rows == {first["system_id"]: 0, second["system_id"]: 1}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--config", str(hub_env.config_path), "keys", "list"]) == 0
    assert f"{SO_NOI_VU} {second['system_id']}" in out.getvalue()
    assert second["secret"] not in out.getvalue()


def test_secrets_are_sealed_at_rest(sqlite_hub_env: HubEnv) -> None:
    """Every byte of the SQLite files (the WAL too): the secret is nowhere in clear."""
    cred = issue(sqlite_hub_env, SO_NOI_VU)
    db = sqlite_hub_env.config.storage.database
    assert isinstance(db, Path)
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert cred["secret"].encode() not in stored
    key = sqlite_hub_env.config.keys.dir / SEAL_KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32


def test_secrets_are_sealed_in_every_column(hub_env: HubEnv) -> None:
    """On this run's engine: no column of the credential's row holds the secret."""
    cred = issue(hub_env, SO_NOI_VU)
    row = db_rows(hub_env, "SELECT * FROM vdxp_credentials WHERE system_id = ?",
                  (cred["system_id"],))[0]
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    assert cred["secret"].encode() not in stored and len(row["sealed_secret"]) > 12 + 16
    key = hub_env.config.keys.dir / SEAL_KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32


async def test_an_old_secret_stops_working_after_reissue(door: Door) -> None:
    import asyncio
    old = door.sdk(SO_NOI_VU)
    assert (await old.get_agencies_list())["status"] == "OK"
    fresh = await asyncio.to_thread(issue, door.env, SO_NOI_VU)
    assert (await old.get_agencies_list())["ErrorCode"] == "DX_UNAUTHENTICATED"
    door.credentials[SO_NOI_VU] = fresh
    assert (await door.sdk(SO_NOI_VU).get_agencies_list())["status"] == "OK"


async def test_disabling_a_units_credentials_closes_the_vdxp_door_too(door: Door) -> None:
    sdk = door.sdk(SO_NOI_VU)
    assert (await sdk.get_agencies_list())["status"] == "OK"
    token = door.env.credentials["operators"]["admin"]["api_token"]
    resp = await door.http.post(f"/api/v1/ops/units/{SO_NOI_VU}/disable-credentials",
                                headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200
    assert (await sdk.get_agencies_list())["ErrorCode"] == "DX_UNAUTHENTICATED"


def test_revoke_unknown_unit_fails(hub_env: HubEnv) -> None:
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["--config", str(hub_env.config_path), "keys", "revoke-vdxp",
                     "999.99.99.Z99"]) == 1
