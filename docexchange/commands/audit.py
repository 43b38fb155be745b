"""`docexchange audit export|verify`: the evidence log of a period, out to a file and checked.

`export` runs on the hub host (it reads the database directly, in one snapshot); `verify`
needs only the file and the hub certificates, so an auditor runs it anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

from docexchange.admin import audit_log as browse
from docexchange.commands.common import open_hub
from docexchange.commands.progress import ProgressBar
from docexchange.commands.receipt import add_hub_cert_option, read_hub_certificates
from docexchange.config import load_config
from docexchange.evidence.export import ExportScope, Record
from docexchange.evidence.export_files import FORMATS, read_records, write_records
from docexchange.evidence.verify import AuditVerifier, VerificationError

END_OF_TIME = 2**62


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="xuất và kiểm tra nhật ký bằng chứng / export and verify "
                       "the evidence log")
    aus = p.add_subparsers(dest="audit_command", required=True, title="lệnh / commands")
    exp = aus.add_parser("export", help="ghi nhật ký của một khoảng thời gian (cán bộ vận hành) "
                         "/ write the log of a period (operators)")
    exp.add_argument("--from", dest="from_date", type=dt.date.fromisoformat,
                     help="ngày đầu (YYYY-MM-DD, giờ của tỉnh; mặc định: từ đầu) / first day "
                          "(YYYY-MM-DD, province time; default: the beginning)")
    exp.add_argument("--to", dest="to_date", type=dt.date.fromisoformat,
                     help="ngày cuối, tính cả ngày đó (mặc định: hôm nay và sau đó) / last day, "
                          "included (default: today and after)")
    exp.add_argument("--unit", help="chỉ các sự kiện của đơn vị này, mỗi sự kiện kèm bằng chứng "
                                    "/ only the events of this unit, each with its proof")
    exp.add_argument("--format", choices=FORMATS, default="jsonl",
                     help="định dạng: jsonl hoặc csv (mặc định jsonl) / format: jsonl or csv "
                          "(default: jsonl)")
    exp.add_argument("--out", type=Path, required=True,
                     help="tệp xuất ra / the export file to write")
    exp.set_defaults(run=run_export)
    ver = aus.add_parser("verify", help="kiểm tra tệp xuất mà không cần mạng; chỉ ra bản ghi hỏng "
                         "đầu tiên / check an export offline; names the first bad record")
    ver.add_argument("file", type=Path, help="tệp đã xuất (jsonl hoặc csv) / the exported file "
                                             "(jsonl or csv)")
    add_hub_cert_option(ver)
    ver.set_defaults(run=run_verify)


def _scope(config_path: Path, args: argparse.Namespace) -> ExportScope:
    """Calendar days in the province's time zone → UTC milliseconds, ``to`` day included."""
    zone = load_config(config_path).zone

    def start_of(day: dt.date) -> int:
        return int(dt.datetime.combine(day, dt.time(), zone).timestamp() * 1000)
    from_ts = start_of(args.from_date) if args.from_date else 0
    to_ts = start_of(args.to_date + dt.timedelta(days=1)) if args.to_date else END_OF_TIME
    return ExportScope(from_ts, to_ts, args.unit)


async def run_export(config_path: Path, args: argparse.Namespace) -> int:
    scope = _scope(config_path, args)
    bar = ProgressBar("export")
    async with open_hub(config_path) as hub:
        if scope.unit is not None and hub.directory.lookup(scope.unit) is None:
            print(f"no unit {scope.unit}", file=sys.stderr)
            return 1

        def export(records: Iterator[Record]) -> int:
            with args.out.open("w", encoding="utf-8", newline="") as out:
                return write_records(records, out, args.format,
                                     hub.directory.described_on, hub.config.zone)
        count = await browse.run_export(hub, scope, export, bar)
    bar.close()
    print(f"wrote {count} records to {args.out}")
    return 0


async def run_verify(config_path: Path, args: argparse.Namespace) -> int:
    number = 0
    try:
        verifier = AuditVerifier(read_hub_certificates(args.hub_cert))
        with args.file.open(encoding="utf-8", newline="") as lines:
            for number, record in read_records(lines):  # noqa: B007 - reported on failure
                verifier.feed(record)
        summary = verifier.finish()
    except VerificationError as exc:
        number = exc.record or number
        where = f" at record {number}" if number else ""
        print(f"FAILED{where}: {exc}")
        return 1
    except (OSError, ValueError) as exc:
        print(f"FAILED: cannot read {args.file} or the certificates: {exc}")
        return 1
    kind = "filtered export, " if summary.filtered else ""
    print(f"OK: {kind}{summary.leaves} leaves, {summary.tree_heads} tree heads, "
          f"{summary.consistency_proofs} consistency proofs, {summary.inclusion_proofs} "
          f"inclusion proofs; log size {summary.tree_size} (from leaf {summary.first_index})")
    return 0
