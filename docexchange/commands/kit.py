"""The DMS vendors' kit: `docexchange samples`, `validate` and `extract`.

``samples`` and ``extract`` need no hub; ``validate`` asks a hub (``POST
/api/v1/documents/validate``) as the unit given by ``--as`` / ``--api-key``, because only the
hub knows its directory, the unit's certificates and what that unit already sent.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docexchange.client import HubClient
from docexchange.commands.exchange_cli import (
    CommandError,
    _identity_args,
    _reporting,
    resolve_identity,
)
from docexchange.errors import DocExchangeError
from docexchange.extract import extract_attachments
from docexchange.samples import write_samples


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    samples = sub.add_parser("samples", help="ghi các gói tin mẫu (samples/) / write the sample "
                             "packets (samples/)")
    samples.add_argument("--out", type=Path, default=Path("samples"),
                         help="thư mục ghi ra (mặc định: samples) / folder to write into "
                              "(default: samples)")
    samples.set_defaults(run=run_samples)

    validate = sub.add_parser("validate", help="kiểm tra gói tin như khi gửi, không lưu gì / "
                              "check packets as a send would, storing nothing")
    _identity_args(validate)
    validate.add_argument("--json", action="store_true",
                          help="in báo cáo của trục dạng JSON / print the hub's reports as JSON")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE",
                          help="các gói tin edXML / edXML packets")
    validate.set_defaults(run=_reporting(run_validate))

    extract = sub.add_parser("extract", help="ghi các tệp đính kèm của gói tin ra tệp / write "
                             "a packet's attachments as files")
    extract.add_argument("packet", type=Path,
                         help="gói tin văn bản edXML / an edXML document packet")
    extract.add_argument("--out", type=Path, required=True,
                         help="thư mục ghi ra / folder to write into")
    extract.set_defaults(run=run_extract)


async def run_samples(config_path: Path, args: argparse.Namespace) -> int:
    for path in write_samples(args.out):
        print(path)
    return 0


async def run_validate(config_path: Path, args: argparse.Namespace) -> int:
    """Exit 0 when every file would be accepted, 1 otherwise."""
    me = resolve_identity(config_path, args)
    failures = 0
    async with HubClient(me.url, me.api_key) as hub:
        for path in args.files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"không đọc được {path}: {exc.strerror}",
                                   f"cannot read {path}: {exc.strerror}") from None
            report = await hub.validate_document(data)
            failures += not report["valid"]
            _print_report(path, report, args.json)
    return 1 if failures else 0


def _print_report(path: Path, report: dict[str, object], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"file": str(path), **report}, ensure_ascii=False))
        return
    verdict = "OK" if report["valid"] else "INVALID"
    print(f"{path}: {verdict} ({report['kind']} {report['document_id']}, "
          f"signature {report['signature']})")
    for problem in report["problems"]:  # type: ignore[attr-defined]
        print(f"  {problem['code']} at {problem['path']}")
        print(f"    vi: {problem['message_vi']}")
        print(f"    en: {problem['message_en']}")
        if problem.get("reason"):
            print(f"    ({problem['reason']})")


async def run_extract(config_path: Path, args: argparse.Namespace) -> int:
    try:
        written = extract_attachments(args.packet.read_bytes(), args.out)
    except OSError as exc:
        print(f"cannot extract: {exc}", file=sys.stderr)
        return 1
    except DocExchangeError as exc:
        print(f"error {exc.code}: {exc.message_en}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0
