"""Two hub nodes on one PostgreSQL, as real processes: `docexchange --config … serve --port P`
twice with the same config. Clients spread over both; nothing is lost or delivered twice; the
evidence log has one total order and verifies end to end; a SIGKILLed node leaves the other
serving; a send retried on the other node after a lost 202 is the same document; the elected
leader fails over."""

from __future__ import annotations

import asyncio
import itertools
import random
from pathlib import Path
from typing import Any

import aiohttp
import psycopg

from docexchange.cli import main
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document
from tests.hub_process import HubProcess

UNITS = [PROVINCE, SO_NOI_VU, SONG_HINH, "000.00.02.H45"]
TIMEOUT = aiohttp.ClientTimeout(total=30)


def query(env: HubEnv, sql: str) -> list[Any]:
    with psycopg.connect(env.config.storage.database.url) as conn:  # type: ignore[union-attr]
        return conn.execute(sql).fetchall()


async def start_nodes(env: HubEnv, count: int = 2) -> list[HubProcess]:
    nodes = [HubProcess(env) for _ in range(count)]
    for node in nodes:
        await node.start(timeout=60)
    return nodes


def stop_all(nodes: list[HubProcess]) -> None:
    for node in nodes:
        if node.proc is not None and node.proc.poll() is None:
            node.stop()


async def verify_log(env: HubEnv, out: Path) -> None:
    """The auditors' own commands on the whole log, read from PostgreSQL."""
    config = ["--config", str(env.config_path)]
    assert await asyncio.to_thread(main, [*config, "audit", "export", "--out", str(out)]) == 0
    assert await asyncio.to_thread(main, [*config, "audit", "verify", str(out), "--hub-cert",
                                          str(env.root / "keys" / "hub-certs")]) == 0


def check_one_total_order(env: HubEnv) -> int:
    """Leaf indexes 0..n-1 without a gap or a twin, the last head covering all of them."""
    (count, low, high), = query(env, "SELECT COUNT(*), MIN(leaf_index), MAX(leaf_index) "
                                     "FROM log_leaves")
    assert (low, high) == (0, count - 1)
    (size,), = query(env, "SELECT MAX(tree_size) FROM tree_heads")
    assert size == count
    return int(count)


class Clients:
    """Senders that alternate between the nodes; what got a 2xx is remembered."""

    def __init__(self, env: HubEnv, urls: list[str]) -> None:
        self.env, self.urls = env, urls
        self.receipts: dict[str, dict[str, Any]] = {}
        self.acked: list[str] = []
        self._turn = itertools.count()

    def url(self) -> str:
        live = self.urls
        return live[next(self._turn) % len(live)]

    async def send(self, session: aiohttp.ClientSession, sender: str, rng: random.Random
                   ) -> None:
        recipients = rng.sample([u for u in UNITS if u != sender], 2)
        async with session.post(f"{self.url()}/api/v1/documents", headers={
                **self.env.auth(sender), **XML}, data=document(sender, recipients)) as resp:
            if resp.status == 202:
                receipt = await resp.json()
                assert receipt["message_id"] not in self.receipts
                self.receipts[receipt["message_id"]] = receipt

    async def drain_inbox(self, session: aiohttp.ClientSession, unit: str) -> None:
        auth = self.env.auth(unit)
        async with session.get(f"{self.url()}/api/v1/inbox?limit=100", headers=auth) as resp:
            items = (await resp.json())["items"] if resp.status == 200 else []
        for item in items:
            async with session.post(f"{self.url()}/api/v1/deliveries/{item['delivery_id']}/ack",
                                    headers=auth) as resp:
                if resp.status == 200:
                    self.acked.append(item["delivery_id"])

    async def run(self, unit: str, rounds: int, seed: int) -> None:
        rng = random.Random(seed)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            for _ in range(rounds):
                try:
                    await self.send(session, unit, rng)
                    await self.drain_inbox(session, unit)
                except (aiohttp.ClientError, TimeoutError):
                    await asyncio.sleep(0.05)  # a node going down: the next turn tries again


def check_deliveries(env: HubEnv, clients: Clients) -> None:
    """Every 2xx document is stored once, with one delivery per recipient, and no delivery
    was handed out for acknowledgement twice."""
    messages = {row[0] for row in query(env, "SELECT message_id FROM messages WHERE kind = "
                                             "'document'")}
    assert set(clients.receipts) <= messages
    per_message = dict(query(env, "SELECT message_id, COUNT(*) FROM deliveries GROUP BY "
                                  "message_id"))
    for message_id, receipt in clients.receipts.items():
        assert per_message[message_id] == len(receipt["recipients"])
    assert len(clients.acked) == len(set(clients.acked))


async def test_two_nodes_share_the_load_and_one_log(pg_hub_env: HubEnv, tmp_path: Path
                                                    ) -> None:
    nodes = await start_nodes(pg_hub_env)
    try:
        clients = Clients(pg_hub_env, [node.url for node in nodes])
        await asyncio.gather(*(clients.run(unit, 12, seed)
                               for seed, unit in enumerate(UNITS)))
        for unit in UNITS:  # what is left in the inboxes, from either node
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
                await clients.drain_inbox(session, unit)
    finally:
        stop_all(nodes)
    assert len(clients.receipts) == 12 * len(UNITS)
    check_deliveries(pg_hub_env, clients)
    sent = {r["delivery_id"] for receipt in clients.receipts.values()
            for r in receipt["recipients"]}
    assert sent <= set(clients.acked)  # every delivery reached its unit (and once: above)
    total = len(sent)
    heads = query(pg_hub_env, "SELECT key_id FROM tree_heads")
    assert len(heads) > 1
    assert check_one_total_order(pg_hub_env) >= len(clients.receipts) + total
    await verify_log(pg_hub_env, tmp_path / "log.jsonl")


async def test_a_long_poll_on_one_node_wakes_for_a_send_on_the_other(pg_hub_env: HubEnv
                                                                     ) -> None:
    node_a, node_b = await start_nodes(pg_hub_env)
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async def poll() -> Any:
                async with session.get(f"{node_a.url}/api/v1/inbox?wait=25",
                                       headers=pg_hub_env.auth(SO_NOI_VU)) as resp:
                    return await resp.json()
            waiting = asyncio.create_task(poll())
            await asyncio.sleep(0.5)  # the poll is parked on node A
            async with session.post(f"{node_b.url}/api/v1/documents", headers={
                    **pg_hub_env.auth(PROVINCE), **XML},
                    data=document(PROVINCE, [SO_NOI_VU])) as resp:
                assert resp.status == 202
                message_id = (await resp.json())["message_id"]
            # without the NOTIFY the poll would only answer when its 25 s run out
            inbox = await asyncio.wait_for(waiting, 20)
        assert [item["message_id"] for item in inbox["items"]] == [message_id]
    finally:
        stop_all([node_a, node_b])


async def test_sigkill_one_node_and_the_other_carries_on(pg_hub_env: HubEnv, tmp_path: Path
                                                         ) -> None:
    node_a, node_b = await start_nodes(pg_hub_env)
    try:
        clients = Clients(pg_hub_env, [node_a.url, node_b.url])
        load = [asyncio.create_task(clients.run(unit, 20, seed))
                for seed, unit in enumerate(UNITS)]
        while len(clients.receipts) < 15:
            await asyncio.sleep(0.05)
        node_a.kill()  # mid-load: requests in flight on A get no answer
        clients.urls = [node_b.url]
        await asyncio.gather(*load)
        before = len(clients.receipts)
        await clients.run(PROVINCE, 3, 99)  # B still takes documents after the kill
        assert len(clients.receipts) == before + 3
        for unit in UNITS:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
                await clients.drain_inbox(session, unit)
    finally:
        stop_all([node_a, node_b])
    check_deliveries(pg_hub_env, clients)
    pending = query(pg_hub_env, "SELECT COUNT(*) FROM deliveries WHERE acked_ts IS NULL AND "
                                "message_id IN (SELECT message_id FROM messages WHERE kind = "
                                "'document')")
    assert pending == [(0,)]  # nothing that got a 2xx was lost with node A
    check_one_total_order(pg_hub_env)
    await verify_log(pg_hub_env, tmp_path / "log.jsonl")


async def test_a_send_retried_on_the_other_node_is_the_same_document(pg_hub_env: HubEnv
                                                                     ) -> None:
    """The 202 of node A is lost; the DMS sends the same bytes to node B: it gets the
    original receipt (200), not a second document. Sent to both at once, one of them wins
    and the other answers as a repeat."""
    node_a, node_b = await start_nodes(pg_hub_env)
    headers = {**pg_hub_env.auth(PROVINCE), **XML}
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            packet = document(PROVINCE, [SO_NOI_VU, SONG_HINH])
            async with session.post(f"{node_a.url}/api/v1/documents", data=packet,
                                    headers=headers) as resp:
                assert resp.status == 202
                first = await resp.json()
            async with session.post(f"{node_b.url}/api/v1/documents", data=packet,
                                    headers=headers) as resp:
                assert resp.status == 200
                again = await resp.json()
            assert again["message_id"] == first["message_id"]
            assert again["recipients"] == first["recipients"]

            async def post(url: str, body: bytes) -> tuple[int, str]:
                async with session.post(f"{url}/api/v1/documents", data=body,
                                        headers=headers) as resp:
                    return resp.status, (await resp.json())["message_id"]
            for _ in range(5):
                racing = document(PROVINCE, [SO_NOI_VU])
                answers = await asyncio.gather(post(node_a.url, racing),
                                               post(node_b.url, racing))
                assert sorted(status for status, _ in answers) == [200, 202]
                assert answers[0][1] == answers[1][1]
    finally:
        stop_all([node_a, node_b])
    (count,), = query(pg_hub_env, "SELECT COUNT(*) FROM messages WHERE kind = 'document'")
    assert count == 6
    check_one_total_order(pg_hub_env)


def leader_pid(env: HubEnv, job: str) -> int | None:
    """The OS process of the node leading `job`, from the name its lock session shows."""
    rows = query(env, "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                      "USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND "
                      f"a.application_name LIKE 'docexchange {job} leader %'")
    assert len(rows) <= 1  # one leader per job, never two
    return int(rows[0][0].rsplit(":", 1)[1]) if rows else None


async def wait_for_leader(env: HubEnv, job: str, among: set[int]) -> int:
    for _ in range(600):
        pid = leader_pid(env, job)
        if pid in among:
            return pid
        await asyncio.sleep(0.05)
    raise AssertionError(f"no node of {among} took the lead of {job}")


async def test_the_leader_fails_over_when_its_node_dies(pg_hub_env: HubEnv) -> None:
    nodes = await start_nodes(pg_hub_env)
    try:
        pids = {node.proc.pid: node for node in nodes if node.proc is not None}
        for job in ("outbound", "alerts"):
            await wait_for_leader(pg_hub_env, job, set(pids))
        leader = await wait_for_leader(pg_hub_env, "outbound", set(pids))
        pids[leader].kill()
        survivor = next(pid for pid in pids if pid != leader)
        for job in ("outbound", "alerts"):
            assert await wait_for_leader(pg_hub_env, job, {survivor}) == survivor
    finally:
        stop_all(nodes)
