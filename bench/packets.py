"""Packets and a throw-away project folder for the benchmarks, made with the hub's own builder.

The benchmarks import nothing from tests/: a benchmark must run from a checkout (or a wheel's
source) alone, and the test helpers are free to change for the tests' sake.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from docexchange.edxml import Organization, build_document, new_document
from docexchange.signing.certificates import load_certificate, load_private_key
from docexchange.signing.xmldsig import PacketSigner

REPO = Path(__file__).resolve().parents[1]
XML = {"Content-Type": "application/xml"}


def document(sender: str, to: list[str], *, number: int,
             files: list[tuple[str, bytes]]) -> bytes:
    """A unique document packet (number makes the DocumentId) from ``sender`` to ``to``."""
    packet = new_document(
        sender=Organization(organ_id=sender, organ_name="Đơn vị gửi"),
        recipients=[Organization(organ_id=code, organ_name="") for code in to],
        code_number=str(number), code_notation="UBND-VP", subject="V/v báo cáo tháng",
        files=files, now=dt.datetime(2026, 11, 28, 9, 0, 0))
    return build_document(packet)


def sign_as(credentials: dict[str, Any], organ_id: str, data: bytes) -> bytes:
    """Sign with the unit's dev key named in keys/dev-credentials.json."""
    entry = credentials[organ_id]
    signer = PacketSigner(load_private_key(Path(entry["signing_key"])),
                          load_certificate(Path(entry["certificate"])))
    return signer.sign(data)


def make_project(root: Path) -> Path:
    """A project folder like a fresh checkout's: config/ with the example and the demo CSV."""
    (root / "config").mkdir(parents=True)
    shutil.copy(REPO / "config" / "demo-province.csv", root / "config")
    shutil.copy(REPO / "config" / "hub.example.toml", root / "config" / "hub.toml")
    return root / "config" / "hub.toml"
