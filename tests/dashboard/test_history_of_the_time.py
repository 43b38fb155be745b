"""Issue 14, history in the operators' views: a document's page and the documents.xlsx
report show each recipient as it was when the document was sent (name, code, parent of that
day), and the unit a reorganisation moved a delivery from, while the heading shows today's."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from docexchange.appkeys import HUB_KEY
from docexchange.directory import reorganise
from docexchange.monitor import reports
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.dashboard.forms import login
from tests.directory.reorg_helpers import SO_GTVT, SO_XAY_DUNG, plan
from tests.exchange.helpers import XML, document


async def _send(client: TestClient, env: HubEnv, to: str) -> dict[str, Any]:
    resp = await client.post("/api/v1/documents", data=document(PROVINCE, [to]),
                             headers={**env.auth(PROVINCE), **XML})
    assert resp.status == 202, await resp.text()
    return dict(await resp.json())


async def _reorganised_tomorrow(client: TestClient, env: HubEnv
                                ) -> tuple[dict[str, Any], dict[str, Any], str, dt.date]:
    """One document to Sở Nội vụ (renamed tomorrow), one to Sở GTVT (merged tomorrow into
    Sở Xây dựng, its unread delivery following); the hub's day is then tomorrow."""
    hub = client.app[HUB_KEY]
    today = hub.directory.today(hub.config.zone)
    tomorrow = today + dt.timedelta(days=1)
    gtvt_name = hub.directory.get(SO_GTVT).name
    renamed = await _send(client, env, SO_NOI_VU)
    moved = await _send(client, env, SO_GTVT)
    await reorganise.apply_plan(hub, plan(
        f"{tomorrow},rename,{SO_NOI_VU},{SO_NOI_VU},Sở Nội vụ và Dân tộc,,,",
        f"{tomorrow},merge,{SO_GTVT},{SO_XAY_DUNG},,,,"), "plan.csv")
    hub.directory.clock = lambda: tomorrow
    assert await reorganise.follow_open_deliveries(hub) == 1
    return renamed, moved, gtvt_name, today


def _card(text: str, recipient: str) -> str:
    found = re.search(rf'<section class="card delivery" data-testid="delivery" '
                      rf'data-recipient="{re.escape(recipient)}">(.*?)</section>', text, re.S)
    assert found, recipient
    return found[1]


async def test_document_page_shows_the_recipient_as_it_was_when_sent(
        client: TestClient, hub_env: HubEnv) -> None:
    renamed, moved, gtvt_name, _ = await _reorganised_tomorrow(client, hub_env)
    await login(client, hub_env)
    card = _card(await (await client.get(f"/dashboard/documents/{renamed['message_id']}"))
                 .text(), SO_NOI_VU)
    heading, at_send = card.split('data-testid="at-send"')
    assert "Sở Nội vụ và Dân tộc" in heading
    assert re.search(r'>Nơi nhận khi gửi: Sở Nội vụ <span class="code">000\.00\.12\.H45'
                     r'</span>, trực thuộc UBND tỉnh Phú Yên \(000\.00\.00\.H45\)</p>', at_send)
    assert 'data-testid="routed-from"' not in card

    card = _card(await (await client.get(f"/dashboard/documents/{moved['message_id']}"))
                 .text(), SO_XAY_DUNG)
    assert f'{gtvt_name} <span class="code">{SO_GTVT}</span>' in card
    assert re.search(rf'data-testid="routed-from">Chuyển từ {re.escape(SO_GTVT)} sang '
                     rf'{re.escape(SO_XAY_DUNG)} theo sắp xếp', card)
    english = await (await client.get(f"/dashboard/documents/{moved['message_id']}?lang=en"))\
        .text()
    english_card = _card(english, SO_XAY_DUNG)
    assert f"Recipient when sent: {gtvt_name}" in english_card
    assert f"Moved from {SO_GTVT} to {SO_XAY_DUNG} by a reorganisation" in english_card


async def test_documents_report_names_recipients_as_they_were(
        client: TestClient, hub_env: HubEnv) -> None:
    renamed, moved, gtvt_name, today = await _reorganised_tomorrow(client, hub_env)
    book = load_workbook(io.BytesIO(await reports.documents_workbook(
        client.app[HUB_KEY], today, today)))
    rows = list(book["Văn bản"].iter_rows(values_only=True))
    head = rows[0]
    by_code = {r[head.index("Mã đơn vị nhận")]: dict(zip(head, r, strict=True))
               for r in rows[1:]}
    assert head[-4:] == ("Mã nơi nhận khi gửi", "Nơi nhận khi gửi",
                         "Cấp trên của nơi nhận khi gửi", "Chuyển theo sắp xếp từ")
    nv = by_code[SO_NOI_VU]
    assert nv["Đơn vị nhận"] == "Sở Nội vụ và Dân tộc" and nv["Nơi nhận khi gửi"] == "Sở Nội vụ"
    assert nv["Cấp trên của nơi nhận khi gửi"] == "UBND tỉnh Phú Yên"
    assert nv["Chuyển theo sắp xếp từ"] in (None, "")
    xd = by_code[SO_XAY_DUNG]
    assert (xd["Mã nơi nhận khi gửi"], xd["Nơi nhận khi gửi"]) == (SO_GTVT, gtvt_name)
    assert xd["Chuyển theo sắp xếp từ"] == SO_GTVT
    assert xd["Đơn vị gửi"] == "UBND tỉnh Phú Yên"
