"""`make bench`: real hubs driven by real clients in separate processes, one table.

For each hub setup (bench/hubs.py STARTERS: SQLite as shipped, SQLite with one process per
core, PostgreSQL with one node and with two) and each scenario, units send signed packets from
sender processes (one concurrent sender per unit), a recipient process polls, fetches and
acknowledges them, and a prober times /healthz. The scenarios: 5 KB, 100 KB and 5 MB sent as
fast as the hub answers (64, 32 and 8 senders), then fetched and acknowledged with nothing
else running (so documents/s is the sending's alone and fetch+ack/s the inbox's alone); and
5 KB paced at a steady 500/s while the recipients fetch at the same time (latency counted
from each packet's due time, so a hub falling behind shows). Prints one table: documents/s,
MB/s, latency p50/p95/p99, send-to-ack time, fetch + ack/s, the hub's peak RSS, event-loop lag
(the probe's answer time), hub CPU per document; "5 KB batch" drains through the batch inbox
(packets in the listing, one ack request per listing: the "f+a/s batch" column) where "5 KB"
fetches and acknowledges one document at a time as existing DMS do; and, measured in the same
run, the primitives (parse + XSD, verify, one durable commit) with achieved ÷ primitive
bound. Then one 200 MB signed packet (bench/big_packet.py): its ingest rate and the growth of
each hub process's peak RSS. Writes the figures to bench/results/latest.json (``--out`` elsewhere).

``DX_BENCH_QUICK=1`` runs a few documents of each size (tests/test_bench_harness.py runs it so
the harness cannot rot); asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import big_packet  # noqa: E402
import hubs  # noqa: E402
import load  # noqa: E402
import primitives  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


@dataclass(frozen=True)
class Scenario:
    name: str
    size_kb: float
    senders: int  # units sending at once
    per_sender: int
    sender_processes: int
    #: documents/s all senders together keep to (0: each sends as fast as it is answered)
    rate: float = 0.0
    #: the recipients start once every document is sent: fetch + ack/s with nothing else
    drain: bool = False
    #: the recipients use the batch inbox (packets in the listing, one ack per listing):
    #: its figure is the "fetch+ack/s batch" column, the per-document one stays empty
    batch: bool = False


FULL = [Scenario("5 KB", 5, 64, 47, 2, drain=True),
        Scenario("5 KB batch", 5, 64, 47, 2, drain=True, batch=True),
        Scenario("5 KB @500/s", 5, 64, 47, 2, rate=500),
        Scenario("100 KB", 100, 32, 10, 2, drain=True),
        Scenario("5 MB", 5 * 1024, 8, 3, 2, drain=True)]
QUICK = [Scenario("5 KB", 5, 8, 3, 1, drain=True),
         Scenario("5 KB batch", 5, 8, 3, 1, drain=True, batch=True),
         Scenario("5 KB @500/s", 5, 8, 3, 1, rate=100),
         Scenario("100 KB", 100, 4, 2, 1, drain=True),
         Scenario("5 MB", 5 * 1024, 2, 1, 1, drain=True)]


def run_scenario(hub: hubs.Hub, scenario: Scenario, first_number: int) -> dict[str, Any]:
    units = sorted(code for code in hub.credentials if code != "operators")
    senders, recipients = units[:scenario.senders], units[-64:]
    assert not set(senders) & set(recipients), "the demo province has too few units"
    documents = scenario.senders * scenario.per_sender
    spawn = multiprocessing.get_context("spawn")
    ready, results, start, stop = spawn.Queue(), spawn.Queue(), spawn.Event(), spawn.Event()
    fetching = spawn.Event()
    shares = [senders[i::scenario.sender_processes] for i in range(scenario.sender_processes)]
    interval = scenario.senders / scenario.rate if scenario.rate else 0.0
    children = [spawn.Process(target=load.sender, args=(
        hub.urls, hub.credentials, share, recipients, scenario.per_sender, scenario.size_kb,
        first_number + 100_000 * n, ready, start, results, interval,
        n * interval / scenario.senders)) for n, share in enumerate(shares)]
    children.append(spawn.Process(target=load.recipient, args=(
        hub.urls, hub.credentials, recipients, documents, 600, ready, fetching, results,
        scenario.batch)))
    children.append(spawn.Process(target=load.prober, args=(
        hub.urls, 0.05, ready, start, stop, results)))
    for child in children:
        child.start()
    for _ in children:
        ready.get(timeout=600)
    cpu_before = hubs.cpu_seconds(hub.pids)
    began = time.time()
    start.set()
    if not scenario.drain:
        fetching.set()
    parts = [results.get(timeout=900) for _ in shares]
    cpu_sent = hubs.cpu_seconds(hub.pids)
    fetching.set()
    parts.append(results.get(timeout=900))
    stop.set()
    parts.append(results.get(timeout=60))
    cpu_after = hubs.cpu_seconds(hub.pids)
    for child in children:
        child.join()
    # sent first, fetched after: the send figures are the sending's alone
    cpu = (cpu_sent if scenario.drain else cpu_after) - cpu_before
    row = _figures(scenario, parts, began, cpu, hubs.peak_rss_mb(hub.pids))
    roles = {"sender"} if scenario.drain else {"sender", "recipient", "prober"}
    row["load_cpu_ms_per_document"] = sum(
        part["cpu_s"] for part in parts if part["role"] in roles) * 1000 / max(
        row["documents"], 1)
    row["fetch_ack_cpu_ms"] = ((cpu_after - cpu_sent) * 1000 / max(row["acknowledged"], 1)
                               if scenario.drain else 0.0)
    rate = row.pop("fetch_ack_per_s")
    row["fetch_ack_per_s"] = None if scenario.batch else rate
    row["fetch_ack_batch_per_s"] = rate if scenario.batch else None
    return row


def _figures(scenario: Scenario, parts: list[dict[str, Any]], began: float, cpu: float,
             rss_mb: float) -> dict[str, Any]:
    sent = [row for part in parts if part["role"] == "sender" for row in part["sent"]]
    receiver = next(part for part in parts if part["role"] == "recipient")
    probe = sorted(next(part for part in parts if part["role"] == "prober")["times"])
    errors: dict[str, int] = {}
    for part in parts:
        for code, count in part.get("errors", {}).items():
            errors[code] = errors.get(code, 0) + count
    last_send = max((at + latency for _, at, latency, _ in sent), default=began)
    elapsed = max(last_send - began, 1e-9)
    latencies = sorted(latency * 1000 for _, _, latency, _ in sent)
    acked = receiver["acked"]
    to_ack = sorted((acked[mid] - at) * 1000 for mid, at, _, _ in sent if mid in acked)
    fetch_span = max(acked.values(), default=began) - (receiver["first_fetch"] or began)
    return {
        "scenario": scenario.name, "documents": len(sent), "acknowledged": len(to_ack),
        "errors": errors, "documents_per_s": len(sent) / elapsed,
        "mb_per_s": sum(size for *_, size in sent) / elapsed / 1e6,
        "p50_ms": _pct(latencies, 50), "p95_ms": _pct(latencies, 95),
        "p99_ms": _pct(latencies, 99), "send_to_ack_p50_ms": _pct(to_ack, 50),
        "send_to_ack_p99_ms": _pct(to_ack, 99),
        "fetch_ack_per_s": len(acked) / fetch_span if fetch_span > 0 else 0.0,
        "peak_rss_mb": rss_mb, "loop_lag_p99_ms": _pct([t * 1000 for t in probe], 99),
        "loop_lag_max_ms": probe[-1] * 1000 if probe else 0.0,
        "hub_cpu_ms_per_document": cpu * 1000 / max(len(sent), 1),
    }


def _pct(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


COLUMNS = [("documents_per_s", "docs/s", "{:.0f}"), ("mb_per_s", "MB/s", "{:.1f}"),
           ("p50_ms", "p50 ms", "{:.0f}"), ("p95_ms", "p95 ms", "{:.0f}"),
           ("p99_ms", "p99 ms", "{:.0f}"), ("send_to_ack_p50_ms", "to-ack p50", "{:.0f}"),
           ("fetch_ack_per_s", "fetch+ack/s", "{:.0f}"),
           ("fetch_ack_batch_per_s", "f+a/s batch", "{:.0f}"), ("peak_rss_mb", "RSS MB", "{:.0f}"),
           ("loop_lag_p99_ms", "lag p99", "{:.0f}"), ("loop_lag_max_ms", "lag max", "{:.0f}"),
           ("hub_cpu_ms_per_document", "CPU ms/doc", "{:.2f}"),
           ("load_cpu_ms_per_document", "load ms/doc", "{:.2f}"),
           ("fetch_ack_cpu_ms", "inbox CPU ms", "{:.2f}"),
           ("parse_xsd_ms", "parse+XSD", "{:.2f}"), ("verify_ms", "verify", "{:.2f}"),
           ("commit_ms", "commit", "{:.2f}"), ("achieved_of_bound", "÷bound", "{:.2f}")]


def table(rows: list[dict[str, Any]]) -> str:
    head = f"{'setup':21} {'scenario':>11} {'docs':>5} {'err':>4} " + " ".join(
        f"{title:>11}" for _, title, _ in COLUMNS)
    lines = [head, "-" * len(head)]
    for row in rows:
        cells = " ".join(f"{'-' if row[key] is None else fmt.format(row[key]):>11}"
                         for key, _, fmt in COLUMNS)
        lines.append(f"{row['setup']:21} {row['scenario']:>11} {row['documents']:>5} "
                     f"{sum(row['errors'].values()):>4} {cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--setups", default=",".join(hubs.STARTERS),
                        help="comma-separated names from bench/hubs.py STARTERS")
    args = parser.parse_args(argv)
    quick = os.environ.get("DX_BENCH_QUICK") == "1"
    scenarios = QUICK if quick else FULL
    rounds = 20 if quick else 300
    sizes = {s.size_kb for s in scenarios}
    costs = {size: primitives.measure(size, max(rounds // (1 + int(size) // 100), 3))
             for size in sizes}
    rows = []
    for setup in args.setups.split(","):
        with tempfile.TemporaryDirectory(prefix="dx-bench-") as folder:
            hub = hubs.STARTERS[setup](Path(folder))
            try:
                for n, scenario in enumerate(scenarios):
                    row = run_scenario(hub, scenario, first_number=1 + n * 1_000_000)
                    row |= {"setup": hub.name, **costs[scenario.size_kb]}
                    row["achieved_of_bound"] = row["documents_per_s"] / (
                        row["bound_per_s"] * hub.hub_processes)
                    rows.append(row)
            finally:
                hub.stop()
    big = big_packet.measure(20 if quick else 200)
    print(table(rows))
    print(big_packet.line(big))
    print(f"verify engine: {rows[0]['verify_engine'] if rows else '-'}; lag = /healthz answer "
          "time every 50 ms; ÷bound = docs/s ÷ (1000 / (parse+XSD + verify) × hub processes); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "quick": quick, "machine": platform.node(), "cores": os.cpu_count(),
        "python": platform.python_version(), "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "rows": rows, "big_packet": big}, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
