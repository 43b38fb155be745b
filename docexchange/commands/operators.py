"""`docexchange operators add|token|list|disable`: the province's operator accounts."""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
from pathlib import Path

from docexchange.accounts.operators import ROLES
from docexchange.admin.operators import (
    add_operator,
    disable_operator,
    issue_token,
    list_operators,
    list_tokens,
    revoke_token,
)
from docexchange.commands.common import cli_actor, open_hub


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("operators", help="tài khoản cán bộ vận hành (bảng điều khiển và API vận "
                       "hành) / operator accounts (dashboard and ops API)")
    ops = p.add_subparsers(dest="operators_command", required=True, title="lệnh / commands")
    add = ops.add_parser("add", help="thêm cán bộ vận hành (hoặc đặt lại vai trò và mật khẩu) / "
                         "add an operator (or reset its role and password)")
    add.add_argument("name", help="tên đăng nhập / the login name")
    add.add_argument("--role", choices=ROLES, default="viewer",
                     help="vai trò: viewer (xem) hoặc admin (quản trị) / role: viewer or admin")
    add.add_argument("--password", help="mặc định: trục tạo và in ra một lần / default: a "
                                        "generated one, printed once")
    add.set_defaults(run=run_add)
    token = ops.add_parser("token", help="cấp mã truy cập API (Bearer) cho cán bộ vận hành / "
                           "issue an API token (Bearer) for an operator")
    token.add_argument("name", help="tên đăng nhập / the login name")
    token.set_defaults(run=run_token)
    tokens = ops.add_parser("tokens", help="liệt kê mã truy cập API (mã, hạn, trạng thái) / list "
                            "operator API tokens (ids, expiry, state)")
    tokens.set_defaults(run=run_tokens)
    revoke = ops.add_parser("revoke-token", help="thu hồi một mã truy cập API theo mã của nó / "
                            "revoke one operator API token by its id")
    revoke.add_argument("token_id", help="mã do `operators tokens` in ra (hoặc chính mã truy cập) "
                                         "/ the id shown by `operators tokens` (or the token)")
    revoke.set_defaults(run=run_revoke_token)
    ls = ops.add_parser("list", help="liệt kê cán bộ vận hành / list operators")
    ls.set_defaults(run=run_list)
    disable = ops.add_parser("disable", help="vô hiệu hóa cán bộ vận hành (mã truy cập và phiên "
                             "ngừng) / disable an operator (tokens and sessions stop)")
    disable.add_argument("name", help="tên đăng nhập / the login name")
    disable.set_defaults(run=run_disable)


async def run_add(config_path: Path, args: argparse.Namespace) -> int:
    password = args.password or secrets.token_urlsafe(12)
    async with open_hub(config_path) as hub:
        try:
            await add_operator(hub, args.name, args.role, password, cli_actor())
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    print(f"operator {args.name} ({args.role}) saved"
          + ("" if args.password else f"; password: {password}"))
    return 0


async def run_token(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        try:
            token = await issue_token(hub, args.name, cli_actor(),
                                      valid_days=hub.config.keys.operator_token_days)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    print(token)
    return 0


async def run_list(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        for row in await list_operators(hub):
            created = dt.datetime.fromtimestamp(row["created_ts"] / 1000, dt.UTC).date()
            state = "disabled" if row["disabled_ts"] else "active"
            print(f"{row['name']:<20} {row['role']:<7} {state:<9} since {created}")
    return 0


async def run_disable(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        changed = await disable_operator(hub, args.name, cli_actor())
    if not changed:
        print(f"no operator {args.name}", file=sys.stderr)
        return 1
    print(f"operator {args.name} disabled")
    return 0


def _day(ms: int | None) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date().isoformat() if ms else "never"


async def run_tokens(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        now = hub.clock.now_ms()
        for row in await list_tokens(hub):
            state = ("revoked" if row["revoked_ts"] else "expired"
                     if row["expires_ts"] and row["expires_ts"] <= now else "active")
            print(f"{row['token_id']:<14} {row['name']:<20} created {_day(row['created_ts'])} "
                  f"expires {_day(row['expires_ts']):<10} {state}")
    return 0


async def run_revoke_token(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        revoked = await revoke_token(hub, args.token_id, cli_actor())
    if not revoked:
        print(f"no active operator token {args.token_id}", file=sys.stderr)
        return 1
    print(f"operator token {args.token_id} revoked")
    return 0
