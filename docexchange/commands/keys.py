"""`docexchange keys issue|issue-vdxp|revoke-vdxp|list|rotate-hub`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from docexchange.admin.credentials import (
    credential_listing,
    issue_api_key,
    issue_client_certificate,
    issue_signing_certificate,
    revoke_client_certificate,
)
from docexchange.admin.key_events import log_hub_key_retired, log_hub_key_rotated
from docexchange.commands.common import cli_actor, open_hub
from docexchange.commands.init import read_credentials, write_private_json
from docexchange.config import load_config
from docexchange.signing.keyring import KeyPaths, list_keys, rotate_hub_key
from docexchange.vdxp.credentials import issue_credential, revoke_credentials


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("keys", help="khóa của trục và thông tin xác thực của đơn vị / hub keys "
                       "and unit credentials")
    ks = p.add_subparsers(dest="keys_command", required=True, title="lệnh / commands")
    issue = ks.add_parser("issue", help="cấp khóa API và chứng thư ký số mới cho đơn vị / new "
                          "API key and signing certificate for a unit")
    issue.add_argument("code", help="mã định danh của đơn vị / the unit's OrganId")
    issue.add_argument("--client-cert", action="store_true",
                       help="thay vào đó cấp chứng thư máy khách TLS (mTLS) cho đơn vị / issue "
                            "a TLS client certificate (mTLS) for the unit instead")
    issue.set_defaults(run=run_issue)
    vdxp = ks.add_parser("issue-vdxp", help="cấp systemid và secret VDXP mới cho đơn vị (cái cũ "
                         "ngừng dùng được); in ra dạng JSON / new VDXP system id and secret for "
                         "a unit (its earlier ones stop working); prints them as JSON")
    vdxp.add_argument("code", help="mã định danh của đơn vị / the unit's OrganId")
    vdxp.set_defaults(run=run_issue_vdxp)
    revoke_vdxp = ks.add_parser("revoke-vdxp", help="thu hồi mọi thông tin xác thực VDXP của "
                                "đơn vị / revoke every VDXP credential of a unit")
    revoke_vdxp.add_argument("code", help="mã định danh của đơn vị / the unit's OrganId")
    revoke_vdxp.set_defaults(run=run_revoke_vdxp)
    revoke = ks.add_parser("revoke-client-cert", help="ngừng chứng thư máy khách TLS của đơn vị "
                           "/ stop a unit's TLS client certificate")
    revoke.add_argument("fingerprint", help="dấu vân tay SHA-256 do `keys list` in ra / SHA-256 "
                                            "fingerprint shown by `keys list`")
    revoke.set_defaults(run=run_revoke_client_cert)
    ls = ks.add_parser("list", help="khóa, chứng thư và khóa API kèm ngày hết hạn / keys, "
                       "certificates and API keys with expiry dates")
    ls.set_defaults(run=run_list)
    rot = ks.add_parser("rotate-hub", help="khóa ký tree head mới cho trục (khởi động lại trục "
                        "đang chạy sau đó) / new hub signing key for tree heads (restart a "
                        "running hub afterwards)")
    rot.add_argument("--algorithm", choices=("ec-p256", "rsa-2048"),
                     help="loại khóa (mặc định: [keys] hub_algorithm) / key type (default: "
                          "[keys] hub_algorithm)")
    rot.set_defaults(run=run_rotate_hub)


async def run_issue(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        unit = hub.directory.get(args.code)
        if unit is None:
            print(f"no unit {args.code}", file=sys.stderr)
            return 1
        if args.client_cert:
            key_path, cert_path, fingerprint = await issue_client_certificate(
                hub, unit.organ_id, unit.name, cli_actor())
            print(f"unit {unit.organ_id}: TLS client certificate {cert_path}\n  key {key_path}"
                  f"\n  fingerprint {fingerprint}")
            return 0
        api_key = await issue_api_key(hub, unit.organ_id, cli_actor())
        key_path, cert_path = await issue_signing_certificate(
            hub, unit.organ_id, unit.name, cli_actor())
        creds = read_credentials(hub.config)
        creds[unit.organ_id] = {"api_key": api_key, "signing_key": str(key_path),
                                "certificate": str(cert_path)}
        write_private_json(hub.config.keys.dev_credentials, creds)
    print(f"unit {unit.organ_id}: api key {api_key}\n  signing key {key_path}\n"
          f"  certificate {cert_path}")
    return 0


async def run_issue_vdxp(config_path: Path, args: argparse.Namespace) -> int:
    """Prints `{"organ_id", "system_id", "secret"}`: the secret is shown this once."""
    async with open_hub(config_path) as hub:
        unit = hub.directory.lookup(args.code)
        if unit is None:
            print(f"no unit {args.code}", file=sys.stderr)
            return 1
        credential = await issue_credential(hub, unit.organ_id, cli_actor())
    print(json.dumps(credential.to_json(), ensure_ascii=False))
    return 0


async def run_revoke_vdxp(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        unit = hub.directory.lookup(args.code)
        if unit is None:
            print(f"no unit {args.code}", file=sys.stderr)
            return 1
        revoked = await revoke_credentials(hub, unit.organ_id, cli_actor())
    print(f"unit {unit.organ_id}: {revoked} VDXP credential(s) revoked")
    return 0


async def run_revoke_client_cert(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        revoked = await revoke_client_certificate(hub, args.fingerprint.lower(), cli_actor())
    if not revoked:
        print(f"no active client certificate {args.fingerprint}", file=sys.stderr)
        return 1
    print(f"client certificate {args.fingerprint} revoked")
    return 0


def _day(ms: int | None) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date().isoformat() if ms else "-"


async def run_list(config_path: Path, args: argparse.Namespace) -> int:
    async with open_hub(config_path) as hub:
        print("kind            id                                                    valid until")
        for row in list_keys(hub.config.keys.dir):
            print(f"{row.kind:<15} {row.id:<53} {row.not_valid_after.date().isoformat()}")
        api_keys, vdxp_credentials, client_certs = await credential_listing(hub)
        for row in api_keys:
            state = "revoked" if row["revoked_ts"] else "active"
            print(f"{'api-key':<15} {row['organ_id'] + ' ' + row['key_id']:<53} "
                  f"{_day(row['expires_ts'])} {state}")
        for row in vdxp_credentials:
            state = "revoked" if row["revoked_ts"] else "active"
            print(f"{'vdxp':<15} {row['organ_id'] + ' ' + row['system_id']:<53} - {state}")
        for row in client_certs:
            state = "revoked" if row["revoked_ts"] else "active"
            print(f"{'client-cert':<15} {row['organ_id']:<53} {_day(row['not_after_ts'])} "
                  f"{state}\n{'':<16}{row['fingerprint']}")
    return 0


async def run_rotate_hub(config_path: Path, args: argparse.Namespace) -> int:
    """Rotate the hub key and log it twice: ``hub_key_rotated`` under a head the OLD key signs
    (it vouches for its successor's certificate), then ``hub_key_retired`` under the first
    head of the new key. A hub already running keeps its loaded key until restarted."""
    keys_dir = load_config(config_path).keys.dir
    async with open_hub(config_path) as hub:
        old = hub.keyring.current
        new = rotate_hub_key(keys_dir, args.algorithm or hub.config.keys.hub_algorithm)
        pem = new.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
        await log_hub_key_rotated(hub, old.key_id, new.key_id, new.algorithm, pem)
    async with open_hub(config_path) as hub:
        await log_hub_key_retired(hub, old.key_id, new.key_id, str(
            KeyPaths(keys_dir).retired_key_for(old.key_id).relative_to(keys_dir)))
    print(f"hub key rotated: {old.key_id} -> {new.key_id} ({new.algorithm})\n"
          f"  old certificate kept: hub-certs/{old.key_id}.crt; old private key: "
          f"retired/{old.key_id}.key\n  restart a running hub to sign with the new key")
    return 0
