"""Two real hubs on 127.0.0.1: "province" (the demo directory of H45, relaying every unknown
code to national) and "national" (a small directory of ministries and the province's relay
account), each a `docexchange serve` subprocess on its own SQLite file and keys."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docexchange.commands.init import initialise
from docexchange.config import load_config
from tests.conftest import HubEnv, make_project
from tests.exchange.test_durability import HubProcess

G01 = "000.00.00.G01"
G02 = "000.00.00.G02"
ACCOUNT = "HUB.H45"
NATIONAL_CSV = (
    "organ_id,name,kind,parent,valid_from,valid_to,aliases,organization_in_charge,address,"
    "email,telephone,fax,website\n"
    f"{G01},Bộ Nội vụ,other,,2018-01-01,,,,,,,,\n"
    f"{G02},Bộ Tài chính,other,,2018-01-01,,,,,,,,\n"
    f"{ACCOUNT},Trục liên thông tỉnh Phú Yên,other,,2018-01-01,,,,,,,,\n")


@dataclass
class TwoHubs:
    province: HubProcess
    national: HubProcess
    province_env: HubEnv
    national_env: HubEnv


async def national_env(root: Path, csv: str = NATIONAL_CSV, *, downstream: bool = True
                       ) -> HubEnv:
    extra = ('\n[[downstream]]\n# the province\nname = "phu-yen"\n'
             f'account = "{ACCOUNT}"\nserves = ["*.*.*.H45"]\n') if downstream else ""
    config_path = make_project(root, extra)
    (root / "config" / "national.csv").write_text(csv, "utf-8")
    text = config_path.read_text("utf-8").replace('demo_csv = "demo-province.csv"',
                                                  'demo_csv = "national.csv"')
    assert 'demo_csv = "national.csv"' in text
    config_path.write_text(text, "utf-8")
    config = load_config(config_path)
    await initialise(config)
    creds = json.loads(config.keys.dev_credentials.read_text("utf-8"))
    return HubEnv(root, config_path, config, creds)


def relay_province_to(province: HubEnv, national: HubEnv, port: int) -> None:
    with province.config_path.open("a", encoding="utf-8") as f:
        f.write(f'\n[[upstream]]\nname = "national"\nprotocol = "native"\n'
                f'endpoint = "http://127.0.0.1:{port}/api/v1"\n'
                f'api_key = "{national.api_key(ACCOUNT)}"\nrecipients = ["*unknown*"]\n'
                'poll_interval = 1\nallow_http = true\n')
    province.config = load_config(province.config_path)


async def two_hubs(province_env: HubEnv, root: Path) -> TwoHubs:
    national = await national_env(root)
    national_proc = HubProcess(national)
    relay_province_to(province_env, national, national_proc.port)
    province_proc = HubProcess(province_env)
    await asyncio.gather(national_proc.start(), province_proc.start())
    return TwoHubs(province_proc, national_proc, province_env, national)


async def eventually(check: Any, rounds: int = 1200) -> Any:
    for _ in range(rounds):
        if result := await check():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("condition never became true")
