"""Several hub processes on one port and one database (`serve --workers 2`): every send is
accepted once, and the evidence log they share stays one consistent, verifiable log."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import aiohttp

from docexchange.cli import main
from docexchange.evidence.verify import certificates_by_key_id, check_receipt
from docexchange.signing.certificates import load_certificate
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document
from tests.exchange.test_durability import HubProcess

SENDERS = [PROVINCE, SO_NOI_VU, SONG_HINH, "000.00.02.H45"]


async def test_two_processes_share_one_consistent_log(hub_env: HubEnv, tmp_path: Path) -> None:
    hub = HubProcess(hub_env, "--workers", "2")
    await hub.start()
    try:
        async with aiohttp.ClientSession() as session:
            async def send(i: int) -> dict[str, object]:
                sender = SENDERS[i % len(SENDERS)]
                to = [u for u in SENDERS if u != sender][:2]
                async with session.post(f"{hub.url}/api/v1/documents",
                                        data=document(sender, to),
                                        headers={**hub_env.auth(sender), **XML}) as resp:
                    assert resp.status == 202, await resp.text()
                    return dict(await resp.json())
            receipts = await asyncio.gather(*(send(i) for i in range(120)))
    finally:
        hub.stop()
    certs = certificates_by_key_id([load_certificate(hub_env.config.keys.dir / "hub.crt")])
    for receipt in receipts:
        check_receipt(receipt, certs)
    assert len({r["leaf_index"] for r in receipts}) == 120
    export = tmp_path / "all.jsonl"
    config = ["--config", str(hub_env.config_path)]
    assert await asyncio.to_thread(main, [*config, "audit", "export", "--out", str(export)]) == 0
    assert await asyncio.to_thread(main, [
        *config, "audit", "verify", str(export),
        "--hub-cert", str(hub_env.config.keys.dir / "hub.crt")]) == 0
    leaves = [json.loads(line) for line in export.read_text("utf-8").splitlines()]
    events = [json.loads(base64.b64decode(str(r["data"]))) for r in leaves
              if r.get("record") == "leaf"]  # `init` logged the demo set-up before them
    assert sum(e["event"] == "document_accepted" for e in events) == 120
