"""`docexchange push …` through main([...]), on a real initialised hub."""

from __future__ import annotations

import json

import pytest

from docexchange.cli import main
from tests.conftest import SO_NOI_VU, HubEnv


def test_register_approve_list_and_disable(hub_env: HubEnv,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(hub_env.config_path)
    assert main(["--config", cfg, "push", "register", SO_NOI_VU, "http://dms.example.org/in"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "pending"
    assert main(["--config", cfg, "push", "approve", SO_NOI_VU]) != 0  # http needs the flag
    assert "DX_INVALID_ENDPOINT" in capsys.readouterr().err
    assert main(["--config", cfg, "push", "approve", SO_NOI_VU, "--allow-http",
                 "--operator", "an"]) == 0
    approved = json.loads(capsys.readouterr().out)
    assert approved["state"] == "approved" and approved["approved_by"] == "an"
    assert main(["--config", cfg, "push", "list", "--state", "approved"]) == 0
    assert [json.loads(line)["organ_id"] for line in
            capsys.readouterr().out.splitlines()] == [SO_NOI_VU]
    assert main(["--config", cfg, "push", "disable", SO_NOI_VU]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "disabled"
    assert main(["--config", cfg, "push", "register", SO_NOI_VU, "https://10.0.0.1/"]) != 0
    assert "DX_INVALID_ENDPOINT" in capsys.readouterr().err
