"""LISTEN/NOTIFY wake-ups between two nodes on one PostgreSQL: a long poll waiting on one
node wakes when the other commits work for its unit; a commit wakes the other node's workers;
a node does not wake itself twice."""

from __future__ import annotations

import asyncio

from docexchange.config import PostgresURL
from docexchange.exchange.notifier import InboxNotifier
from docexchange.store.wakeups import LocalWakeups, NotifyWakeups, wakeups_for


async def test_inbox_work_on_one_node_wakes_a_long_poll_on_the_other(pg_url: PostgresURL) -> None:
    node_a, node_b = NotifyWakeups(pg_url.url), NotifyWakeups(pg_url.url)
    notifier_a = InboxNotifier(broadcast=node_a.inbox)
    notifier_b = InboxNotifier(broadcast=node_b.inbox)
    commits_a: list[int] = []
    for wakeups, notifier, commits in ((node_a, notifier_a, commits_a),
                                       (node_b, notifier_b, [])):
        await wakeups.open()
        await wakeups.listen(notifier.wake_local, lambda c=commits: c.append(1))
    try:
        with notifier_a.listen("000.00.12.H45") as woken, notifier_a.listen("other") as idle:
            notifier_b.notify(["000.00.12.H45"])  # node B committed a delivery to it
            await asyncio.wait_for(woken.wait(), 10)
            assert not idle.is_set()
        assert node_b.received == 0  # B does not hear its own notification
        assert commits_a  # and the inbox work also counts as a commit for A's workers
    finally:
        await node_a.close()
        await node_b.close()


async def test_a_commit_wakes_the_other_nodes_workers_without_echo(pg_url: PostgresURL) -> None:
    node_a, node_b = NotifyWakeups(pg_url.url), NotifyWakeups(pg_url.url)
    woke_a = asyncio.Event()
    commits_b: list[int] = []

    def on_commit_a() -> None:
        node_a.committed()  # A's engine listeners include A's own broadcaster
        woke_a.set()

    await node_a.open()
    await node_b.open()
    await node_a.listen(lambda codes: None, on_commit_a)
    await node_b.listen(lambda codes: None, lambda: commits_b.append(1))
    woke_a.clear()  # the catch-up call made when A started listening
    try:
        node_b.committed()
        await asyncio.wait_for(woke_a.wait(), 10)
        await asyncio.sleep(0.5)  # room for an echo, if A relayed B's commit back
        assert node_a.sent == 0  # a relayed commit is not broadcast again (no ping-pong)
        assert commits_b == [1]  # only the catch-up call when B started listening
    finally:
        await node_a.close()
        await node_b.close()


def test_sqlite_keeps_wakeups_in_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(wakeups_for(tmp_path / "hub.sqlite3"), LocalWakeups)
    assert isinstance(wakeups_for("postgresql://u@127.0.0.1:5/db"), NotifyWakeups)
