"""Issue 9 item 9 (secrecy part): the guard on a multi-megabyte text runs off the event loop.

A 40 MB Appendix used to be folded and searched on the event loop after the inspection:
/healthz stalled for seconds. The guard now runs inside inspect_packet, in the worker process
for large packets. (The schema now also bounds an Appendix line to 2000 characters, so such a
packet is refused either way; what is proved here is that the hub keeps answering meanwhile.)
The real hub process serves the packet while /healthz is asked again and again, each time
with a 1 s client timeout (a timeout: the test never measures how long anything took).
"""

from __future__ import annotations

import asyncio
import io

import aiohttp
import pytest
from lxml import etree

from tests.conftest import PROVINCE, HubEnv
from tests.exchange.helpers import XML
from tests.exchange.secrecy_packets import NS, full_document
from tests.exchange.test_durability import HubProcess

MEGABYTES = 40


def _large_packet(number: int, mark: str) -> bytes:
    line = "Số liệu thống kê dân số, mật độ dân cư và diện tích năm 2018 của các xã.\n"
    root = full_document(number)
    appendix = root.find(f".//{{{NS}}}Appendix")
    assert appendix is not None
    appendix.text = line * (MEGABYTES * 1024 * 1024 // len(line.encode())) + mark
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


async def _send_while_probing(session: aiohttp.ClientSession, url: str, env: HubEnv,
                              data: bytes) -> tuple[int, str, int]:
    """POST the packet; until it is answered, /healthz must answer each probe within 1 s."""
    send = asyncio.create_task(session.post(
        f"{url}/api/v1/documents", data=io.BytesIO(data),
        headers={**env.auth(PROVINCE), **XML}, timeout=aiohttp.ClientTimeout(total=600)))
    probes = 0
    while not send.done():
        async with session.get(f"{url}/healthz",
                               timeout=aiohttp.ClientTimeout(total=1)) as resp:
            assert resp.status == 200
        probes += 1
        await asyncio.sleep(0.05)
    resp = await send
    body = await resp.json()
    resp.release()
    return resp.status, str(body.get("code", "")), probes


@pytest.mark.parametrize(("mark", "status", "code"), [
    ("\n[TỐI MẬT]", 422, "DX_CLASSIFIED"),  # refused, after folding all 40 MB
    ("", 422, "DX_INVALID_PACKET"),  # no mark in 40 MB, but over the Appendix bound
])
async def test_healthz_answers_while_a_40_mb_text_is_checked(
        hub_env: HubEnv, mark: str, status: int, code: str) -> None:
    data = _large_packet(700 + status, mark)
    hub = HubProcess(hub_env)
    await hub.start()
    try:
        async with aiohttp.ClientSession() as session:
            answered, answered_code, probes = await _send_while_probing(
                session, hub.url, hub_env, data)
    finally:
        hub.stop()
    assert (answered, answered_code) == (status, code)
    assert probes >= 2  # the probes really ran while the packet was being checked
