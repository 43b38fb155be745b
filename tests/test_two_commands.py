"""The README's two commands, step by step, in a fresh folder: init, then serve, then /readyz
and the unit list with a dev credential. Also init's promises about keys and credentials."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from docexchange.cli import main
from tests.conftest import REPO, SO_NOI_VU, HubEnv, copy_hub, db_rows, make_project
from tests.exchange.test_durability import _free_port


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "docexchange", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=120, check=False)


async def test_init_then_serve_reaches_readyz_and_lists_units(tmp_path: Path) -> None:
    config = make_project(tmp_path / "hub")
    config.unlink()  # a fresh checkout has only the example: init creates hub.toml from it
    done = _run(config, "init", "--if-needed")
    assert done.returncode == 0, done.stderr
    assert config.exists()
    creds = json.loads((tmp_path / "hub" / "keys" / "dev-credentials.json").read_text("utf-8"))
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "docexchange", "--config", str(config),
                               "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession() as session:
            deadline = time.monotonic() + 30
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                assert time.monotonic() < deadline, "hub never became ready"
                await asyncio.sleep(0.1)
            headers = {"Authorization": f"Bearer {creds[SO_NOI_VU]['api_key']}"}
            async with session.get(f"http://127.0.0.1:{port}/api/v1/units",
                                   headers=headers) as resp:
                assert resp.status == 200
                assert (await resp.json())["count"] >= 100
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_init_is_idempotent_and_keeps_secrets_private(hub_template: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = hub_template / "config" / "hub.toml"
    before = (hub_template / "keys" / "dev-credentials.json").read_bytes()
    assert main(["--config", str(config), "init"]) == 0
    assert (hub_template / "keys" / "dev-credentials.json").read_bytes() == before
    keys = hub_template / "keys"
    private = [keys / "hub.key", keys / "dev-ca.key", keys / "dev-credentials.json",
               *sorted((keys / "units").glob("*.key"))]
    assert len(private) > 100
    for path in private:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    creds = json.loads(before)
    assert all(set(v) >= {"api_key", "signing_key", "certificate"}
               for k, v in creds.items() if k != "operators")


def test_keys_issue_and_list(hub_template: Path, capsys: pytest.CaptureFixture[str],
                             tmp_path: Path) -> None:
    root = tmp_path / "copy"
    config = copy_hub(hub_template, root)
    old = json.loads((root / "keys" / "dev-credentials.json").read_text("utf-8"))[SO_NOI_VU]
    assert main(["--config", str(config), "keys", "issue", SO_NOI_VU]) == 0
    new = json.loads((root / "keys" / "dev-credentials.json").read_text("utf-8"))[SO_NOI_VU]
    assert new["api_key"] != old["api_key"]
    assert main(["--config", str(config), "keys", "list"]) == 0
    out = capsys.readouterr().out
    assert "hub" in out and SO_NOI_VU in out and "api-key" in out


def test_api_keys_are_stored_hashed(hub_env: HubEnv) -> None:
    creds = hub_env.credentials
    stored = " ".join(r[0] for r in db_rows(hub_env, "SELECT secret_hash FROM api_keys"))
    assert creds[SO_NOI_VU]["api_key"] not in stored
    assert len(stored.split()) >= 100


def test_no_private_material_is_tracked() -> None:
    tracked = subprocess.run(["git", "ls-files", "keys"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.split()
    assert set(tracked) <= {"keys/.gitignore", "keys/README.md"}
