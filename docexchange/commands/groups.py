"""`docexchange groups add|list|show|import`: named recipient groups, expanded at send time.

A group has static members and/or a rule (every valid unit of a kind, under a parent), so
"all communes of district X" stays right when communes are merged or created.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from docexchange.admin.directory import GroupSpec, save_groups
from docexchange.clock import local_now
from docexchange.commands.common import cli_actor, open_hub
from docexchange.unit import KINDS


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("groups", help="nhóm đơn vị nhận (mở rộng khi gửi) / recipient groups "
                       "(expanded at send time)")
    gs = p.add_subparsers(dest="groups_command", required=True, title="lệnh / commands")
    add = gs.add_parser("add", help="thêm hoặc thay một nhóm / add or replace a group")
    add.add_argument("group_id", help="mã nhóm (dùng trong --to) / the group id (used in --to)")
    add.add_argument("--name", required=True, help="tên nhóm / the group's name")
    add.add_argument("--description", default="", help="mô tả / description")
    add.add_argument("--member", action="append", default=[],
                     help="mã đơn vị thành viên (lặp lại được) / a member OrganId (repeatable)")
    add.add_argument("--kind", choices=KINDS, help="quy tắc: mọi đơn vị còn hiệu lực thuộc loại "
                                                   "này / rule: every valid unit of this kind")
    add.add_argument("--parent", help="quy tắc: mọi đơn vị còn hiệu lực trực thuộc mã này / "
                                      "rule: every valid unit under this parent")
    add.set_defaults(run=run_add)
    ls = gs.add_parser("list", help="liệt kê các nhóm / list groups")
    ls.set_defaults(run=run_list)
    show = gs.add_parser("show", help="một nhóm và các đơn vị của nó hôm nay / a group and "
                         "today's expansion")
    show.add_argument("group_id", help="mã nhóm / the group id")
    show.set_defaults(run=run_show)
    imp = gs.add_parser("import", help="nhóm từ CSV: group_id,name,description,kind,parent,"
                                       "members (thành viên cách nhau bằng ';') / groups from "
                                       "CSV: group_id,name,description,kind,parent,members "
                                       "(members ';'-separated)")
    imp.add_argument("file", type=Path, help="tệp CSV nhóm / the groups CSV file")
    imp.set_defaults(run=run_import)


def _check_members(known: set[str], members: list[str]) -> list[str]:
    return [m for m in members if m not in known]


async def _save(config_path: Path, groups: list[GroupSpec], source: str) -> int:
    async with open_hub(config_path) as hub:
        known = {u.organ_id for u in hub.directory.all_units()}
        for group in groups:
            unknown = _check_members(known, list(group.members))
            if unknown or group.group_id in known:
                print(f"group {group.group_id}: unknown member(s) {', '.join(unknown)}"
                      if unknown else f"group id {group.group_id} is a unit code",
                      file=sys.stderr)
                return 1
        await save_groups(hub, groups, cli_actor(), source)
    print(f"{len(groups)} group(s) saved")
    return 0


async def run_add(config_path: Path, args: argparse.Namespace) -> int:
    return await _save(config_path, [GroupSpec(
        args.group_id, args.name, args.description, tuple(args.member), args.kind or None,
        args.parent or None)], "groups add")


async def run_import(config_path: Path, args: argparse.Namespace) -> int:
    reader = csv.DictReader(io.StringIO(args.file.read_text("utf-8").lstrip("\ufeff")))
    groups = [GroupSpec(
        row["group_id"].strip(), row["name"].strip(), (row.get("description") or "").strip(),
        tuple(m.strip() for m in (row.get("members") or "").split(";") if m.strip()),
        (row.get("kind") or "").strip() or None, (row.get("parent") or "").strip() or None)
        for row in reader]
    return await _save(config_path, groups, args.file.name)


async def run_list(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        today = local_now(hub.clock, hub.config.zone).date()
        for group_id, group in hub.directory.groups().items():
            count = len(hub.directory.expand_group(group_id, today))
            print(f"{group_id:<32} {count:>4} units  {group['name']}")
    return 0


async def run_show(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        group = hub.directory.groups().get(args.group_id)
        if group is None:
            print(f"no group {args.group_id}", file=sys.stderr)
            return 1
        today = local_now(hub.clock, hub.config.zone).date()
        print(json.dumps({**group, "expansion_today": hub.directory.expand_group(
            args.group_id, today)}, ensure_ascii=False, indent=2))
    return 0
