"""Proofs from the stored log: the same answers as from all leaf hashes, in O(log n) rows."""

from __future__ import annotations

import asyncio
from typing import Any

from docexchange.commands.common import open_hub
from docexchange.evidence.merkle import (
    MerkleAccumulator,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
)
from docexchange.store.evidence import StoredLeafHashes, StoredSubtrees
from tests.conftest import HubEnv
from tests.evidence.logdata import add_events, database

SIZES = (1000, 1, 2047, 1, 1000, 3)  # 4052 leaves in six signed heads


def _all_hashes(conn: Any) -> list[bytes]:
    return [bytes(r[0]) for r in conn.execute("SELECT leaf_hash FROM log_leaves ORDER BY "
                                              "leaf_index")]


class Counting:
    """A connection that counts the statements a proof runs through it (either engine)."""

    row_factory: Any = None

    def __init__(self, conn: Any) -> None:
        self.statements = 0
        self._conn = conn

    def execute(self, sql: str, params: Any = ()) -> Any:
        self.statements += 1
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, params: Any) -> Any:
        self.statements += 1
        return self._conn.executemany(sql, params)


def test_stored_nodes_are_every_completed_subtree(hub_env: HubEnv) -> None:
    add_events(hub_env, SIZES)
    with database(hub_env) as conn:
        n = conn.execute("SELECT COUNT(*) FROM log_leaves").fetchone()[0]
        nodes = conn.execute("SELECT COUNT(*) FROM merkle_nodes").fetchone()[0]
        assert n == sum(SIZES) and nodes == n - n.bit_count()
        heads = [r[0] for r in conn.execute("SELECT tree_size FROM tree_heads ORDER BY 1")]
        hashes = _all_hashes(conn)
        for size in heads:
            stored = conn.execute("SELECT root_hash FROM tree_heads WHERE tree_size = ?",
                                  (size,)).fetchone()[0]
            assert root_hash(hashes[:size]).hex() == stored


def test_proofs_touch_few_rows_and_match(hub_env: HubEnv) -> None:
    add_events(hub_env, SIZES)
    with database(hub_env) as conn:
        hashes = _all_hashes(conn)
        n = len(hashes)
        counter = Counting(conn)
        for index in (0, 1, 1000, 2047, 3048, n - 1):
            counter.statements = 0
            proof = inclusion_proof(index, StoredLeafHashes(counter, n),
                                    cache=StoredSubtrees(counter))
            assert proof == inclusion_proof(index, hashes)
            assert counter.statements <= 2 * n.bit_length()
        for m in (1, 1000, 1001, 3048, 3049, n):
            counter.statements = 0
            proof = consistency_proof(m, StoredLeafHashes(counter, n),
                                      cache=StoredSubtrees(counter))
            assert proof == consistency_proof(m, hashes)
            assert counter.statements <= 2 * n.bit_length()


def test_a_log_without_stored_nodes_is_filled_on_the_next_batch(hub_env: HubEnv) -> None:
    """A database from before migration 0002 (or whose nodes were lost) heals itself."""
    add_events(hub_env, (300, 77))
    with database(hub_env) as conn:
        conn.execute("DELETE FROM merkle_nodes")
    add_events(hub_env, (5,), fresh=False)
    with database(hub_env) as conn:
        n = conn.execute("SELECT COUNT(*) FROM log_leaves").fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM merkle_nodes").fetchone()[0] == \
            n - n.bit_count()
        acc = MerkleAccumulator.from_leaf_hashes(StoredLeafHashes(conn, n),
                                                 cache=StoredSubtrees(conn))
        latest = conn.execute("SELECT root_hash FROM tree_heads ORDER BY tree_size DESC "
                              "LIMIT 1").fetchone()[0]
        assert acc.root().hex() == latest == root_hash(_all_hashes(conn)).hex()


def test_a_restarted_hub_continues_the_same_tree(hub_env: HubEnv) -> None:
    add_events(hub_env, (5,))
    add_events(hub_env, (6,), fresh=False)  # a new process: its accumulator from stored peaks

    async def latest_root() -> str:
        async with open_hub(hub_env.config_path) as hub:
            row = await hub.db.fetchone("SELECT root_hash FROM tree_heads ORDER BY tree_size "
                                        "DESC LIMIT 1")
            return str(row[0])
    with database(hub_env) as conn:
        assert asyncio.run(latest_root()) == root_hash(_all_hashes(conn)).hex()


def test_append_reports_each_completed_subtree() -> None:
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(70)]
    acc, seen = MerkleAccumulator(), []
    for i, leaf in enumerate(leaves):
        completed = acc.append(leaf)
        assert [hi for _, hi, _ in completed] == [i + 1] * len(completed)
        assert [hi - lo for lo, hi, _ in completed] == [2 << k for k in range(len(completed))]
        seen.extend(completed)
    assert len(seen) == 70 - (70).bit_count()
    for lo, hi, value in seen:
        assert value == root_hash(leaves[lo:hi])
