"""Command line: `docexchange [--config PATH] COMMAND ...`.

Split into parse_args(argv) and main(argv) so tests call main([...]) directly.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from docexchange.commands import (
    audit,
    exchange_cli,
    groups,
    init,
    keys,
    kit,
    operators,
    receipt,
    serve,
    units,
)
from docexchange.config import ConfigError
from docexchange.errors import DocExchangeError
from docexchange.logs import configure as configure_logging
from docexchange.store.migrations import MigrationError

COMMANDS = (init, serve, units, groups, keys, operators, exchange_cli, kit, receipt,
            audit)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="docexchange", description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("config/hub.toml"),
                        help="hub configuration file (default: config/hub.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging("text", args.verbose)
    try:
        return asyncio.run(args.run(args.config, args))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
    except MigrationError as exc:
        print(f"database error: {exc}", file=sys.stderr)
    except DocExchangeError as exc:
        print(f"error {exc.code}: {exc.message_en}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
