"""What one document costs at least on this machine, measured in the same run as the load, so
that the achieved figures can be read against it on a noisy shared machine: parse + XSD (the
edXML check, attachments checked but not decoded, as the inspection workers do), the
sender-signature verification of the tree already parsed (the hub's verifier, its automatic
engine) and one durable commit of the packet into a SQLite file in WAL mode with synchronous=FULL.

The primitive bound of one hub process is 1000 / (parse_xsd_ms + verify_ms) documents/s: the
commits are grouped (one fsync per write batch), so the commit is listed but not added.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docexchange.edxml.parser import parse_root, parse_xml
from docexchange.signing.certificates import (
    create_ca,
    generate_private_key,
    issue_certificate,
)
from docexchange.signing.xmldsig import PacketSigner, PacketVerifier

try:
    from packets import document
except ImportError:  # imported as bench.primitives
    from bench.packets import document


def _median_ms(call: Callable[[], Any], rounds: int) -> float:
    call()
    times = []
    for _ in range(rounds):
        begin = time.perf_counter()
        call()
        times.append(time.perf_counter() - begin)
    return statistics.median(times) * 1000


def measure(size_kb: float, rounds: int) -> dict[str, float]:
    """Milliseconds per document of each primitive, for a signed packet of ``size_kb``."""
    ca_key = generate_private_key("ec-p256")
    ca = create_ca("Bench CA", ca_key)
    key = generate_private_key("ec-p256")
    cert = issue_certificate(ca_key, ca, common_name="Bench", organ_id="000.00.00.H45",
                             public_key=key.public_key())
    attachment = random.Random(3).randbytes(max(int(size_kb * 1024 * 3 / 4) - 3300, 64))
    data = PacketSigner(key, cert).sign(document("000.00.00.H45", ["000.00.12.H45"], number=1,
                                                 files=[("cv.pdf", attachment)]))
    verifier = PacketVerifier([ca])
    figures = {
        "parse_xsd_ms": _median_ms(lambda: parse_root(parse_xml(data), contents=False), rounds),
        "verify_ms": _verify_ms(verifier, data, rounds),
        "commit_ms": _commit_ms(data, max(rounds // 10, 5)),
    }
    figures["bound_per_s"] = 1000 / (figures["parse_xsd_ms"] + figures["verify_ms"])
    figures["verify_engine"] = verifier.engine  # type: ignore[assignment]
    return figures


def _verify_ms(verifier: PacketVerifier, data: bytes, rounds: int) -> float:
    """The verification of a tree already parsed, as a worker does it (the packet is parsed
    once, and that parse is counted in parse + XSD); each round gets a fresh tree, since a
    verified tree gives up its Signature."""
    times = []
    for _ in range(rounds + 1):
        root = parse_xml(data)
        begin = time.perf_counter()
        verifier.examine_root(root)
        times.append(time.perf_counter() - begin)
    return statistics.median(times[1:]) * 1000


def _commit_ms(data: bytes, rounds: int) -> float:
    """One INSERT of the packet and its commit, fsync'ed (the hub's storage settings)."""
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(Path(folder) / "commit.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE payloads (id INTEGER PRIMARY KEY, body BLOB)")

        def commit() -> None:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO payloads (body) VALUES (?)", (data,))
            db.execute("COMMIT")

        try:
            return _median_ms(commit, rounds)
        finally:
            db.close()
