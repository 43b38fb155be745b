"""The attack corpus against a real hub process: every attack is a 4xx problem+json with a
stable DX_ code (never a 500), the hub's resident memory stays bounded, /healthz answers within
one second throughout, and nothing of a refused classified packet is left anywhere on disk."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from docexchange.errors import ERROR_CODES
from tests.attacks.corpus import ANSWERED_NUMBER, MARKER, Attack, corpus
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, document, sign_as
from tests.hub_process import HubProcess, set_option

LIMIT = 4 * 1024 * 1024  # max_packet_bytes of the attacked hub: oversize cases stay cheap
RSS_GROWTH_LIMIT_MIB = 200
CONCURRENCY = 4


class Watch:
    """Background probes while the corpus runs: /healthz with a 1 s client timeout, and the
    hub's resident memory."""

    def __init__(self, hub: HubProcess) -> None:
        self.hub = hub
        self.health_failures: list[str] = []
        self.health_checks = 0
        self.rss_start = hub.rss_kib()
        self.rss_peak = self.rss_start
        self._stop = asyncio.Event()
        self.in_flight: set[str] = set()  # attack names, to tell which one stalled the hub

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=1)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self._stop.is_set():
                try:
                    async with session.get(f"{self.hub.url}/healthz") as resp:
                        if resp.status != 200:
                            self.health_failures.append(f"status {resp.status}")
                except (TimeoutError, aiohttp.ClientError) as exc:
                    self.health_failures.append(f"{exc!r} during {sorted(self.in_flight)}")
                self.health_checks += 1
                self.rss_peak = max(self.rss_peak, self.hub.rss_kib())
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()


async def _attack(session: aiohttp.ClientSession, url: str, env: HubEnv, attack: Attack
                  ) -> str | None:
    """None when the hub answered as it must, else what was wrong."""
    headers = dict(attack.headers)
    if attack.caller is not None:
        headers.setdefault("Authorization", f"Bearer {env.api_key(attack.caller)}")
    if attack.content_type is not None:
        headers["Content-Type"] = attack.content_type
    try:
        body_data = io.BytesIO(attack.body) if attack.body is not None else None
        async with session.request(attack.method, url + attack.path, data=body_data,
                                   headers=headers, skip_auto_headers={"Content-Type"}) as resp:
            raw = await resp.read()
            if not 400 <= resp.status < 500:
                return f"status {resp.status}: {raw[:200]!r}"
            if resp.content_type != "application/problem+json":
                return f"{resp.status} {resp.content_type}: {raw[:200]!r}"
            body: dict[str, Any] = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return f"no answer: {exc!r}"
    code = body.get("code")
    if code not in ERROR_CODES or ERROR_CODES[code][0] != resp.status:
        return f"unstable code {code} for {resp.status}"
    if not (body.get("detail_vi") and body.get("detail_en")):
        return "problem without its two sentences"
    if code not in attack.expected and code != "DX_RATE_LIMITED":
        return f"{resp.status} {code} (expected {sorted(attack.expected)}): " \
               f"{body.get('detail_en')}"
    return None


def _files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def _traces(root: Path) -> list[str]:
    """Files under the hub's folder (database, WAL, blobs, spool, its log) holding MARKER."""
    needles = [MARKER.encode(), MARKER.encode("utf-16-le"), MARKER.lower().encode()]
    return [str(p.relative_to(root)) for p in _files(root)
            if any(n in p.read_bytes() for n in needles)]


async def _run_corpus(hub: HubProcess, env: HubEnv, attacks: list[Attack], watch: Watch
                      ) -> dict[str, str]:
    """Every attack, CONCURRENCY at a time; returns the wrong answers by attack name."""
    failures: dict[str, str] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(attack: Attack) -> None:
            async with gate:
                watch.in_flight.add(attack.name)
                wrong = await _attack(session, hub.url, env, attack)
                watch.in_flight.discard(attack.name)
            if wrong:
                failures[attack.name] = wrong
        await asyncio.gather(*(one(a) for a in attacks))
    return failures


async def _answered_document(hub: HubProcess, env: HubEnv, packet: bytes) -> None:
    """The document the corpus's status packets answer (signed: the strict hub wants it)."""
    async with aiohttp.ClientSession() as session:
        resp = await session.post(
            f"{hub.url}/api/v1/documents", headers={**env.auth(PROVINCE), **XML},
            data=packet)
        assert resp.status in (200, 202), await resp.text()  # 200: again, for the strict hub


async def _attack_hub(env: HubEnv, attacks: list[Attack], answered: bytes
                      ) -> tuple[dict[str, str], Watch]:
    hub = HubProcess(env)
    await hub.start()
    watch = Watch(hub)
    watcher = asyncio.create_task(watch.run())
    try:
        await _answered_document(hub, env, answered)
        failures = await _run_corpus(hub, env, attacks, watch)
    finally:
        watch.stop()
        await watcher
        hub.stop()
    return failures, watch


@pytest.mark.slow
async def test_attack_corpus_against_a_real_hub(hub_env: HubEnv) -> None:
    set_option(hub_env.config_path, "max_packet_bytes", LIMIT)
    attacks = corpus(hub_env, LIMIT)
    assert len(attacks) >= 200, len(attacks)
    assert len({a.name for a in attacks}) == len(attacks), "attack names must be unique"
    answered = sign_as(hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU], number=ANSWERED_NUMBER))
    failures, watch = await _attack_hub(hub_env, [a for a in attacks if not a.strict], answered)
    set_option(hub_env.config_path, "require_sender_signature", True)
    strict_failures, strict_watch = await _attack_hub(
        hub_env, [a for a in attacks if a.strict], answered)
    failures |= strict_failures
    health_failures = watch.health_failures + strict_watch.health_failures
    growth_mib = (watch.rss_peak - watch.rss_start) / 1024
    print(f"attack corpus: {len(attacks)} attacks, {len(failures)} wrong answers; hub RSS "
          f"{watch.rss_start / 1024:.0f} MiB at start, peak +{growth_mib:.0f} MiB; "
          f"{watch.health_checks + strict_watch.health_checks} /healthz checks, "
          f"{len(health_failures)} late or failed {health_failures[:3]}")
    traces = _traces(hub_env.root)
    assert not failures, "\n".join(f"{name}: {why}" for name, why in sorted(failures.items()))
    assert not traces, f"a refused classified packet left {MARKER} in {traces}"
    assert not health_failures, health_failures[:5]
    assert growth_mib < RSS_GROWTH_LIMIT_MIB
