"""The README's evidence commands, run as written by bash in a fresh project folder against a
real hub process: in whatever month the suite runs, and again after `keys rotate-hub`, when
the first receipt must still verify."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import REPO, HubEnv


def evidence_block() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Evidence for auditors", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "no sh block in the README's evidence section"
    return match.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _project(env: HubEnv) -> int:
    """The test's hub folder as a checkout: `.venv/bin/docexchange`, its own port, the
    credentials file, the demo attachment."""
    launcher = env.root / ".venv" / "bin" / "docexchange"
    launcher.parent.mkdir(parents=True)
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m docexchange "$@"\n')
    launcher.chmod(0o755)
    port = _free_port()
    config = env.config_path.read_text(encoding="utf-8").replace("port = 8080",
                                                                 f"port = {port}", 1)
    env.config_path.write_text(config, encoding="utf-8")
    env.config.keys.dev_credentials.write_text(json.dumps(env.credentials), encoding="utf-8")
    (env.root / "ke-hoach.pdf").write_bytes(b"%PDF-1.4 demo\n")
    return port


def _serve(env: HubEnv, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([str(env.root / ".venv/bin/docexchange"), "serve"], cwd=env.root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the hub did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=60)


def _bash(env: HubEnv, script: str) -> str:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=env.root,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _checks(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("OK", "FAILED"))]


def test_the_readme_evidence_commands_work_before_and_after_a_rotation(
        hub_env: HubEnv, tmp_path: Path) -> Any:
    port = _project(hub_env)
    block = evidence_block()
    server = _serve(hub_env, port)
    try:
        out = _bash(hub_env, block)
    finally:
        _stop(server)
    first = _checks(out)
    assert len(first) == 2 and all(line.startswith("OK") for line in first), out
    (hub_env.root / "receipt.json").rename(hub_env.root / "before-rotation.json")
    old_key = json.loads((hub_env.root / "before-rotation.json").read_text())[
        "tree_head"]["key_id"]

    _bash(hub_env, ".venv/bin/docexchange keys rotate-hub")
    server = _serve(hub_env, port)
    try:
        out = _bash(hub_env, block + "\n.venv/bin/docexchange receipt verify "
                    "before-rotation.json --hub-cert keys/hub-certs/\n")
    finally:
        _stop(server)
    after = _checks(out)
    assert len(after) == 3 and all(line.startswith("OK") for line in after), out
    new_key = json.loads((hub_env.root / "receipt.json").read_text())["tree_head"]["key_id"]
    assert new_key != old_key and old_key in after[2]
