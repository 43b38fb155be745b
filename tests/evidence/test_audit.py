"""`docexchange audit export|verify` on a real database, honest and tampered behind the hub.

Every tamper test changes the stored log the way an intruder with file access would, exports
afresh with the hub's own exporter, and expects verify to fail naming the place.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from docexchange.evidence.tree_head import sign_tree_head
from docexchange.signing.certificates import public_key_id
from tests.conftest import SO_NOI_VU, HubEnv
from tests.evidence.logdata import add_events, database, export, verify

BATCHES = (3, 5, 1, 8, 4, 7, 2, 6, 4)  # 40 events, 9 signed heads


@pytest.fixture
def log_env(hub_env: HubEnv) -> HubEnv:
    add_events(hub_env, BATCHES)
    return hub_env


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_full_export_verifies(log_env: HubEnv, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "audit.jsonl"
    export(log_env, out)
    records = _records(out)
    assert [r["record"] for r in records[:2]] == ["export", "base"]
    assert records[-1] == {"record": "end", "leaves": 40, "tree_heads": 9}
    assert sum(r["record"] == "consistency" for r in records) == 8
    code, output = verify(log_env, out, capsys)
    assert code == 0, output
    assert output.startswith("OK: 40 leaves, 9 tree heads, 8 consistency proofs")


def test_csv_export_verifies(log_env: HubEnv, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "audit.csv"
    export(log_env, out, "--format", "csv")
    header, first_leaf = out.read_text("utf-8").splitlines()[0:4:3]
    assert header == "record,index,tree_size,event,time,message_id,units,json"
    assert first_leaf.startswith("leaf,0,,test_event,")
    code, output = verify(log_env, out, capsys, log_env.config.keys.dir / "hub.crt")
    assert code == 0, output


def test_unit_export_proves_each_event(log_env: HubEnv, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "unit.jsonl"
    export(log_env, out, "--unit", SO_NOI_VU)
    leaves = [r for r in _records(out) if r["record"] == "leaf"]
    assert leaves and all(r["tree_size"] == 40 and "inclusion_proof" in r for r in leaves)
    for record in leaves:
        event = json.loads(base64.b64decode(str(record["data"])))
        assert event["leaf_index"] == record["index"]
    assert len(leaves) == 13  # every third event of each batch concerns SO_NOI_VU
    code, output = verify(log_env, out, capsys)
    assert code == 0, output
    assert "13 inclusion proofs" in output


def test_period_export_starts_at_a_signed_base(log_env: HubEnv, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with database(log_env) as conn:  # the first batches happened "yesterday"
        conn.execute("UPDATE log_leaves SET created_ts = created_ts - 86400000 "
                     "WHERE leaf_index < 9")
    out = tmp_path / "today.jsonl"
    export(log_env, out, "--from", _today(log_env))
    records = _records(out)
    assert records[1]["tree_size"] == 9 and len(records[1]["peaks"]) == 2  # 9 = 8 + 1
    assert records[-1] == {"record": "end", "leaves": 31, "tree_heads": 6}
    code, output = verify(log_env, out, capsys)
    assert code == 0, output
    assert "from leaf 9" in output


def _today(env: HubEnv) -> str:
    import datetime as dt
    return dt.datetime.now(env.config.zone).date().isoformat()


def _tamper_and_verify(env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       *statements: tuple[str, tuple[object, ...]]) -> str:
    with database(env) as conn:
        for sql, params in statements:
            conn.execute(sql, params)
    out = tmp_path / "after.jsonl"
    export(env, out)
    code, output = verify(env, out, capsys)
    assert code == 1
    assert output.startswith("FAILED at record ")
    return output


def _data(env: HubEnv, index: int) -> bytes:
    with database(env) as conn:
        return bytes(conn.execute("SELECT data FROM log_leaves WHERE leaf_index = ?",
                                  (index,)).fetchone()[0])


def test_one_changed_byte_is_named(log_env: HubEnv, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(_data(log_env, 13))
    data[-5] ^= 0x01
    output = _tamper_and_verify(log_env, tmp_path, capsys, (
        "UPDATE log_leaves SET data = ? WHERE leaf_index = 13", (bytes(data),)))
    assert "leaf 13: the leaf data does not match its recorded leaf hash" in output


def test_rewritten_event_with_its_hash_breaks_the_signed_root(
        log_env: HubEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from docexchange.evidence.merkle import leaf_hash
    forged = _data(log_env, 10).replace(b'"n":1', b'"n":9')
    output = _tamper_and_verify(log_env, tmp_path, capsys, (
        "UPDATE log_leaves SET data = ?, leaf_hash = ? WHERE leaf_index = 10",
        (forged, leaf_hash(forged))))
    assert "leaves 9 to 16 do not hash to the signed root of size 17" in output


def test_deleted_row_is_named(log_env: HubEnv, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    output = _tamper_and_verify(log_env, tmp_path, capsys, (
        "DELETE FROM log_leaves WHERE leaf_index = 21", ()))
    assert "leaf 21: expected leaf 21 here, found leaf 22: leaves are missing" in output


def test_swapped_rows_are_named(log_env: HubEnv, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    five, thirty = _data(log_env, 5), _data(log_env, 30)
    output = _tamper_and_verify(
        log_env, tmp_path, capsys,
        ("UPDATE log_leaves SET data = ? WHERE leaf_index = 5", (thirty,)),
        ("UPDATE log_leaves SET data = ? WHERE leaf_index = 30", (five,)))
    assert "leaf 5: " in output


def test_swapped_rows_with_hashes_are_named(log_env: HubEnv, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    output = _tamper_and_verify(
        log_env, tmp_path, capsys,
        ("UPDATE log_leaves SET leaf_index = -1 WHERE leaf_index = 5", ()),
        ("UPDATE log_leaves SET leaf_index = 5 WHERE leaf_index = 30", ()),
        ("UPDATE log_leaves SET leaf_index = 30 WHERE leaf_index = -1", ()))
    assert "leaf 5: the leaf says it is leaf 30" in output


def test_truncated_log_is_named(log_env: HubEnv, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    output = _tamper_and_verify(log_env, tmp_path, capsys, (
        "DELETE FROM log_leaves WHERE leaf_index >= 36", ()))
    assert "leaf 36: the tree head of size 40 covers leaves 36 to 39" in output


def test_head_signed_by_another_key_is_named(log_env: HubEnv, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    intruder = ec.generate_private_key(ec.SECP256R1())
    kid = public_key_id(intruder.public_key())
    with database(log_env) as conn:
        size, root, ts = conn.execute("SELECT tree_size, root_hash, timestamp_ts FROM tree_heads "
                                      "WHERE tree_size = 17").fetchone()
    forged = sign_tree_head(size, bytes.fromhex(root), ts, intruder, kid)
    signature = base64.b64encode(forged.signature).decode()
    output = _tamper_and_verify(log_env, tmp_path, capsys, (
        "UPDATE tree_heads SET key_id = ?, signature = ? WHERE tree_size = 17",
        (kid, signature)))
    assert f"no hub certificate given for key id {kid} (tree head of size 17)" in output


def test_head_signature_swapped_in_is_named(log_env: HubEnv, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with database(log_env) as conn:
        other = conn.execute("SELECT signature FROM tree_heads WHERE tree_size = 9").fetchone()
    output = _tamper_and_verify(log_env, tmp_path, capsys, (
        "UPDATE tree_heads SET signature = ? WHERE tree_size = 17", other))
    assert "the signature of the tree head of size 17 does not verify" in output


def test_truncated_export_file_fails(log_env: HubEnv, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "audit.jsonl"
    export(log_env, out)
    lines = out.read_text("utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:-1]), "utf-8")
    code, output = verify(log_env, out, capsys)
    assert code == 1 and "truncated" in output


def test_ten_thousand_events_verify(hub_env: HubEnv, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    add_events(hub_env, (4000, 1, 5000, 999))
    out = tmp_path / "big.jsonl"
    export(hub_env, out)
    code, output = verify(hub_env, out, capsys)
    assert code == 0, output
    assert output.startswith("OK: 10000 leaves, 4 tree heads, 3 consistency proofs")


def _rewrite(path: Path, change: str) -> None:
    records = _records(path)
    kinds = [r["record"] for r in records]
    if change == "drop_consistency":
        del records[kinds.index("consistency")]
    elif change == "bad_consistency":
        proof = records[kinds.index("consistency")]["proof"]
        assert isinstance(proof, list)
        proof[0] = "0" * 64
    elif change == "no_header":
        del records[0]
    elif change == "after_end":
        records.append(records[2])
    elif change == "leaf_twice":
        records.insert(3, records[2])
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")


@pytest.mark.parametrize(("change", "message"), [
    ("drop_consistency", "the consistency proof from tree size 3 to 8 is missing"),
    ("bad_consistency", "the consistency proof from tree size 3 to 8 fails"),
    ("no_header", "does not start with its header"),
    ("after_end", "records after the end record"),
    ("leaf_twice", "leaf 1: expected leaf 1 here, found leaf 0")])
def test_altered_export_file_fails(log_env: HubEnv, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str], change: str,
                                   message: str) -> None:
    out = tmp_path / "audit.jsonl"
    export(log_env, out)
    _rewrite(out, change)
    code, output = verify(log_env, out, capsys)
    assert code == 1 and message in output, output


def test_unit_export_names_an_altered_event(log_env: HubEnv, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from docexchange.evidence.merkle import leaf_hash
    forged = _data(log_env, 4).replace("thử".encode(), b"thu")
    with database(log_env) as conn:  # data and its hash: only the inclusion proof can tell
        conn.execute("UPDATE log_leaves SET data = ?, leaf_hash = ? WHERE leaf_index = 4",
                     (forged, leaf_hash(forged)))
    out = tmp_path / "unit.jsonl"
    export(log_env, out, "--unit", SO_NOI_VU)
    code, output = verify(log_env, out, capsys)
    assert code == 1
    assert "leaf 4: the inclusion proof against the tree head of size 40 fails" in output
