"""GET /metrics parses as Prometheus text format 0.0.4 and counts what happened."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.app import create_app
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document
from tests.monitor.conftest import admin, quiet

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> tuple[dict[str, str], Samples]:
    """A strict little parser of the text format: every sample belongs to a declared family."""
    types: dict[str, str] = {}
    samples: Samples = {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge", "histogram") and name not in types
            types[name] = kind
            continue
        match = _SAMPLE.match(line)
        assert match, line
        name, raw_labels, value = match.groups()
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        assert family in types, line
        labels: list[tuple[str, str]] = []
        rest = raw_labels or ""
        while rest:
            label = _LABEL.match(rest)
            assert label, line
            labels.append((label[1], label[2]))
            rest = rest[label.end():]
        samples[(name, frozenset(labels))] = float(value)
    return types, samples


def check_histograms(samples: Samples) -> None:
    series: dict[frozenset[tuple[str, str]], list[tuple[float, float]]] = {}
    for (name, labels), value in samples.items():
        if name.endswith("_bucket"):
            le = dict(labels)["le"]
            series.setdefault(labels - {("le", le)}, []).append((float(le), value))
    for labels, buckets in series.items():
        counts = [v for _, v in sorted(buckets)]
        assert counts == sorted(counts) and max(buckets)[0] == math.inf
        assert counts[-1] == samples[("docexchange_http_request_duration_seconds_count", labels)]


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def test_metrics_parse_and_count(ops_client: TestClient, hub_env: HubEnv) -> None:
    sent = await ops_client.post("/api/v1/documents", headers={**hub_env.auth(PROVINCE), **XML},
                                 data=document(PROVINCE, [SO_NOI_VU, SONG_HINH]))
    assert sent.status == 202
    refused = await ops_client.post("/api/v1/documents", headers={
        **hub_env.auth(PROVINCE), **XML}, data=document(PROVINCE, [SO_NOI_VU], subject="MẬT"))
    assert refused.status == 422
    message_id = (await sent.json())["message_id"]
    await ops_client.get(f"/api/v1/documents/{message_id}", headers=hub_env.auth(SO_NOI_VU))
    await ops_client.get("/nowhere")
    resp = await ops_client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    types, samples = parse(await resp.text())
    assert types["docexchange_http_request_duration_seconds"] == "histogram"
    assert value(samples, "docexchange_documents_accepted_total") == 1
    assert value(samples, "docexchange_packets_refused_total", code="DX_CLASSIFIED") == 1
    assert value(samples, "docexchange_deliveries", state="pending") == 1
    assert value(samples, "docexchange_deliveries", state="fetched") == 1
    assert value(samples, "docexchange_inbox_backlog") == 2
    assert 0 <= value(samples, "docexchange_inbox_oldest_age_seconds") < 600
    assert value(samples, "docexchange_units", state="connected") == 2
    assert value(samples, "docexchange_units", state="never") == 142
    check_histograms(samples)
    count = "docexchange_http_request_duration_seconds_count"
    assert value(samples, count, method="POST", route="/api/v1/documents") == 2
    assert value(samples, count, method="GET", route="/api/v1/documents/{message_id}") == 1
    assert value(samples, count, method="GET", route="unmatched") == 1
    assert message_id not in await resp.text() and SO_NOI_VU not in await resp.text()


async def test_metrics_may_require_an_operator(hub_env: HubEnv, aiohttp_client: Any) -> None:
    config = quiet(hub_env.config)
    config = dataclasses.replace(config, monitor=dataclasses.replace(
        config.monitor, metrics_require_token=True))
    client = await aiohttp_client(create_app(config))
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers=hub_env.auth(SO_NOI_VU))).status == 403
    assert (await client.get("/metrics", headers=admin(hub_env))).status == 200
