"""Command line: `docexchange [--config PATH] COMMAND ...`.

Split into parse_args(argv) and main(argv) so tests call main([...]) directly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
    push,
    receipt,
    serve,
    store,
    units,
)
from docexchange.config import ConfigError
from docexchange.errors import DocExchangeError, StorageError
from docexchange.logs import configure as configure_logging

DESCRIPTION = ("Trục liên thông văn bản điện tử của tỉnh / the province's electronic document "
               "exchange hub")
COMMANDS = (init, serve, units, groups, keys, operators, push, exchange_cli, kit, receipt,
            audit, store)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="docexchange", description=DESCRIPTION)
    parser.add_argument("--config", type=Path, default=Path("config/hub.toml"),
                        help="tệp cấu hình của trục (mặc định config/hub.toml) / hub "
                             "configuration file (default: config/hub.toml)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="ghi nhật ký chi tiết / debug logging")
    sub = parser.add_subparsers(dest="command", required=True,
                                title="lệnh / commands")
    for module in COMMANDS:
        module.register(sub)
    _bilingual(parser)
    return parser.parse_args(argv)


HELP_OPTION = "in trợ giúp này rồi thoát / show this help message and exit"


def _bilingual(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """What argparse writes itself, in both languages too, on every command of the tree:
    `-h`, the section titles, and a command's description, which defaults to its one-line
    help so that `docexchange units export --help` says what the command does."""
    if parser.description is None:
        parser.description = help_text
    parser._positionals.title = "tham số / arguments"
    parser._optionals.title = "tùy chọn / options"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = HELP_OPTION
        elif isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                _bilingual(child, helps.get(name))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging("text", args.verbose)
    try:
        factory = getattr(args, "loop_factory", None)  # a command may pick its loop (serve)
        with asyncio.Runner(loop_factory=factory(args.config) if factory else None) as runner:
            return runner.run(args.run(args.config, args))
    except BrokenPipeError:
        return _reader_went_away()
    except ConfigError as exc:
        print(f"lỗi cấu hình / configuration error: {exc}", file=sys.stderr)
    except StorageError as exc:
        print(f"lỗi cơ sở dữ liệu / database error: {exc}", file=sys.stderr)
    except DocExchangeError as exc:
        print(f"lỗi {exc.code}: {exc.message_vi}", file=sys.stderr)
        print(f"error {exc.code}: {exc.message_en}", file=sys.stderr)
    return 2


def _reader_went_away() -> int:
    """`docexchange units list | head`: the reader closed the pipe. End quietly, as Unix
    tools do, and keep Python from complaining again when it flushes stdout at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by the signal


if __name__ == "__main__":
    sys.exit(main())
