"""`docexchange push register|approve|disable|remove|list|queue`: push endpoints from the
command line (the same services as the API and the dashboard)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from docexchange.commands.common import cli_actor, open_hub
from docexchange.push import endpoints

CODE_HELP = "mã định danh của đơn vị / the unit's OrganId"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("push", help="địa chỉ nhận đẩy (push) của đơn vị / units' push endpoints "
                       "(docs/push-and-relay.md)")
    ps = p.add_subparsers(dest="push_command", required=True)
    reg = ps.add_parser("register", help="đăng ký hoặc đổi địa chỉ nhận đẩy (chờ phê duyệt) / "
                        "register or change a unit's endpoint (pending)")
    reg.add_argument("code", help=CODE_HELP)
    reg.add_argument("url", help="địa chỉ https:// nhận văn bản / the https:// URL to push to")
    reg.set_defaults(run=run_register)
    for name, helptext in (
            ("approve", "phê duyệt địa chỉ nhận đẩy / approve a unit's endpoint"),
            ("disable", "ngừng đẩy tới đơn vị (vẫn lấy về được) / stop pushing to a unit "
                        "(pull keeps working)")):
        cmd = ps.add_parser(name, help=helptext)
        cmd.add_argument("code", help=CODE_HELP)
        cmd.add_argument("--operator", help="tên ghi vào nhật ký bằng chứng (mặc định: cli:USER) "
                         "/ the name recorded in the evidence log (default: cli:USER)")
        if name == "approve":
            cmd.add_argument("--allow-http", action="store_true",
                             help="cho phép địa chỉ http:// không mã hoá (mạng nội bộ tin cậy, "
                                  "thử nghiệm) / allow a plain http:// URL (a trusted LAN, tests)")
        cmd.set_defaults(run=run_decide, state="approved" if name == "approve" else "disabled")
    rm = ps.add_parser("remove", help="xoá địa chỉ nhận đẩy của đơn vị / forget a unit's "
                       "endpoint")
    rm.add_argument("code", help=CODE_HELP)
    rm.set_defaults(run=run_remove)
    ls = ps.add_parser("list", help="liệt kê các địa chỉ (JSON từng dòng) / the endpoints as "
                       "JSON lines")
    ls.add_argument("--state", choices=("pending", "approved", "disabled"),
                    help="chỉ các địa chỉ ở trạng thái này / only endpoints in this state")
    ls.set_defaults(run=run_list)
    q = ps.add_parser("queue", help="số lượt đẩy theo đơn vị và trạng thái / push queue counts "
                      "per unit and state")
    q.set_defaults(run=run_queue)


async def run_register(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        endpoint = await endpoints.register(hub, args.code, args.url, cli_actor())
    print(json.dumps(endpoint, ensure_ascii=False))
    return 0


async def run_decide(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        result = await endpoints.decide(hub, args.code, args.operator or cli_actor(),
                                        args.state,
                                        allow_http=getattr(args, "allow_http", False))
        print(json.dumps(result, ensure_ascii=False))
    return 0


async def run_remove(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        await endpoints.remove(hub, args.code, cli_actor())
    return 0


async def run_list(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        for item in await endpoints.listing(hub, args.state):
            print(json.dumps(item, ensure_ascii=False))
    return 0


async def run_queue(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        for row in await endpoints.queue_counts(hub):
            print(f"{row['organ_id']:<20} {row['state']:<10} {row['n']}")
    return 0
