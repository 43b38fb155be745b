"""`docexchange send|inbox|status`: a unit's side of the exchange, spoken over the HTTP API.

These commands do what a unit's DMS does, for demos and scripts. They talk to a running hub
through `HubClient` and never open its database: they need only the hub's URL and the unit's
API key, taken by `--as CODE` from the dev credentials file named in the config
(`keys.dev_credentials`), or given with `--api-key`. Packets are signed with the unit's dev key
from that file when it names one.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from docexchange.client import HubClient, HubError
from docexchange.commands.progress import ProgressBar
from docexchange.config import Config, load_config
from docexchange.durable import write_durably
from docexchange.edxml import (
    STATUS_CODES,
    DocumentPacket,
    Organization,
    build_document,
    build_status,
    new_document,
    new_status,
    parse_packet,
    values,
)
from docexchange.signing import PacketSigner
from docexchange.signing.certificates import load_certificate, load_private_key

DEFAULT_NOTATION = "VP"
Command = Callable[[Path, argparse.Namespace], Awaitable[int]]


class CommandError(Exception):
    """A problem the user can fix (missing credentials, unreadable file): the sentence in
    Vietnamese, then in English."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi}\n{message_en}")


@dataclass(frozen=True)
class Identity:
    """The unit a command acts as and the hub it talks to."""

    organ_id: str
    url: str
    api_key: str
    signing_key: Path | None = None
    certificate: Path | None = None


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Every help text is Vietnamese, then English: clerks read the first, integrators the
    second (a test checks each command and option has both)."""
    send = sub.add_parser(
        "send", help="dựng, ký và gửi một văn bản với tư cách đơn vị / build, sign and send a "
        "document as a unit", description="Gửi văn bản / send a document")
    _identity_args(send)
    send.add_argument("--to", required=True, type=_codes, metavar="CODE[,CODE...]",
                      help="mã đơn vị nhận hoặc mã nhóm, cách nhau bằng dấu phẩy (nhóm được "
                           "trục mở rộng như qua API) / recipient OrganIds or group ids, "
                           "comma-separated (groups are expanded by the hub, as in the API)")
    send.add_argument("--subject", required=True,
                      help="trích yếu nội dung / the subject (trích yếu)")
    send.add_argument("--urgent", type=int, default=0, choices=range(5), metavar="N",
                      help="độ khẩn 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn "
                           "giờ / urgency 0 normal, 1 urgent, 2 very urgent, 3 immediate, "
                           "4 immediate, timed")
    send.add_argument("--number", help="số văn bản (mặc định: giờ hiện tại HHMMSS) / the "
                                       "number (default: the current time, HHMMSS)")
    send.add_argument("--notation", default=DEFAULT_NOTATION,
                      help=f"ký hiệu (mặc định {DEFAULT_NOTATION}) / notation (default: "
                           f"{DEFAULT_NOTATION})")
    send.add_argument("--no-sign", action="store_true",
                      help="gửi không ký số XML / send without an XML signature")
    send.add_argument("--receipt", type=Path, metavar="FILE",
                      help="lưu biên nhận của trục vào tệp này (để kiểm tra bằng `receipt "
                           "verify`) / save the hub's receipt to this file (for `receipt "
                           "verify`)")
    send.add_argument("files", nargs="+", type=Path, metavar="FILE",
                      help="các tệp đính kèm / files to attach")
    send.set_defaults(run=_reporting(run_send))

    inbox = sub.add_parser(
        "inbox", help="liệt kê (tải về, xác nhận) văn bản đến của đơn vị / list (and fetch, "
        "acknowledge) a unit's deliveries", description="Hộp thư đến / inbox")
    _identity_args(inbox)
    inbox.add_argument("--wait", type=int, default=0, metavar="S",
                       help="chờ tối đa S giây cho tới khi có văn bản / wait up to S seconds "
                            "for something to arrive")
    inbox.add_argument("--limit", type=int, default=100,
                       help="số mục tối đa / most items listed")
    inbox.add_argument("--fetch", type=Path, metavar="DIR",
                       help="lưu mỗi gói tin thành DIR/<message_id>.edxml / save each packet "
                            "as DIR/<message_id>.edxml")
    inbox.add_argument("--ack", action="store_true",
                       help="xác nhận đã nhận sau khi lưu (cần --fetch) / acknowledge each "
                            "delivery once saved (needs --fetch)")
    inbox.set_defaults(run=_reporting(run_inbox))

    status = sub.add_parser(
        "status", help="báo trạng thái xử lý một văn bản đã nhận / answer a received "
        "document with a status", description="Báo trạng thái / report a status")
    _identity_args(status)
    status.add_argument("message_id", help="mã thông điệp của văn bản đã nhận (cột đầu của "
                                           "`inbox`) / the received document's message id "
                                           "(first column of `inbox`)")
    status.add_argument("status_code", choices=sorted(STATUS_CODES), metavar="STATUS_CODE",
                        help="; ".join(f"{c} {m}" for c, m in STATUS_CODES.items())
                        + " / " + "; ".join(f"{c} {m}" for c, m in STATUS_NAMES_EN.items()))
    status.add_argument("--note", help="mô tả (mặc định: nghĩa của mã) / description "
                                       "(default: the code's meaning)")
    status.add_argument("--no-sign", action="store_true",
                        help="gửi không ký số XML / send without an XML signature")
    status.set_defaults(run=_reporting(run_status))


STATUS_NAMES_EN = {"01": "arrived", "02": "refused", "03": "registered", "04": "assigned",
                   "05": "in progress", "06": "completed", "13": "recall requested",
                   "15": "recall or update agreed", "16": "recall or update refused"}


def _identity_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="unit", required=True, metavar="CODE",
                        help="hành động với tư cách đơn vị này (khóa lấy từ tệp dev "
                             "credentials) / act as this unit (its credentials come from the "
                             "dev credentials)")
    parser.add_argument("--url", help="địa chỉ trục (mặc định http://server.host:server.port) "
                                      "/ the hub (default: http://server.host:server.port)")
    parser.add_argument("--api-key", help="khóa API của đơn vị (mặc định: dev credentials) / "
                                          "the unit's API key (default: dev credentials)")


def _codes(text: str) -> list[str]:
    codes = [code.strip() for code in text.split(",") if code.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("name at least one recipient")
    return codes


def _reporting(command: Command) -> Command:
    """Turn hub, network and user errors into one stderr message and exit status 1."""
    @functools.wraps(command)
    async def run(config_path: Path, args: argparse.Namespace) -> int:
        try:
            return await command(config_path, args)
        except HubError as exc:
            _print_hub_error(exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            print(f"không kết nối được tới trục / cannot reach the hub: "
                  f"{exc or type(exc).__name__}", file=sys.stderr)
        except CommandError as exc:
            print(exc, file=sys.stderr)
        return 1
    return run


def _print_hub_error(exc: HubError) -> None:
    request = f" (request {exc.request_id})" if exc.request_id else ""
    print(f"lỗi {exc.code}: {exc.detail_vi}", file=sys.stderr)
    print(f"error {exc.code}: {exc.detail_en}{request}", file=sys.stderr)
    for item in exc.problem.get("errors") or []:
        print(f"  {json.dumps(item, ensure_ascii=False)}", file=sys.stderr)


# -- who and where ---------------------------------------------------------------------------

def resolve_identity(config_path: Path, args: argparse.Namespace) -> Identity:
    """The unit's credentials and the hub URL, from the options first, then the config.

    The config may be absent when both --url and --api-key are given.
    """
    config = None
    if config_path.exists() or not (args.url and args.api_key):
        config = load_config(config_path)
    entry = _credentials(config, args.unit, required=not args.api_key) if config else {}
    folder = config.keys.dev_credentials.parent if config else Path()
    return Identity(organ_id=args.unit, url=args.url or _default_url(config),
                    api_key=args.api_key or str(entry["api_key"]),
                    signing_key=_file(folder, entry.get("signing_key")),
                    certificate=_file(folder, entry.get("certificate")))


def _credentials(config: Config, organ_id: str, *, required: bool) -> dict[str, Any]:
    """The unit's entry in the dev credentials file ({} if absent and not required)."""
    path = config.keys.dev_credentials
    try:
        every = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        every = {}
    entry = every.get(organ_id)
    if isinstance(entry, dict) and entry.get("api_key"):
        return entry
    if required:
        raise CommandError(f"không có khóa của {organ_id} trong {path}; hãy dùng --api-key",
                           f"no credentials for {organ_id} in {path}; pass --api-key")
    return {}


def _file(folder: Path, value: object) -> Path | None:
    """A key file named in the credentials; relative names are relative to that file."""
    if not value:
        return None
    path = Path(str(value))
    return path if path.is_absolute() else folder / path


def _default_url(config: Config | None) -> str:
    if config is None:
        raise CommandError("thiếu --url và không có tệp cấu hình để lấy server.host, port",
                           "no --url and no config file to take server.host and port from")
    if config.server.public_url:
        return config.server.public_url
    host = config.server.host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://{host}:{config.server.port}"


async def _organization(hub: HubClient, code: str, *, group_ok: bool = False
                        ) -> Organization:
    """A unit as edXML From/To, filled from the hub's directory. A recipient code that is no
    unit goes into To as it is: a group id is expanded by the hub at send time, exactly as
    for a DMS using the API, and an unknown code is refused by it (DX_UNKNOWN_RECIPIENT)."""
    try:
        unit = await hub.unit(code)
    except HubError as exc:
        if exc.code == "DX_NOT_FOUND" and group_ok:
            return Organization(organ_id=code, organ_name=code)
        if exc.code == "DX_NOT_FOUND":
            raise CommandError(f"trục không có đơn vị {code}",
                               f"no unit {code} in the hub's directory") from exc
        raise
    return Organization(
        organ_id=str(unit["organ_id"]), organization_in_charge=unit["organization_in_charge"],
        organ_name=unit["name"], organ_add=unit["address"], email=unit["email"],
        telephone=unit["telephone"], fax=unit["fax"], website=unit["website"])


def _sign(me: Identity, data: bytes, no_sign: bool) -> bytes:
    """The packet signed with the unit's dev key, or unchanged when it has none."""
    if no_sign:
        return data
    if not (me.signing_key and me.certificate and me.signing_key.exists()
            and me.certificate.exists()):
        print(f"note: no signing key for {me.organ_id}; sending unsigned", file=sys.stderr)
        return data
    signer = PacketSigner(load_private_key(me.signing_key), load_certificate(me.certificate))
    return signer.sign(data)


def _print_json(body: dict[str, Any]) -> None:
    print(json.dumps(body, ensure_ascii=False, indent=2))


# -- send ------------------------------------------------------------------------------------

async def run_send(config_path: Path, args: argparse.Namespace) -> int:
    me = resolve_identity(config_path, args)
    files = [(path.name, _read(path)) for path in args.files]
    now = dt.datetime.now(dt.UTC)
    async with HubClient(me.url, me.api_key) as hub:
        sender, *recipients = await asyncio.gather(
            _organization(hub, me.organ_id),
            *(_organization(hub, code, group_ok=True) for code in args.to))
        packet = new_document(
            sender, recipients, code_number=args.number or _time_number(now),
            code_notation=args.notation, subject=args.subject, now=now,
            priority=args.urgent, files=files)
        data = _sign(me, build_document(packet), args.no_sign)
        bar = ProgressBar("gửi / send")
        receipt = await hub.send_document(data, progress=bar if bar.enabled else None)
        bar.close()
    if args.receipt:
        save_receipt(args.receipt, receipt)
    _print_json(receipt)
    return 0


def save_receipt(path: Path, receipt: dict[str, Any]) -> None:
    """The receipt exactly as the hub answered (what `receipt verify` checks), written
    durably: it is the sender's proof."""
    write_durably(path, json.dumps(receipt, ensure_ascii=False, indent=2).encode("utf-8"),
                  mode=0o666)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"không đọc được {path}: {exc.strerror}",
                           f"cannot read {path}: {exc.strerror}") from exc


def _time_number(now: dt.datetime) -> str:
    """A số unique per second and day (the DocumentId also carries the date): local HHMMSS."""
    return values.to_local(now).strftime("%H%M%S")


# -- inbox -----------------------------------------------------------------------------------

async def run_inbox(config_path: Path, args: argparse.Namespace) -> int:
    if args.ack and not args.fetch:
        raise CommandError("--ack cần --fetch DIR: chỉ xác nhận văn bản đã lưu",
                           "--ack needs --fetch DIR: acknowledge only what is saved")
    me = resolve_identity(config_path, args)
    async with HubClient(me.url, me.api_key) as hub:
        items = await hub.inbox(wait=args.wait, limit=args.limit)
        for item in items:
            print(inbox_line(item), flush=True)
            if args.fetch:
                bar = ProgressBar("tải / fetch")
                data = await hub.fetch(item["message_id"], progress=bar if bar.enabled
                                       else None)
                bar.close()
                saved = save_packet(args.fetch, item["message_id"], data)
                print(f"    saved {saved}")
                if args.ack:
                    result = await hub.ack(item["delivery_id"])
                    print(f"    acknowledged ({result['state']})")
    if not items:
        print("không có văn bản chờ nhận / no pending deliveries", file=sys.stderr)
    return 0


def inbox_line(item: dict[str, Any]) -> str:
    """One line: message id (the id `status` and `--fetch` file names take), kind, sender,
    document id, subject (or the status code with its name), urgency."""
    if item["kind"] == "status":
        code = item.get("status_code") or "?"
        name = STATUS_CODES.get(code, "")
        note = item.get("subject") or ""
        text = f"{code} {name}" + (f" ({note})" if note and note != name else "")
    else:
        text = item.get("subject") or ""
    priority = item.get("priority")
    urgency = f"  [{PRIORITY_NAMES.get(priority, priority)}]" if priority else ""
    return (f"{item['message_id']}  {item['kind']:<8} {item['sender']:<15} "
            f"{item.get('document_id') or '-'}  {text.rstrip()}{urgency}")


PRIORITY_NAMES = {1: "khẩn", 2: "thượng khẩn", 3: "hỏa tốc", 4: "hỏa tốc hẹn giờ"}


def save_packet(folder: Path, message_id: str, data: bytes) -> Path:
    """Write DIR/<message_id>.edxml durably (fsync, then rename), since an ack follows."""
    if not message_id or Path(message_id).name != message_id or message_id.startswith("."):
        raise CommandError(f"không lưu gói tin dưới tên {message_id!r}",
                           f"refusing to save a packet under the name {message_id!r}")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{message_id}.edxml"
    write_durably(target, data, mode=0o666)
    return target


# -- status ----------------------------------------------------------------------------------

async def run_status(config_path: Path, args: argparse.Namespace) -> int:
    me = resolve_identity(config_path, args)
    async with HubClient(me.url, me.api_key) as hub:
        original = parse_packet(await hub.fetch(args.message_id))
        if not isinstance(original, DocumentPacket):
            raise CommandError(f"{args.message_id} là gói trạng thái, không phải văn bản",
                               f"{args.message_id} is a status, not a document")
        packet = new_status(
            await _organization(hub, me.organ_id), original, args.status_code,
            args.note or STATUS_CODES[args.status_code], dt.datetime.now(dt.UTC))
        result = await hub.send_status(_sign(me, build_status(packet), args.no_sign))
    _print_json(result)
    return 0
