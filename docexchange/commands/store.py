"""`docexchange store migrate --to postgresql://…`: move a SQLite hub into PostgreSQL so that
several nodes can share it (docs/operations.md, "Several nodes")."""

from __future__ import annotations

import argparse
from pathlib import Path

from docexchange.config import ConfigError, PostgresURL, load_config, parse_database
from docexchange.evidence.verify import VerificationError
from docexchange.storage_copy import TransferError, migrate_to_postgresql


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("store", help="cơ sở dữ liệu của trục / the hub's database")
    sts = p.add_subparsers(dest="store_command", required=True, title="lệnh / commands")
    mig = sts.add_parser(
        "migrate", help="chép trục SQLite sang một cơ sở dữ liệu PostgreSQL trống rồi kiểm tra "
        "nhật ký bằng chứng của bản chép / copy the SQLite hub into an empty PostgreSQL "
        "database, then verify the copy's evidence log")
    mig.add_argument("--to", dest="target", required=True, metavar="URL",
                     help="postgresql://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY:CỔNG/TÊN_CSDL, phải trống / "
                          "postgresql://USER:PASSWORD@HOST:PORT/DBNAME, must be empty")
    mig.set_defaults(run=run_migrate)


async def run_migrate(config_path: Path, args: argparse.Namespace) -> int:
    config = load_config(config_path)
    try:
        target = parse_database("--to", args.target, config_path.parent)
        if not isinstance(target, PostgresURL):
            raise ConfigError("--to must be a postgresql:// URL")
        report = await migrate_to_postgresql(config, target)
    except (ConfigError, TransferError) as exc:
        print(f"REFUSED: {exc} (nothing was copied)")
        return 1
    except VerificationError as exc:
        print(f"COPIED BUT NOT VERIFIED: {exc}; keep using the SQLite hub")
        return 1
    for count in report.tables:
        print(f"{count.table}: {count.copied} rows")
    log = report.log
    print(f"OK: {sum(c.copied for c in report.tables)} rows in {len(report.tables)} tables "
          f"copied to {target}; evidence log verified: {log.leaves} leaves, "
          f"{log.tree_heads} tree heads, log size {log.tree_size}")
    return 0
