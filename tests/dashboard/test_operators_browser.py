"""Issue 13 in a real browser (Debian's chromium through Playwright) against a real hub on a
local port: the questions an operator asks every day, one page item per test, each page also
checked at 390 px (no horizontal scrolling of the body), screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from docexchange.clock import SYSTEM_CLOCK
from docexchange.monitor import alerts
from docexchange.monitor.days import local_day
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH
from tests.dashboard.conftest import ARTIFACTS, LiveHub
from tests.dashboard.test_browser import _contact, _log_in
from tests.exchange.helpers import XML, document, status

HAI_RIENG = "000.01.31.H45"  # a commune (thị trấn) of huyện Sông Hinh
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


async def _shots(page: Any, name: str) -> None:
    """Desktop and 390 px screenshots; at 390 px the body must not scroll sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    await page.set_viewport_size(DESKTOP)
    await page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    widths = await page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name}: body {widths[0]} px wide at {widths[1]} px"
    await page.screenshot(path=str(ARTIFACTS / f"{name}-390.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)


async def _send(live: LiveHub, to: list[str], **kwargs: Any) -> dict[str, Any]:
    return await live.api("POST", "/api/v1/documents", organ_id=PROVINCE,
                          data=document(PROVINCE, to, **kwargs), headers=XML)


def _communes_of(live: LiveHub, district: str) -> list[str]:
    return [u.organ_id for u in live.hub.directory.all_units()
            if u.kind == "commune" and u.parent_id == district]


async def test_overview_tiles_show_thresholds_and_open_their_lists(page: Any,
                                                                   live_hub: LiveHub) -> None:
    """Ten young deliveries: "waiting 10" beside "stuck 0 (after 1 giờ)", never hidden."""
    communes = _communes_of(live_hub, SONG_HINH)[:5]
    await _send(live_hub, communes, priority=0, subject="V/v thường")
    await _send(live_hub, [SO_NOI_VU, SONG_HINH, *communes[:3]], priority=3,
                subject="V/v hỏa tốc")
    await _contact(live_hub, SO_NOI_VU)
    await _log_in(page, live_hub)
    await page.wait_for_url(live_hub.url + "/dashboard/")
    assert await page.get_by_test_id("waiting").get_attribute("data-value") == "10"
    assert await page.get_by_test_id("stuck").get_attribute("data-value") == "0"
    assert "1 giờ" in await page.get_by_test_id("stuck-note").inner_text()
    assert "15 phút" in await page.get_by_test_id("coverage-overall-note").inner_text()
    # the 30-day chart counts today's documents (2), not 0
    assert "cột cao nhất: 2" in await page.locator(".legend").inner_text()
    await _shots(page, "overview")

    await page.get_by_test_id("never-connected-link").click()
    await page.wait_for_url("**/dashboard/units?state=never")
    states = await page.get_by_test_id("unit-row").evaluate_all(
        "rs => rs.map(r => r.dataset.state)")
    assert states and set(states) == {"never"}

    await page.goto(live_hub.url + "/dashboard/")
    await page.get_by_test_id("waiting-link").click()
    await page.wait_for_url("**/dashboard/stuck?older_than=0")
    rows = page.get_by_test_id("delivery-row")
    assert await rows.count() == 10
    priorities = await rows.evaluate_all("rs => rs.map(r => Number(r.dataset.priority))")
    assert priorities == [3] * 5 + [0] * 5  # the most urgent first
    assert "Sở Nội vụ" in await page.get_by_test_id("stuck-table").inner_text()
    await _shots(page, "stuck")
    await page.goto(live_hub.url + "/dashboard/overdue")
    await _shots(page, "overdue")


async def test_alerts_are_worded_in_local_time_with_what_to_do(page: Any,
                                                               live_hub: LiveHub) -> None:
    receipt = await _send(live_hub, [SO_NOI_VU])
    later = SYSTEM_CLOCK.now_ms() + 5 * 3600 * 1000  # past the 4-hour backlog rule
    await alerts.evaluate(live_hub.hub, now_ms=later)
    await _log_in(page, live_hub)
    alert = page.get_by_test_id("alert")
    text = await alert.inner_text()
    assert "Văn bản tồn đọng" in text and "backlog" not in text
    created = dt.datetime.fromisoformat(receipt["recipients"][0].get("created_at")
                                        or receipt["accepted_at"])
    local = created.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert local.strftime("%H:%M %d/%m/%Y") in text
    assert "Cần làm:" in text and "xác nhận" in text


async def test_drill_down_contacts_and_a_test_document(page: Any, live_hub: LiveHub) -> None:
    await _contact(live_hub, HAI_RIENG)
    await _log_in(page, live_hub)
    await page.goto(live_hub.url + f"/dashboard/units/{PROVINCE}")
    await page.get_by_test_id("children-table").get_by_role(
        "link", name="UBND huyện Sông Hinh").click()
    await page.wait_for_url(f"**/dashboard/units/{SONG_HINH}")
    rows = page.get_by_test_id("children-table").get_by_test_id("unit-row")
    assert set(await rows.evaluate_all("rs => rs.map(r => r.dataset.kind)")) == {"commune"}
    assert await rows.count() == len(_communes_of(live_hub, SONG_HINH))
    row = page.locator(f"[data-testid=children-table] [data-organ-id='{HAI_RIENG}']")
    assert await row.get_attribute("data-state") == "connected"
    await _shots(page, "unit-district")
    await row.get_by_role("link").click()
    await page.wait_for_url(f"**/dashboard/units/{HAI_RIENG}")
    assert await page.get_by_test_id("unit-path").inner_text() == \
        "Cấp trên: UBND tỉnh Phú Yên › UBND huyện Sông Hinh"

    form = page.get_by_test_id("contact-form")
    await form.locator("input[name=person]").fill("Nguyễn Thị Lan")
    await form.locator("input[name=phone]").fill("0257 3 555 123")
    await form.locator("input[name=email]").fill("vanthu.hairieng@phuyen.example")
    await form.locator("button").click()
    await page.wait_for_url("**contact=saved")
    assert await page.locator("input[name=person]").input_value() == "Nguyễn Thị Lan"
    events = await live_hub.hub.db.fetchall(
        "SELECT data FROM log_leaves WHERE event = 'unit_contact_changed'")
    assert json.loads(events[0]["data"])["phone"] == "0257 3 555 123"

    await page.get_by_test_id("unit-trial").click()
    await page.wait_for_url("**/dashboard/documents/*?trial=1")
    delivery = page.locator(f"[data-testid=delivery][data-recipient='{HAI_RIENG}']")
    assert "chờ nhận" in await delivery.locator(".badge").inner_text()
    [item] = (await live_hub.api("GET", "/api/v1/inbox", organ_id=HAI_RIENG))["items"]
    assert item["sender"] == PROVINCE and item["subject"].startswith("Văn bản thử")
    async with live_hub.http.get(f"{live_hub.url}/api/v1/documents/{item['message_id']}",
                                 headers=live_hub.env.auth(HAI_RIENG)) as resp:
        assert resp.status == 200
    await live_hub.api("POST", f"/api/v1/deliveries/{item['delivery_id']}/ack",
                       organ_id=HAI_RIENG)
    await page.reload()
    meta = await delivery.locator("p.muted").inner_text()
    assert "Đã tải: –" not in meta and "Đã xác nhận: –" not in meta
    assert "đã đến" in await delivery.locator(".badge").inner_text()
    await _shots(page, "unit-trial-document")


async def test_status_codes_are_named_on_the_timeline(page: Any, live_hub: LiveHub) -> None:
    receipt = await _send(live_hub, [SO_NOI_VU], number=7301)
    [rec] = receipt["recipients"]
    await live_hub.api("POST", f"/api/v1/deliveries/{rec['delivery_id']}/ack",
                       organ_id=SO_NOI_VU)
    await live_hub.api("POST", "/api/v1/statuses", organ_id=SO_NOI_VU, headers=XML,
                       data=status(SO_NOI_VU, PROVINCE, receipt["document_id"], "03",
                                   stamp=dt.datetime.now()))
    await _log_in(page, live_hub)
    await page.goto(live_hub.url + f"/dashboard/documents/{receipt['message_id']}")
    events = await page.get_by_test_id("events").inner_text()
    assert "trạng thái 03 – đã tiếp nhận (vào sổ)" in events
    await _shots(page, "document")


async def test_search_without_accents_on_the_api_and_the_dashboard(page: Any,
                                                                   live_hub: LiveHub) -> None:
    wanted = await _send(live_hub, [SO_NOI_VU], subject="V/v Triển khai chuyển đổi số",
                         number=5501)
    await _send(live_hub, [SO_NOI_VU], subject="V/v báo cáo tháng", number=5502)
    for q in ("trien khai", "TRIỂN KHAI", "chuyen doi so", "5501/UBND"):
        found = await live_hub.api("GET", f"/api/v1/ops/documents?q={q}", operator=True)
        assert [d["message_id"] for d in found["items"]] == [wanted["message_id"]], q
    assert found["items"][0]["subject"] == "V/v Triển khai chuyển đổi số"
    async with live_hub.http.get(live_hub.url + "/api/v1/ops/documents", headers={
            "Authorization": "Bearer " + live_hub.env.credentials["operators"]["admin"][
                "api_token"]}) as resp:
        problem = await resp.json()
        assert resp.status == 400 and problem["code"] == "DX_BAD_REQUEST"
    await _log_in(page, live_hub)
    await page.goto(live_hub.url + "/dashboard/documents")
    await page.fill("input[name=q]", "trien khai")
    await page.click("[data-testid=doc-search] button[type=submit]")
    links = page.get_by_test_id("doc-link")
    assert await links.count() == 1
    assert await links.inner_text() == wanted["document_id"]
    await _shots(page, "documents-search")


async def test_excel_reports_from_the_api_and_the_download_buttons(
        page: Any, live_hub: LiveHub, tmp_path: Path) -> None:
    await _contact(live_hub, SO_NOI_VU, HAI_RIENG)
    receipt = await _send(live_hub, [SO_NOI_VU, SONG_HINH], subject="V/v báo cáo quý")
    acked = next(r for r in receipt["recipients"] if r["organ_id"] == SO_NOI_VU)
    await live_hub.api("POST", f"/api/v1/deliveries/{acked['delivery_id']}/ack",
                       organ_id=SO_NOI_VU)
    token = live_hub.env.credentials["operators"]["admin"]["api_token"]
    async with live_hub.http.get(live_hub.url + "/api/v1/ops/reports/coverage.xlsx",
                                 headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200
        book = load_workbook(io.BytesIO(await resp.read()))
    assert book.sheetnames == ["Tổng hợp", "Đơn vị"]
    summary = [list(r) for r in book["Tổng hợp"].iter_rows(values_only=True)]
    assert summary[0] == ["Cấp", "Số đơn vị", "Đã từng kết nối", "Tỷ lệ đã kết nối (%)",
                          "Đang kết nối", "Tỷ lệ đang kết nối (%)", "Mục tiêu (%)",
                          "Chưa kết nối"]
    communes = [u for u in live_hub.hub.directory.all_units() if u.kind == "commune"]
    commune_row = next(r for r in summary if r[0] == "Cấp xã")
    assert commune_row[1] == len(communes) and commune_row[2] == 1 and commune_row[6] == 100
    units = {r[0]: r for r in book["Đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert units[SO_NOI_VU][4] == "đang kết nối" and units[SO_NOI_VU][7] == 1
    assert units[SO_NOI_VU][8] == 100.0 and units[PROVINCE][6] == 1
    assert units[SONG_HINH][8] == 0.0 and units[SONG_HINH][3] == "UBND tỉnh Phú Yên"

    today = local_day(SYSTEM_CLOCK.now_ms(), live_hub.hub.config.zone).isoformat()
    async with live_hub.http.get(
            live_hub.url + f"/api/v1/ops/reports/documents.xlsx?from={today}&to={today}",
            headers={"Authorization": f"Bearer {token}"}) as resp:
        docs = load_workbook(io.BytesIO(await resp.read()))["Văn bản"]
    rows = list(docs.iter_rows(values_only=True))
    assert rows[0][:4] == ("Thời điểm nhận", "Mã văn bản", "Số/ký hiệu", "Trích yếu")
    states = {r[7]: r[9] for r in rows[1:]}
    assert states == {SO_NOI_VU: "đã đến", SONG_HINH: "chờ nhận"}

    await _log_in(page, live_hub)
    async with page.expect_download() as info:
        await page.get_by_test_id("download-coverage").click()
    download = await info.value
    saved = tmp_path / "coverage.xlsx"
    await download.save_as(str(saved))
    assert load_workbook(saved).sheetnames == ["Tổng hợp", "Đơn vị"]
    await page.goto(live_hub.url + "/dashboard/documents")
    await page.fill("[data-testid=documents-report] input[name=from]", today)
    await page.fill("[data-testid=documents-report] input[name=to]", today)
    async with page.expect_download() as info:
        await page.click("[data-testid=documents-report] button")
    await (await info.value).save_as(str(tmp_path / "documents.xlsx"))
    assert load_workbook(tmp_path / "documents.xlsx")["Văn bản"].max_row == 3


async def test_audit_page_browses_events_and_checks_a_receipt(
        page: Any, live_hub: LiveHub, tmp_path: Path) -> None:
    receipt = await _send(live_hub, [SO_NOI_VU])
    await _send(live_hub, [SONG_HINH])
    good = tmp_path / "receipt.json"
    good.write_text(json.dumps(receipt), encoding="utf-8")
    forged = tmp_path / "forged.json"
    tampered = json.loads(json.dumps(receipt))
    tampered["tree_head"]["tree_size"] = tampered["tree_head"]["tree_size"] + 1
    forged.write_text(json.dumps(tampered), encoding="utf-8")

    await _log_in(page, live_hub)
    await page.goto(live_hub.url + "/dashboard/audit")
    await page.select_option("select[name=kind]", "document_accepted")
    await page.fill("[data-testid=event-filter] input[name=unit]", SONG_HINH)
    await page.click("[data-testid=event-filter] button")
    await page.wait_for_url("**kind=document_accepted*")
    rows = page.get_by_test_id("event-row")
    assert await rows.count() == 1
    assert SONG_HINH in await rows.inner_text()
    await _shots(page, "audit")

    await page.set_input_files("input[name=receipt]", str(good))
    await page.click("[data-testid=receipt-form] button")
    verdict = page.get_by_test_id("receipt-verdict")
    assert await verdict.get_attribute("data-ok") == "yes"
    await page.set_input_files("input[name=receipt]", str(forged))
    await page.click("[data-testid=receipt-form] button")
    assert await verdict.get_attribute("data-ok") == "no"
    assert "KHÔNG hợp lệ" in await verdict.inner_text()


async def test_every_page_fits_a_phone(page: Any, live_hub: LiveHub) -> None:
    receipt = await _send(live_hub, [SO_NOI_VU, SONG_HINH],
                          subject="V/v một trích yếu rất dài " * 6)
    await _contact(live_hub, *_communes_of(live_hub, SONG_HINH))
    await _log_in(page, live_hub)
    paths = {"p-overview": "/", "p-units": "/units", "p-unit": f"/units/{SONG_HINH}",
             "p-documents": "/documents", "p-document": f"/documents/{receipt['message_id']}",
             "p-stuck": "/stuck?older_than=0", "p-overdue": "/overdue", "p-audit": "/audit"}
    for name, path in paths.items():
        await page.goto(live_hub.url + "/dashboard" + path)
        await _shots(page, name)
    await page.context.clear_cookies()
    await page.goto(live_hub.url + "/dashboard/login")
    await _shots(page, "p-login")
