"""`docexchange init`: config, hub keys, dev CA, database, demo directory and credentials."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from docexchange.admin.configuration import record_configuration
from docexchange.admin.credentials import issue_api_key, issue_signing_certificate
from docexchange.admin.directory import GroupSpec, save_groups, save_units
from docexchange.admin.operators import add_operator, issue_token
from docexchange.commands.common import cli_actor
from docexchange.config import Config, load_config
from docexchange.directory.csvio import read_units_csv
from docexchange.durable import write_durably
from docexchange.hub import Hub, hub_database_exists
from docexchange.signing.keyring import ensure_dev_ca, init_hub_keys


def ensure_config_file(path: Path) -> None:
    """Create config/hub.toml from the example beside it on first run."""
    if path.exists():
        return
    example = path.parent / "hub.example.toml"
    if not example.exists():
        raise SystemExit(f"config file {path} not found and no {example.name} beside it")
    shutil.copyfile(example, path)
    print(f"created {path} from {example.name}")


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Credentials file, created with mode 0600 (it holds API keys), durably: a crash while
    it is rewritten must not leave the demo units without their keys."""
    write_durably(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def read_credentials(config: Config) -> dict[str, Any]:
    path = config.keys.dev_credentials
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


DEFAULT_GROUPS = (
    ("ALL-DEPARTMENTS", "Tất cả sở, ban, ngành", "department", None),
    ("ALL-DISTRICTS", "Tất cả UBND cấp huyện", "district", None),
    ("ALL-COMMUNES", "Tất cả UBND cấp xã", "commune", None),
)


def make_private_folders(config: Config) -> None:
    """keys/ and the data folders readable by the hub's user only (0700), even when they
    already existed (keys/ comes from the checkout with its README, world-readable)."""
    folders = [config.keys.dir, config.storage.blobs]
    if isinstance(config.storage.database, Path):
        folders.append(config.storage.database.parent)
    for folder in folders:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)


async def initialise(config: Config, *, if_needed: bool = False) -> bool:
    """Everything a first run needs; returns False when it was already done."""
    keys_dir = config.keys.dir
    creds_path = config.keys.dev_credentials
    make_private_folders(config)
    if if_needed and creds_path.exists() and hub_database_exists(config):
        return False
    init_hub_keys(keys_dir, config.keys.hub_algorithm)
    ensure_dev_ca(keys_dir)
    hub = await Hub.open(config)
    try:
        await record_configuration(hub)  # the baseline that `serve` compares with
        if not hub.directory.all_units():
            await load_demo_directory(hub)
        credentials = read_credentials(config)
        for unit in hub.directory.all_units():
            if unit.organ_id not in credentials:
                credentials[unit.organ_id] = await _issue_all(hub, unit.organ_id, unit.name)
                write_private_json(creds_path, credentials)
        if "admin" not in credentials.get("operators", {}):
            credentials.setdefault("operators", {})["admin"] = await _demo_admin(hub)
        write_private_json(creds_path, credentials)
    finally:
        await hub.close()
    return True


async def load_demo_directory(hub: Hub) -> int:
    """The demo province and its default groups, logged as any directory change is."""
    csv_path = hub.config.directory.demo_csv
    units = read_units_csv(csv_path.read_text(encoding="utf-8"))
    await save_units(hub, units, cli_actor(), csv_path.name)
    groups = [GroupSpec(group_id, name, kind=kind, parent=parent)
              for group_id, name, kind, parent in DEFAULT_GROUPS]
    groups += [GroupSpec(f"COMMUNES-OF-{u.organ_id}", f"Các xã thuộc {u.name}", kind="commune",
                         parent=u.organ_id) for u in units if u.kind == "district"]
    await save_groups(hub, groups, cli_actor(), "init")
    return len(units)


async def _demo_admin(hub: Hub) -> dict[str, str]:
    password = secrets.token_urlsafe(12)
    await add_operator(hub, "admin", "admin", password, cli_actor())
    return {"password": password, "api_token": await issue_token(
        hub, "admin", cli_actor(), valid_days=hub.config.keys.operator_token_days)}


async def _issue_all(hub: Hub, organ_id: str, name: str) -> dict[str, str]:
    api_key = await issue_api_key(hub, organ_id, cli_actor())
    key_path, cert_path = await issue_signing_certificate(hub, organ_id, name, cli_actor())
    return {"api_key": api_key, "signing_key": str(key_path), "certificate": str(cert_path)}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="tạo khóa, cơ sở dữ liệu và danh bạ mẫu / create keys, "
                       "database and the demo directory")
    p.add_argument("--if-needed", action="store_true",
                   help="không làm gì nếu đã khởi tạo / do nothing when already done")
    p.set_defaults(run=run, needs_config_file=True)


async def run(config_path: Path, args: argparse.Namespace) -> int:
    ensure_config_file(config_path)
    config = load_config(config_path)
    if await initialise(config, if_needed=args.if_needed):
        print(f"initialised: keys in {config.keys.dir}, database {config.storage.database}, "
              f"credentials in {config.keys.dev_credentials}")
    return 0
