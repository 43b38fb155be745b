"""`docexchange units list|show|add|import|export`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from docexchange.admin.directory import save_units
from docexchange.commands.common import cli_actor, open_hub
from docexchange.directory import reorganise, sync
from docexchange.directory.csvio import read_units_csv, write_units_csv
from docexchange.errors import DocExchangeError
from docexchange.monitor.unit_contacts import Contact, all_contacts, read_contacts_csv
from docexchange.unit import KINDS, Unit


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("units", help="danh bạ đơn vị / the unit directory")
    us = p.add_subparsers(dest="units_command", required=True, title="lệnh / commands")
    ls = us.add_parser("list", help="liệt kê đơn vị / list units")
    ls.add_argument("--kind", choices=KINDS, help=f"chỉ đơn vị thuộc loại này / only units of "
                                                  f"this kind ({', '.join(KINDS)})")
    ls.add_argument("--parent", help="chỉ đơn vị trực thuộc mã này / only children of this "
                                     "OrganId")
    ls.set_defaults(run=run_list)
    show = us.add_parser("show", help="một đơn vị dạng JSON / one unit as JSON")
    show.add_argument("code", help="mã định danh hoặc mã cũ / OrganId or a former code")
    show.set_defaults(run=run_show)
    add = us.add_parser("add", help="thêm hoặc sửa một đơn vị / add or update one unit")
    add.add_argument("code", help="mã định danh (OrganId) / the OrganId")
    add.add_argument("--name", required=True, help="tên đơn vị / the unit's name")
    add.add_argument("--kind", choices=KINDS, required=True,
                     help=f"loại đơn vị / kind of unit ({', '.join(KINDS)})")
    add.add_argument("--parent", help="mã đơn vị cấp trên / the parent's OrganId")
    add.add_argument("--valid-from", type=dt.date.fromisoformat, default=dt.date.today(),
                     help="ngày bắt đầu hiệu lực (mặc định: hôm nay) / first valid day "
                          "(default: today)")
    add.add_argument("--valid-to", type=dt.date.fromisoformat,
                     help="ngày hiệu lực cuối cùng / last valid day")
    add.add_argument("--successor", help="mã đơn vị kế thừa sau valid-to / OrganId that takes "
                                         "over after valid-to")
    add.add_argument("--alias", action="append", default=[],
                     help="mã cũ (lặp lại được) / former code (repeatable)")
    add.set_defaults(run=run_add)
    imp = us.add_parser("import", help="thêm hoặc sửa đơn vị từ tệp CSV (các cột tùy chọn "
                        "contact_person, contact_phone, contact_email đặt người liên hệ) / add "
                        "or update units from a CSV file (optional columns contact_person, "
                        "contact_phone, contact_email set the contacts)")
    imp.add_argument("file", type=Path, help="tệp CSV danh bạ / the directory CSV file")
    imp.set_defaults(run=run_import)
    exp = us.add_parser("export", help="ghi danh bạ ra CSV, cả người liên hệ / write the "
                        "directory as CSV, contacts included")
    exp.add_argument("--out", type=Path, help="tệp ghi ra (mặc định: đầu ra chuẩn) / file "
                                              "(default: standard output)")
    exp.set_defaults(run=run_export)
    reorg = us.add_parser("reorganise", help="sáp nhập, chia tách, đổi tên, giải thể đơn vị theo "
                          "kế hoạch CSV có ngày hiệu lực / merge, split, rename, dissolve units "
                          "from a plan CSV with effective dates (docs/reorganisation.md)")
    reorg.add_argument("plan", type=Path, help="tệp CSV kế hoạch / the plan CSV file")
    mode = reorg.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="in mọi thay đổi và ảnh hưởng tới "
                      "việc chuyển văn bản; không thay đổi gì / print every change and its "
                      "effect on routing; change nothing")
    mode.add_argument("--apply", action="store_true", help="ghi nhận kế hoạch (một sự kiện bằng "
                      "chứng đã ký); có hiệu lực vào các ngày của nó / record the plan (one "
                      "signed evidence event); it takes effect on its dates")
    reorg.set_defaults(run=run_reorganise)
    sync = us.add_parser("sync", help="so sánh một danh mục mã (JSON danh sách cơ quan của trục "
                         "quốc gia hoặc CSV đơn vị) với danh bạ: mới, thay đổi, mất / compare a "
                         "code list (axis agency list JSON or units CSV) with the directory: "
                         "new, changed, gone")
    sync.add_argument("file", type=Path, help="tệp danh mục mã / the code list file")
    sync.add_argument("--format", choices=("auto", "agencies", "csv"), default="auto",
                      help="định dạng tệp (mặc định: tự nhận biết) / the file's format "
                           "(default: auto)")
    sync.add_argument("--apply", action="store_true",
                      help="ghi các khác biệt đã xem xét / write the reviewed diff")
    sync.add_argument("--retire-gone", action="store_true",
                      help="cùng --apply: đơn vị không còn trong danh mục kết thúc từ hôm qua / "
                           "with --apply: units missing from the list end yesterday")
    sync.set_defaults(run=run_sync)


async def run_list(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        for u in hub.directory.all_units():
            if (args.kind in (None, u.kind)) and (args.parent in (None, u.parent_id)):
                print(f"{u.organ_id:<20} {u.kind:<10} {u.name}")
    return 0


async def run_show(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        unit = hub.directory.lookup(args.code)
        if unit is None:
            print(f"no unit {args.code}", file=sys.stderr)
            return 1
        body = unit.to_json()
        body["children"] = [c.organ_id for c in hub.directory.children(unit.organ_id)]
        print(json.dumps(body, ensure_ascii=False, indent=2))
    return 0


async def _save(config_path: Path, units: list[Unit], source: str,
                contacts: Sequence[Contact] = ()) -> int:
    async with open_hub(config_path) as hub:
        new = await save_units(hub, units, cli_actor(), source, contacts)
    print(f"{new} added, {len(units) - new} updated")
    return 0


async def run_add(config_path: Path, args: argparse.Namespace) -> int:
    unit = Unit(organ_id=args.code, name=args.name, kind=args.kind, parent_id=args.parent,
                valid_from=args.valid_from, valid_to=args.valid_to,
                successor_id=args.successor, aliases=tuple(args.alias))
    return await _save(config_path, [unit], "units add")


async def run_import(config_path: Path, args: argparse.Namespace) -> int:
    text = args.file.read_text(encoding="utf-8")
    return await _save(config_path, read_units_csv(text), args.file.name,
                       read_contacts_csv(text))


async def run_export(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        text = write_units_csv(hub.directory.all_units(), await all_contacts(hub))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


async def run_reorganise(config_path: Path, args: argparse.Namespace) -> int:
    text = args.plan.read_text(encoding="utf-8")
    async with open_hub(config_path) as hub:
        try:
            if args.dry_run:
                fx = await reorganise.prepare(hub, text)
            else:
                fx, plan_id, index = await reorganise.apply_plan(hub, text, args.plan.name)
        except DocExchangeError as exc:
            return _problems(exc)
        policy = hub.config.exchange.split_recipient
    print("\n".join(fx.lines))
    print("routing after the dates:")
    print("\n".join("  " + line for line in reorganise.routing_lines(fx, policy)))
    print("summary: " + ", ".join(f"{k} {v}" for k, v in fx.summary().items()))
    if args.dry_run:
        print("dry run: nothing was changed")
    else:
        print(f"applied as plan {plan_id} (evidence log leaf {index})")
    return 0


def _problems(exc: DocExchangeError) -> int:
    """Every problem of a refused plan, one per line (the message shows only the first)."""
    print(f"error {exc.code}: {exc.message_en.split(':')[0]}", file=sys.stderr)
    for e in exc.errors:
        print(f"  line {e.get('line')}: {e.get('problem')}", file=sys.stderr)
    return 2


async def run_sync(config_path: Path, args: argparse.Namespace) -> int:
    text = args.file.read_text(encoding="utf-8")
    async with open_hub(config_path) as hub:
        known = {u.organ_id: u for u in hub.directory.all_units()}
        units, deleted = sync.read_list(text, args.format, known)
        agencies = args.format == "agencies" or text.lstrip().startswith(("{", "["))
        fields = ("name", "parent_id", "email") if agencies else (
            "name", "kind", "parent_id", "organization_in_charge", "address", "email",
            "telephone", "fax", "website")
        today = hub.directory.today(hub.config.zone)
        diff = sync.diff(units, deleted, known, today, fields)
        print("\n".join(diff.lines()))
        if args.apply:
            await reorganise.apply_sync(hub, diff, args.file.name, args.retire_gone)
            print("applied")
        else:
            print("review only: run again with --apply to write it")
    return 0
