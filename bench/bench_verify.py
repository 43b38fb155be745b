"""Per-packet cost of checking a sender's XML-DSig: the hub's verifier with each engine against
bare signxml and bare python-xmlsec, on the same signed packet (5 KB by default).

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/bench_verify.py [--kilobytes 5] [--rounds 2000]
Each figure is the median of ``rounds`` calls in one thread (CPU time of this process): the
hub's ``PacketVerifier.verify`` (parse, checks, chain from the cache, the bytes), the same
without the chain (``examine`` is what the exchange calls), bare ``XMLVerifier.verify`` with the
certificate given, and bare libxmlsec1 (parse, find the Signature, verify with the key).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from signxml import SignatureConfiguration, XMLVerifier

from docexchange.safexml import hardened_parser, parse_bytes
from docexchange.signing.certificates import (
    PrivateKey,
    create_ca,
    generate_private_key,
    issue_certificate,
)
from docexchange.signing.xmldsig import PacketSigner, PacketVerifier

try:
    from packets import document
except ImportError:  # imported as bench.bench_verify (bench/run.py)
    from bench.packets import document

SENDER = "000.00.00.H45"
HEADER = "./{http://www.mic.gov.vn/TBT/QCVN_102_2016}edXMLEnvelope/" \
         "{http://www.mic.gov.vn/TBT/QCVN_102_2016}edXMLHeader/"


def median_ms(call: Callable[[], Any], rounds: int) -> float:
    """Median CPU milliseconds of one call (process CPU time: another session's load on the
    shared cores does not count, only cache and frequency effects do)."""
    call()
    times = []
    for _ in range(rounds):
        start = time.process_time_ns()
        call()
        times.append(time.process_time_ns() - start)
    return statistics.median(times) / 1e6


def signed_packet(kilobytes: float, algorithm: str = "ec-p256"
                  ) -> tuple[bytes, x509.Certificate, x509.Certificate]:
    """A packet of about ``kilobytes`` signed by a unit whose certificate a fresh CA issued."""
    ca_key: PrivateKey = generate_private_key("ec-p256")
    ca = create_ca("Bench CA", ca_key)
    key = generate_private_key(algorithm)
    cert = issue_certificate(ca_key, ca, common_name="Bench unit", organ_id=SENDER,
                             public_key=key.public_key())
    attachment = random.Random(5).randbytes(max(int(kilobytes * 1024 * 3 / 4) - 3300, 64))
    data = document(SENDER, ["000.00.12.H45"], number=1, files=[("cv.pdf", attachment)])
    return PacketSigner(key, cert).sign(data), cert, ca


def measure(kilobytes: float = 5, rounds: int = 2000, algorithm: str = "ec-p256"
            ) -> dict[str, float]:
    """Milliseconds per packet for each way of verifying it."""
    data, cert, ca = signed_packet(kilobytes, algorithm)
    result = {"packet_kb": len(data) / 1024}
    for engine in ("signxml", "xmlsec"):
        verifier = PacketVerifier([ca], engine=engine)  # type: ignore[arg-type]
        assert verifier.engine == engine
        result[f"verify_{engine}_ms"] = median_ms(lambda v=verifier: v.verify(data), rounds)
        result[f"examine_{engine}_ms"] = median_ms(lambda v=verifier: v.examine(data), rounds)
    config = SignatureConfiguration(location=HEADER)
    result["bare_signxml_ms"] = median_ms(
        lambda: XMLVerifier().verify(data, x509_cert=cert, parser=hardened_parser(),
                                     expect_config=config), rounds)
    result["bare_xmlsec_ms"] = median_ms(_bare_xmlsec(data, cert), rounds)
    return result


def _bare_xmlsec(data: bytes, cert: x509.Certificate) -> Callable[[], None]:
    import xmlsec

    key = xmlsec.Key.from_memory(cert.public_bytes(Encoding.DER),
                                 xmlsec.constants.KeyDataFormatCertDer)

    def verify() -> None:
        root = parse_bytes(data)
        signature = xmlsec.tree.find_node(root, xmlsec.constants.NodeSignature)
        context = xmlsec.SignatureContext()
        context.key = key
        context.verify(signature)

    return verify


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilobytes", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = {alg: measure(args.kilobytes, args.rounds, alg) for alg in ("ec-p256", "rsa-2048")}
    print(f"{'ms per packet (median CPU)':34} {'ec-p256':>9} {'rsa-2048':>9}")
    for name in figures["ec-p256"]:
        print(f"{name:34} {figures['ec-p256'][name]:9.3f} {figures['rsa-2048'][name]:9.3f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
