"""Push tests: a hub whose config lets push reach the test receiver on 127.0.0.1 only."""

from __future__ import annotations

from pathlib import Path

from docexchange.config import load_config
from tests.conftest import HubEnv


def push_config(env: HubEnv, **push: object) -> HubEnv:
    """Rewrite the [push] values of the copied example config; returns the env reloaded."""
    text = env.config_path.read_text("utf-8")
    for key, value in push.items():
        head, sep, rest = text.partition("\n[push]\n")
        lines = rest.split("\n")
        lines = [f"{key} = {value}" if line.startswith(f"{key} = ") else line
                 for line in lines]
        text = head + sep + "\n".join(lines)
    Path(env.config_path).write_text(text, "utf-8")
    env.config = load_config(env.config_path)
    return env


def operator_auth(env: HubEnv) -> dict[str, str]:
    return {"Authorization": f"Bearer {env.credentials['operators']['admin']['api_token']}"}
