"""The dashboard in a real browser (Debian's chromium through Playwright) against a real hub
on a local port: log in, read the overview against the ops API, filter units, follow a
document's timeline, and see a POST without its CSRF token refused."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from docexchange.clock import SYSTEM_CLOCK
from docexchange.monitor.days import local_day
from docexchange.store import monitor as monitor_store
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH
from tests.dashboard.conftest import ARTIFACTS, LiveHub
from tests.exchange.helpers import XML, document

PHUONG_1 = "000.01.30.H45"  # a commune (phường) of Tuy Hòa
LEVELS = ("department", "district", "commune")


async def _log_in(page: Any, live: LiveHub, password: str | None = None) -> None:
    await page.goto(live.url + "/dashboard/")
    await page.fill("input[name=name]", "admin")
    await page.fill("input[name=password]",
                    password or live.env.credentials["operators"]["admin"]["password"])
    await page.click("[data-testid=login-form] button[type=submit]")


async def _contact(live: LiveHub, *units: str) -> None:
    """Each unit polls its inbox once: it becomes 'connected'."""
    for unit in units:
        await live.api("GET", "/api/v1/inbox", organ_id=unit)


def _province_sample(live: LiveHub) -> list[str]:
    """Every department and district and every second commune: a province part-way there."""
    units = [u for u in live.hub.directory.all_units()
             if u.kind in ("province", "department", "district", "commune")]
    communes = [u.organ_id for u in units if u.kind == "commune"][::2]
    return [u.organ_id for u in units if u.kind != "commune"] + communes


async def _seed_history(live: LiveHub, now: dict[str, Any], days: int = 29) -> None:
    """Daily KPI snapshots for the past days, as the background task would have stored them,
    rising towards today's figures, so that the trend chart has a month to draw."""
    today = local_day(SYSTEM_CLOCK.now_ms(), live.hub.config.zone)
    for back in range(days, 0, -1):
        day = (today - dt.timedelta(days=back)).isoformat()
        share = (days - back) / days
        ever = round(20 + (now["ever_connected_pct"] - 20) * share, 1)
        body = {"ever_connected_pct": ever, "connected_now_pct": round(ever * 0.85, 1),
                "acked_same_day_pct": float(70 + (back * 7) % 25),
                "documents": 30 + (back * 13) % 40}
        rows = [("overall", json.dumps(body))]
        await live.hub.db.write("seed_snapshot", functools.partial(
            monitor_store.upsert_snapshot_txn, day=day, payloads=rows, ts=SYSTEM_CLOCK.now_ms()))


async def _screenshot(page: Any, name: str) -> None:
    """Kept in test-artifacts/ (git-ignored) for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / name), full_page=True)


async def test_login_shows_an_error_then_lets_the_admin_in(page: Any, live_hub: LiveHub) -> None:
    await _log_in(page, live_hub, password="not the password")
    assert "/dashboard/login" in page.url
    error = page.get_by_test_id("login-error")
    assert await error.inner_text() == "Tên đăng nhập hoặc mật khẩu không đúng."
    await _log_in(page, live_hub)
    await page.wait_for_url(live_hub.url + "/dashboard/")
    assert await page.get_by_test_id("operator").inner_text() == "admin"
    [session] = [c for c in await page.context.cookies() if c["name"] == "dx_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert session["path"] == "/dashboard" and not session["secure"]  # plain http here


async def test_overview_figures_equal_the_ops_api(page: Any, live_hub: LiveHub) -> None:
    await _contact(live_hub, *_province_sample(live_hub))
    receipt = await live_hub.api("POST", "/api/v1/documents", organ_id=PROVINCE,
                                 data=document(PROVINCE, [SO_NOI_VU, SONG_HINH]), headers=XML)
    delivery = next(r["delivery_id"] for r in receipt["recipients"]
                    if r["organ_id"] == SO_NOI_VU)
    await live_hub.api("POST", f"/api/v1/deliveries/{delivery}/ack", organ_id=SO_NOI_VU)
    kpis = await live_hub.api("GET", "/api/v1/ops/kpis", operator=True)
    await _seed_history(live_hub, kpis["overall"])
    await _log_in(page, live_hub)
    for kind in LEVELS:
        expected = kpis["by_kind"][kind]["connected_now_pct"]
        figure = page.get_by_test_id(f"coverage-{kind}")
        assert float(await figure.get_attribute("data-value")) == expected
        assert await figure.inner_text() == str(expected).replace(".", ",")
    overall = page.get_by_test_id("coverage-overall")
    assert float(await overall.get_attribute("data-value")) == \
        kpis["overall"]["connected_now_pct"]
    assert await page.get_by_test_id("deliveries-today").inner_text() == \
        str(kpis["overall"]["deliveries_today"])
    assert await page.locator("svg[data-testid=trend-chart] polyline").count() == 3
    await _screenshot(page, "dashboard-overview.png")
    await page.get_by_test_id("lang-switch").click()
    assert await page.locator("h1").inner_text() == "Connectivity and exchange overview"
    expected = kpis["by_kind"]["district"]["connected_now_pct"]
    assert await page.get_by_test_id("coverage-district").inner_text() == str(expected)


async def test_filtering_units_changes_the_table(page: Any, live_hub: LiveHub) -> None:
    await _contact(live_hub, SO_NOI_VU, PHUONG_1)
    await _log_in(page, live_hub)
    await page.goto(live_hub.url + "/dashboard/units")
    rows = page.get_by_test_id("unit-row")
    everyone = await rows.count()
    await page.select_option("select[name=kind]", "commune")
    await page.click("[data-testid=unit-filter] button[type=submit]")
    await page.wait_for_url("**/dashboard/units?kind=commune*")
    communes = await rows.count()
    assert 0 < communes < everyone
    assert set(await rows.evaluate_all("rs => rs.map(r => r.dataset.kind)")) == {"commune"}
    await page.select_option("select[name=state]", "connected")
    await page.click("[data-testid=unit-filter] button[type=submit]")
    await page.wait_for_url("**state=connected*")
    assert await rows.evaluate_all("rs => rs.map(r => r.dataset.organId)") == [PHUONG_1]
    assert await page.get_by_test_id("unit-state").inner_text() == "đang kết nối"
    await _screenshot(page, "dashboard-units.png")


async def test_a_sent_and_acknowledged_document_has_its_timeline(page: Any,
                                                                 live_hub: LiveHub) -> None:
    receipt = await live_hub.api("POST", "/api/v1/documents", organ_id=PROVINCE,
                                 data=document(PROVINCE, [SO_NOI_VU, SONG_HINH], number=4242,
                                               subject="V/v kiểm thử dòng thời gian"),
                                 headers=XML)
    delivery = next(r["delivery_id"] for r in receipt["recipients"]
                    if r["organ_id"] == SO_NOI_VU)
    await live_hub.api("POST", f"/api/v1/deliveries/{delivery}/ack", organ_id=SO_NOI_VU)
    await _log_in(page, live_hub)
    await page.goto(live_hub.url + "/dashboard/documents")
    await page.fill("input[name=code]", "4242/UBND")
    await page.click("[data-testid=doc-search] button[type=submit]")
    links = page.get_by_test_id("doc-link")
    assert await links.count() == 1
    await links.click()
    await page.wait_for_url(f"**/dashboard/documents/{receipt['message_id']}")
    assert "V/v kiểm thử dòng thời gian" in await page.get_by_test_id("doc-meta").inner_text()
    acked = page.locator(f"[data-testid=delivery][data-recipient='{SO_NOI_VU}']")
    waiting = page.locator(f"[data-testid=delivery][data-recipient='{SONG_HINH}']")
    assert "đã đến" in await acked.locator(".badge").inner_text()
    assert "xác nhận đã nhận" in await acked.get_by_test_id("events").inner_text()
    assert "chờ nhận" in await waiting.locator(".badge").inner_text()
    await _screenshot(page, "dashboard-document.png")


async def test_a_post_without_its_csrf_token_is_refused(page: Any, live_hub: LiveHub) -> None:
    await _log_in(page, live_hub)
    await page.goto(live_hub.url + f"/dashboard/units/{SONG_HINH}")
    form = page.locator("form.action").filter(has=page.get_by_test_id("unit-disable"))
    await form.locator("input[name=csrf]").evaluate("field => field.remove()")
    await form.locator("input[name=confirm]").check()
    await page.get_by_test_id("unit-disable").click()
    assert "mã chống giả mạo" in await page.get_by_test_id("error").inner_text()
    await _contact(live_hub, SONG_HINH)  # its API key still works: nothing was revoked
    await page.goto(live_hub.url + f"/dashboard/units/{SONG_HINH}")
    reissue = page.locator("form.action").filter(has=page.get_by_test_id("unit-reissue"))
    await reissue.locator("input[name=confirm]").check()
    await page.get_by_test_id("unit-reissue").click()
    new_key = await page.get_by_test_id("new-key").locator("code").inner_text()
    async with live_hub.http.get(live_hub.url + "/api/v1/inbox", headers={
            "Authorization": f"Bearer {new_key}"}) as resp:
        assert resp.status == 200
    async with live_hub.http.get(live_hub.url + "/api/v1/inbox",
                                 headers=live_hub.env.auth(SONG_HINH)) as resp:
        assert resp.status == 401
