"""`docexchange keys rotate-hub`: new heads carry the new key id, old heads keep verifying."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from docexchange.cli import main
from docexchange.commands.common import open_hub
from docexchange.evidence.proofs import receipt_proof
from docexchange.evidence.verify import certificates_by_key_id, check_receipt
from docexchange.signing.certificates import key_id, load_certificate
from tests.conftest import HubEnv
from tests.evidence.logdata import add_events, database, export, verify


def _receipt_evidence(env: HubEnv, index: int) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        async with open_hub(env.config_path) as hub:
            return (await receipt_proof(hub.db, index, same_batch=True)).to_json()
    return asyncio.run(read())


def _heads(env: HubEnv) -> list[tuple[int, str]]:
    with database(env) as conn:
        return [(r[0], r[1]) for r in conn.execute("SELECT tree_size, key_id FROM tree_heads "
                                                   "ORDER BY tree_size")]


def _events(env: HubEnv) -> dict[str, dict[str, Any]]:
    with database(env) as conn:
        return {r[0]: json.loads(r[1]) for r in conn.execute(
            "SELECT event, data FROM log_leaves WHERE event LIKE 'hub_key_%'")}


def test_rotation_keeps_old_heads_verifiable(hub_env: HubEnv, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    keys = hub_env.config.keys.dir
    add_events(hub_env, (3, 4))
    old_receipt = _receipt_evidence(hub_env, 2)
    old_id = key_id(load_certificate(keys / "hub.crt"))

    assert main(["--config", str(hub_env.config_path), "keys", "rotate-hub"]) == 0
    assert "restart a running hub" in capsys.readouterr().out
    new_id = key_id(load_certificate(keys / "hub.crt"))
    assert new_id != old_id and (keys / "retired" / f"{old_id}.key").exists()
    add_events(hub_env, (2,), fresh=False)

    heads = _heads(hub_env)
    assert [k for _, k in heads] == [old_id, old_id, old_id, new_id, new_id]
    events = _events(hub_env)
    rotated, retired = events["hub_key_rotated"], events["hub_key_retired"]
    assert (rotated["old_key_id"], rotated["new_key_id"]) == (old_id, new_id)
    assert rotated["certificate"] == (keys / "hub-certs" / f"{new_id}.crt").read_text()
    assert heads[2][0] == rotated["leaf_index"] + 1  # vouched for under the OLD key
    assert retired["key_id"] == old_id and heads[3][0] == retired["leaf_index"] + 1

    old_cert = load_certificate(keys / "hub-certs" / f"{old_id}.crt")
    assert check_receipt(old_receipt, certificates_by_key_id([old_cert])).leaf_index == 2

    out = tmp_path / "audit.jsonl"
    export(hub_env, out)
    code, output = verify(hub_env, out, capsys)  # the whole hub-certs/ folder
    assert code == 0, output
    code, output = verify(hub_env, out, capsys, keys / "hub.crt")
    assert code == 1 and f"no hub certificate given for key id {old_id}" in output
    code, output = verify(hub_env, out, capsys, keys / "hub.crt",
                          keys / "hub-certs" / f"{old_id}.crt")
    assert code == 0, output
