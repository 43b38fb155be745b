"""`make bench` cannot rot: its quick mode runs here against a real hub and must produce every
figure of the table for every packet size, with every document accepted and acknowledged.
Nothing here judges speed (the figures are the benchmark's to print, not the suite's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_quick_benchmark_fills_the_table_and_writes_the_results(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    env = {**os.environ, "DX_BENCH_QUICK": "1"}

    done = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)

    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text("utf-8"))
    assert results["quick"] is True
    rows = results["rows"]
    scenarios = ["5 KB", "5 KB batch", "5 KB @500/s", "100 KB", "5 MB"]
    setups = ["sqlite, 1 process(es)", "sqlite, 2 process(es)", "postgresql, 1 node(s)",
              "postgresql, 2 node(s)"]
    assert [(row["setup"], row["scenario"]) for row in rows] == [
        (setup, scenario) for setup in setups for scenario in scenarios]
    for row in rows:
        assert row["errors"] == {}, row
        assert row["documents"] == row["acknowledged"] > 0, row
        inbox = "fetch_ack_batch_per_s" if row["scenario"].endswith("batch") else \
            "fetch_ack_per_s"
        for key in ("documents_per_s", "mb_per_s", "p99_ms", "send_to_ack_p50_ms",
                    inbox, "peak_rss_mb", "hub_cpu_ms_per_document",
                    "parse_xsd_ms", "verify_ms", "commit_ms", "achieved_of_bound"):
            assert row[key] > 0, (key, row)
        assert row["verify_engine"] == "xmlsec"
    assert "docs/s" in done.stdout and "÷bound" in done.stdout
    big = results["big_packet"]  # the large-packet case: accepted, memory figures read
    assert big["signature"] == "verified" and big["megabytes"] > 10
    assert big["hub_process_peak_mb"] > 0 and "peak RSS growth" in done.stdout
