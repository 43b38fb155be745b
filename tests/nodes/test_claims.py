"""Two nodes claiming one push queue at once (store/claims.py): every due row goes to exactly
one of them, and a claimed row is not due for anyone else until its lease ends or it is
given back. The outbound work runs on the elected node only, so in a cluster these claims
rarely meet; this is the guarantee for when they do (a leader change, a partition)."""

from __future__ import annotations

import asyncio

from docexchange.store import push
from docexchange.store.database import open_database
from tests.conftest import SO_NOI_VU, DbConn, HubEnv

ROWS = 60
NOW = 1_900_000_000_000
LEASE = NOW + 10_000


def _fill_queue(env: HubEnv) -> None:
    with DbConn(env) as conn:
        for i in range(ROWS):  # one document each: a unit has one delivery per document
            conn.execute("INSERT INTO messages (message_id, kind, sender_id, document_id, "
                         "business_type, sha256, size, accepted_ts, recipients_json) VALUES "
                         "(?, 'document', '000.00.00.H45', ?, 0, 'x', 1, ?, '[]')",
                         (f"M{i:03d}", f"DOC{i}", NOW))
            conn.execute("INSERT INTO deliveries (delivery_id, message_id, recipient_id, state, "
                         "created_ts, updated_ts) VALUES (?, ?, ?, 'pending', ?, ?)",
                         (f"D{i:03d}", f"M{i:03d}", SO_NOI_VU, NOW, NOW))
            conn.execute("INSERT INTO push_queue (delivery_id, organ_id, message_id, state, "
                         "next_ts, first_ts) VALUES (?, ?, ?, 'queued', ?, ?)",
                         (f"D{i:03d}", SO_NOI_VU, f"M{i:03d}", NOW - i, NOW - i))


async def test_two_nodes_never_claim_the_same_row(pg_hub_env: HubEnv) -> None:
    _fill_queue(pg_hub_env)
    nodes = [await open_database(pg_hub_env.config.storage) for _ in range(2)]
    try:
        async def claim_all(node: int) -> list[str]:
            taken: list[str] = []
            while True:
                rows = await push.claim_due(nodes[node], SO_NOI_VU, NOW, 3, LEASE)
                if not rows:
                    return taken
                taken.extend(row["delivery_id"] for row in rows)

        first, second = await asyncio.gather(claim_all(0), claim_all(1))
        assert first and second, "both nodes should have claimed some rows"
        assert not set(first) & set(second)
        assert sorted(first + second) == [f"D{i:03d}" for i in range(ROWS)]

        # leased: due for nobody until the lease ends ...
        assert await push.claim_due(nodes[0], SO_NOI_VU, NOW, ROWS, LEASE) == []
        assert len(await push.claim_due(nodes[1], SO_NOI_VU, LEASE, ROWS, LEASE + 1)) == ROWS

        # ... or until the claimer gives unworked rows back, due again at their old time
        with DbConn(pg_hub_env) as conn:
            conn.execute("UPDATE push_queue SET next_ts = ?", (LEASE,))
        rows = await push.claim_due(nodes[0], SO_NOI_VU, LEASE, 5, LEASE + 1)
        await push.release(nodes[0], rows, LEASE + 1)
        again = await push.claim_due(nodes[1], SO_NOI_VU, LEASE, 5, LEASE + 1)
        assert [r["delivery_id"] for r in again] == [r["delivery_id"] for r in rows]
    finally:
        for db in nodes:
            await db.close()
