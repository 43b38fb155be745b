"""`docexchange receipt verify RECEIPT.json --hub-cert keys/hub.crt`: check a receipt offline.

Needs no hub, no configuration and no network: only the receipt and a hub certificate (any of
them: the one whose key id the receipt's tree head names is used).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509

from docexchange.evidence.verify import VerificationError, certificates_by_key_id, check_receipt
from docexchange.signing.certificates import load_certificates


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("receipt", help="kiểm tra biên nhận gửi mà không cần mạng / check a "
                       "send receipt offline")
    rs = p.add_subparsers(dest="receipt_command", required=True, title="lệnh / commands")
    verify = rs.add_parser("verify", help="kiểm tra lá nhật ký, bằng chứng bao hàm và tree head "
                           "đã ký của biên nhận / verify a receipt's leaf, inclusion proof and "
                           "signed tree head")
    verify.add_argument("receipt", type=Path, help="tệp JSON biên nhận (thân phản hồi 202) / "
                                                   "the receipt JSON (the 202 response body)")
    add_hub_cert_option(verify)
    verify.set_defaults(run=run_verify)


def add_hub_cert_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hub-cert", type=Path, action="append", required=True,
                        help="chứng thư của trục (PEM) hoặc thư mục chứa chúng như "
                             "keys/hub-certs/; lặp lại được / hub certificate (PEM), or a "
                             "folder of them such as keys/hub-certs/; may be repeated")


def read_hub_certificates(paths: Iterable[Path]) -> dict[str, x509.Certificate]:
    """Every certificate in the given files and folders (*.crt, *.pem), by key id."""
    found: list[x509.Certificate] = []
    for path in paths:
        files = (sorted([*path.glob("*.crt"), *path.glob("*.pem")]) if path.is_dir()
                 else [path])
        for file in files:
            found.extend(load_certificates(file))
    return certificates_by_key_id(found)


async def run_verify(config_path: Path, args: argparse.Namespace) -> int:
    try:
        certificates = read_hub_certificates(args.hub_cert)
        receipt = json.loads(args.receipt.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"FAILED: cannot read the receipt or the certificates: {exc}")
        return 1
    try:
        checked = check_receipt(receipt, certificates)
    except VerificationError as exc:
        print(f"FAILED: {exc}")
        return 1
    head = checked.tree_head
    signed = dt.datetime.fromtimestamp(head.timestamp / 1000, dt.UTC).isoformat("T", "seconds")
    print(f"OK: leaf {checked.leaf_index} ({checked.event.get('event')}) is in the log of "
          f"{head.tree_size} leaves signed at {signed} by hub key {head.key_id}")
    return 0
