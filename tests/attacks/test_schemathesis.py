"""schemathesis against the OpenAPI document a real hub serves, with real credentials (a unit's
API key, then the admin operator's token): no generated request may get a server error."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SO_NOI_VU, HubEnv
from tests.hub_process import HubProcess, set_option

#: examples per operation in the fuzzing phase (the coverage phase adds its own boundary cases)
EXAMPLES = os.environ.get("DX_SCHEMATHESIS_EXAMPLES", "5")
ST = Path(sys.executable).with_name("st")


def _schemathesis(url: str, token: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """One `st run`; its cache folder (.schemathesis/) lands in `workdir`, not the checkout."""
    return subprocess.run(
        [str(ST), "run", f"{url}/api/v1/openapi.json", "--checks", "not_a_server_error",
         "--header", f"Authorization: Bearer {token}", "--max-examples", EXAMPLES,
         "--phases", "coverage,fuzzing", "--seed", os.environ.get("DX_SEED", "20261128"),
         "--request-timeout", "30"],
        capture_output=True, text=True, timeout=600, check=False, cwd=workdir)


@pytest.mark.slow
async def test_no_server_error_for_any_generated_request(hub_env: HubEnv,
                                                          tmp_path: Path) -> None:
    set_option(hub_env.config_path, "inbox_max_wait", 1)  # generated waits must not hold 60 s
    hub = HubProcess(hub_env)
    await hub.start()
    admin = hub_env.credentials["operators"]["admin"]["api_token"]
    try:
        runs = await asyncio.gather(*(asyncio.to_thread(_schemathesis, hub.url, token, tmp_path)
                                      for token in (hub_env.api_key(SO_NOI_VU), admin)))
        for run in runs:
            summary = run.stdout[run.stdout.rfind("SUMMARY"):]
            print(summary)
            assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
            assert " passed" in summary and "Server error" not in run.stdout
    finally:
        hub.stop()
