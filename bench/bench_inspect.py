"""Where the inline inspection of one small signed packet spends its time, stage by stage.

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/bench_inspect.py [--kilobytes 5] [--rounds 2000] [--json F]
Each figure is the median CPU time of ``rounds`` calls in this process (µs per packet), on one
packet signed by a unit whose certificate a fresh CA issued (bench_verify.signed_packet):

- ``parse_xml``: the hardened parse with the DOCTYPE and depth checks (edxml/parser.py);
  ``depth_check``: the depth check alone (safexml.deeper_than).
- ``secrecy_marks``: the secrecy guard's walk of every text and its rule (packet_marks).
- ``examine``: the sender-signature check as the exchange calls it (xmldsig.PacketVerifier);
  ``carried_certs``: the KeyInfo certificates decoded; ``chain``: CertificateTrust.signer.
- ``validate``: the XSD step; ``document_packet``: the model built by edxml/reader.py.
- ``inspect_packet``: all of the above as the hub runs it (exchange/packet_check.py).
- ``hub_status``: the status 01 the hub builds per acknowledged document (build_status).
Run it before and after a change in the same minute: the machine's load moves the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from docexchange.edxml import build_status, new_status, reader
from docexchange.edxml.model import Organization, ResponseFor
from docexchange.edxml.parser import parse_root, parse_xml
from docexchange.edxml.schema import validate
from docexchange.exchange import packet_check
from docexchange.exchange.packet_check import inspect_packet
from docexchange.exchange.secrecy_fields import packet_marks
from docexchange.safexml import deeper_than
from docexchange.signing import xmldsig
from docexchange.signing.signature_placement import into_dsig_namespace, single_signature

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_verify import median_ms, signed_packet  # noqa: E402


def median_us(call: Callable[[], Any], rounds: int) -> float:
    """Median CPU microseconds of one call (another session's load does not count)."""
    return median_ms(call, rounds) * 1e3


def measure(kilobytes: float, rounds: int) -> dict[str, float]:
    """Microseconds per packet for each stage of the inspection of one signed packet."""
    data, _, ca = signed_packet(kilobytes)
    with tempfile.TemporaryDirectory() as folder:
        trust = Path(folder) / "ca.pem"
        trust.write_bytes(ca.public_bytes(Encoding.PEM))
        return _stages(data, (trust,), rounds)


def _stages(data: bytes, trust: tuple[Path, ...], rounds: int) -> dict[str, float]:
    verifier = xmldsig.PacketVerifier([])
    root = parse_xml(data)
    signature = into_dsig_namespace(single_signature(root))
    carried = xmldsig._carried_certificates(signature)
    chained = _verifier(trust)
    now = dt.datetime.now(dt.UTC)
    signed = inspect_packet(data, trust, False)
    assert signed.signature.signer_key_id, signed.signature.error
    stripped = _unsigned_tree(data)
    status = _status()
    return {
        "packet_kb": len(data) / 1024,
        "parse_xml": median_us(lambda: parse_xml(data), rounds),
        "depth_check": median_us(lambda: deeper_than(root), rounds),
        "secrecy_marks": median_us(lambda: packet_marks(root), rounds),
        "carried_certs": median_us(lambda: xmldsig._carried_certificates(signature), rounds),
        "chain": median_us(lambda: chained._trust.signer(carried, None, now), rounds),
        "examine": median_us(lambda: _verifier(trust).examine(data), rounds),
        "validate": median_us(lambda: list(validate(stripped)), rounds),
        "document_packet": median_us(lambda: reader.document_packet(stripped, True, []), rounds),
        "parse_root": median_us(lambda: parse_root(stripped), rounds),
        "inspect_packet": median_us(lambda: inspect_packet(data, trust, False), rounds),
        "hub_status": median_us(lambda: build_status(status), rounds),
        "untrusted_examine": median_us(lambda: verifier.examine(data), rounds),
    }


def _verifier(trust: tuple[Path, ...]) -> xmldsig.PacketVerifier:
    """The verifier the hub's inspection uses (loaded once per process)."""
    return packet_check._verifier(trust, False)


def _unsigned_tree(data: bytes) -> Any:
    """The packet's tree without its Signature, as parse_root receives what was signed."""
    root = parse_xml(data)
    signature = single_signature(root)
    parent = signature.getparent()
    assert parent is not None
    parent.remove(signature)
    return root


def _status() -> Any:
    """The status 01 hub_arrival_packet builds (exchange/status_messages.py)."""
    organ = Organization(organ_id="000.00.12.H45", organ_name="Sở Tài chính",
                         organization_in_charge="UBND tỉnh")
    answered = ResponseFor(organ_id="000.00.00.H45", document_id="000.00.00.H45,2026/11/28,1",
                           code="1/UBND-VP", promulgation_date=dt.date(2026, 11, 28))
    return new_status(organ, answered, "01", "Đã đến - hệ thống trục liên thông đã chuyển tới "
                      "phần mềm của đơn vị nhận", dt.datetime(2026, 11, 29, 9, 0, 0))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilobytes", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = measure(args.kilobytes, args.rounds)
    print(f"{'µs per packet (median CPU)':28} {'':>9}")
    for name, value in figures.items():
        print(f"{name:28} {value:9.1f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
