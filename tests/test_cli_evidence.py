"""Every change made from the command line is an evidence event (docs/evidence.md): each
change command runs through main([...]) on a real initialised hub, and its leaf must be the
log's newest, of the right kind, naming the right subject and the `cli:USER` who made it, and
the exported log must still verify offline."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docexchange.cli import main
from tests.conftest import SO_NOI_VU, SONG_HINH, DbConn, HubEnv

NEW_UNIT = "000.99.01.H45"


def _leaves(env: HubEnv, after: int) -> list[dict[str, Any]]:
    with DbConn(env) as conn:
        rows = conn.execute("SELECT event, data FROM log_leaves WHERE leaf_index > ? "
                            "ORDER BY leaf_index", (after,)).fetchall()
    return [{"kind": event, **json.loads(data)} for event, data in rows]


def _size(env: HubEnv) -> int:
    with DbConn(env) as conn:
        return int(conn.execute("SELECT COALESCE(MAX(leaf_index), -1) FROM log_leaves")
                   .fetchone()[0])


def _run(env: HubEnv, *argv: str) -> None:
    assert main(["--config", str(env.config_path), *argv]) == 0


def _verifies(env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "audit.jsonl"
    _run(env, "audit", "export", "--out", str(out))
    capsys.readouterr()
    code = main(["audit", "verify", str(out), "--hub-cert", str(env.config.keys.dir / "hub.crt")])
    assert code == 0, capsys.readouterr().out


def _units_csv(env: HubEnv) -> list[str]:
    path = env.root / "new-units.csv"
    path.write_text("organ_id,name,kind,parent,valid_from,contact_person\n"
                    f"{NEW_UNIT},Phòng thử nghiệm,other,{SONG_HINH},2024-01-01,Chị Lan\n",
                    encoding="utf-8")
    return ["units", "import", str(path)]


def _groups_csv(env: HubEnv) -> list[str]:
    path = env.root / "groups.csv"
    path.write_text("group_id,name,description,kind,parent,members\n"
                    f"PAIR,Hai đơn vị,,,,{SO_NOI_VU};{SONG_HINH}\n", encoding="utf-8")
    return ["groups", "import", str(path)]


def _client_fingerprint(env: HubEnv, capsys: pytest.CaptureFixture[str]) -> str:
    _run(env, "keys", "issue", SO_NOI_VU, "--client-cert")
    return capsys.readouterr().out.split("fingerprint ")[1].split()[0]


Setup = Callable[[HubEnv, pytest.CaptureFixture[str]], list[str]]

#: (command, kind of its leaf, what the leaf must name)
CASES: list[tuple[str, Setup, str, dict[str, Any]]] = [
    ("units add", lambda env, _: ["units", "add", NEW_UNIT, "--name", "Phòng mới", "--kind",
                                  "other", "--parent", SONG_HINH],
     "units_saved", {"added": [NEW_UNIT], "source": "units add"}),
    ("units import", lambda env, _: _units_csv(env),
     "units_saved", {"added": [NEW_UNIT], "contacts": [NEW_UNIT], "source": "new-units.csv"}),
    ("groups add", lambda env, _: ["groups", "add", "PAIR", "--name", "Hai đơn vị",
                                   "--member", SO_NOI_VU, "--member", SONG_HINH],
     "groups_saved", {"source": "groups add"}),
    ("groups import", lambda env, _: _groups_csv(env), "groups_saved", {"source": "groups.csv"}),
    ("keys issue", lambda env, _: ["keys", "issue", SONG_HINH],
     "signing_certificate_registered", {"unit": SONG_HINH}),
    ("keys issue --client-cert", lambda env, _: ["keys", "issue", SONG_HINH, "--client-cert"],
     "client_certificate_issued", {"unit": SONG_HINH}),
    ("keys revoke-client-cert", lambda env, cap: ["keys", "revoke-client-cert",
                                                  _client_fingerprint(env, cap)],
     "client_certificate_revoked", {"unit": SO_NOI_VU}),
    ("keys issue-vdxp", lambda env, _: ["keys", "issue-vdxp", SONG_HINH],
     "vdxp_credential_issued", {"unit": SONG_HINH}),
    ("operators add", lambda env, _: ["operators", "add", "lan", "--role", "viewer",
                                      "--password", "a long password"],
     "operator_saved", {"name": "lan", "role": "viewer"}),
    ("operators token", lambda env, _: ["operators", "token", "admin"],
     "operator_token_issued", {"name": "admin"}),
    ("operators disable", lambda env, _: ["operators", "disable", "admin"],
     "operator_disabled", {"name": "admin"}),
    ("push register", lambda env, _: ["push", "register", SO_NOI_VU, "https://dms.example.org/"],
     "push_endpoint_registered", {"unit": SO_NOI_VU}),
]


@pytest.mark.parametrize(("command", "argv", "kind", "names"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_cli_change_is_logged(hub_env: HubEnv, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str], command: str,
                                argv: Setup, kind: str, names: dict[str, Any]) -> None:
    args = argv(hub_env, capsys)  # may itself run a command the change needs first
    before = _size(hub_env)
    _run(hub_env, *args)
    leaves = _leaves(hub_env, before)
    assert leaves, f"{command} wrote no evidence"
    leaf = leaves[-1]
    assert leaf["kind"] == kind
    assert {k: leaf[k] for k in names} == names
    assert leaf["operator"].startswith("cli")
    _verifies(hub_env, tmp_path, capsys)


def test_keys_issue_logs_the_api_key_and_the_certificate(
        hub_env: HubEnv, capsys: pytest.CaptureFixture[str]) -> None:
    before = _size(hub_env)
    _run(hub_env, "keys", "issue", SONG_HINH)
    key_line = capsys.readouterr().out
    kinds = [(leaf["kind"], leaf["unit"]) for leaf in _leaves(hub_env, before)]
    assert kinds == [("api_key_issued", SONG_HINH), ("signing_certificate_registered",
                                                     SONG_HINH)]
    key = key_line.split("api key ")[1].split()[0]
    assert all(key not in json.dumps(leaf) for leaf in _leaves(hub_env, before))


def test_revocations_are_logged(hub_env: HubEnv, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    _run(hub_env, "keys", "issue-vdxp", SO_NOI_VU)
    secret = json.loads(capsys.readouterr().out)["secret"]
    _run(hub_env, "operators", "token", "admin")
    token = capsys.readouterr().out.strip()
    before = _size(hub_env)
    _run(hub_env, "keys", "revoke-vdxp", SO_NOI_VU)
    _run(hub_env, "operators", "revoke-token", token.split("_")[1])
    _run(hub_env, "push", "register", SO_NOI_VU, "https://dms.example.org/")
    _run(hub_env, "push", "approve", SO_NOI_VU)
    _run(hub_env, "push", "disable", SO_NOI_VU)
    _run(hub_env, "push", "remove", SO_NOI_VU)
    leaves = _leaves(hub_env, before)
    assert [leaf["kind"] for leaf in leaves] == [
        "vdxp_credentials_revoked", "operator_token_revoked", "push_endpoint_registered",
        "push_endpoint_approved", "push_endpoint_disabled", "push_endpoint_removed"]
    assert leaves[1]["token_id"] == token.split("_")[1]
    assert leaves[3]["operator"].startswith("cli")
    text = json.dumps(leaves)
    assert secret not in text and token not in text
    _verifies(hub_env, tmp_path, capsys)


def test_a_refused_change_leaves_no_leaf(hub_env: HubEnv,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    before = _size(hub_env)
    assert main(["--config", str(hub_env.config_path), "operators", "disable", "nobody"]) == 1
    assert main(["--config", str(hub_env.config_path), "groups", "add", "BAD", "--name", "x",
                 "--member", "NOPE"]) == 1
    assert _leaves(hub_env, before) == []
