"""Dashboard pages without a browser: escaping, document search, unit pages, translations."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from docexchange.appkeys import HUB_KEY
from docexchange.dashboard import i18n
from docexchange.monitor.connection_state import STATES
from docexchange.store import units as unit_store
from docexchange.unit import KINDS, Unit
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.dashboard.forms import csrf_of, login
from tests.exchange.helpers import XML, document

SCRIPT = '<script>alert("x")</script>'
DASHBOARD = Path(i18n.__file__).parent


async def _send(client: TestClient, env: HubEnv, data: bytes) -> dict[str, Any]:
    resp = await client.post("/api/v1/documents", data=data, headers={**env.auth(PROVINCE),
                                                                       **XML})
    assert resp.status == 202, await resp.text()
    return dict(await resp.json())


async def test_unit_names_and_subjects_are_escaped(client: TestClient, hub_env: HubEnv) -> None:
    hub = client.app[HUB_KEY]
    evil = Unit(organ_id="000.99.99.H45", name=SCRIPT, kind="commune", parent_id=SONG_HINH,
                valid_from=dt.date(2018, 1, 1))
    await hub.db.write("add_unit", lambda c: unit_store.upsert_unit_txn(c, evil, 0))
    await hub.directory.reload()
    receipt = await _send(client, hub_env, document(PROVINCE, [SO_NOI_VU], subject=SCRIPT))
    await login(client, hub_env)
    for path in ("/dashboard/units?kind=commune", f"/dashboard/units/{evil.organ_id}",
                 "/dashboard/documents", f"/dashboard/documents/{receipt['message_id']}",
                 f"/dashboard/documents?code={SCRIPT}&sender={SCRIPT}"):
        text = await (await client.get(path)).text()
        assert "<script" not in text, path
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text, path


async def test_documents_are_found_by_each_field(client: TestClient, hub_env: HubEnv) -> None:
    first = await _send(client, hub_env, document(PROVINCE, [SO_NOI_VU], number=7001))
    second = await _send(client, hub_env, document(PROVINCE, [SONG_HINH], number=7002))
    delivery = first["recipients"][0]["delivery_id"]
    await client.post(f"/api/v1/deliveries/{delivery}/ack", headers=hub_env.auth(SO_NOI_VU))
    await login(client, hub_env)
    today = dt.datetime.now(hub_env.config.zone).date()

    async def found(query: str) -> set[str]:
        resp = await client.get(f"/dashboard/documents?{query}")
        assert resp.status == 200, query
        return set(re.findall(r'href="/dashboard/documents/([0-9A-Z]+)"', await resp.text()))
    both = {first["message_id"], second["message_id"]}
    assert await found("") == both
    assert await found("code=7002/UBND") == {second["message_id"]}
    assert await found(f"document_id={first['document_id']}") == {first["message_id"]}
    assert await found("sender=UBND+tỉnh") == both
    assert await found(f"recipient={SONG_HINH}") == {second["message_id"]}
    assert await found("recipient=Nội+vụ") == {first["message_id"]}
    assert await found("state=received") == {first["message_id"]}
    assert await found("state=pending") == {second["message_id"]}
    assert await found(f"date_from={today}&date_to={today}") == both
    assert await found(f"date_to={today - dt.timedelta(days=1)}") == set()
    assert await found("code=100%25") == set()  # LIKE wildcards are literal
    bad = await client.get("/dashboard/documents?date_from=28/11/2026")
    assert bad.status == 400 and "yyyy-mm-dd" in await bad.text()


async def test_document_pages_show_metadata_never_the_body(client: TestClient,
                                                           hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, document(
        PROVINCE, [SO_NOI_VU], files=[("secret.pdf", b"%PDF-1.4 BODY-MARKER")]))
    await login(client, hub_env)
    text = await (await client.get(f"/dashboard/documents/{receipt['message_id']}")).text()
    assert receipt["document_id"] in text and "BODY-MARKER" not in text
    assert "secret.pdf" not in text
    missing = await client.get("/dashboard/documents/01NOTHINGHERE")
    assert missing.status == 404 and "Không tìm thấy" in await missing.text()


async def test_a_unit_page_lists_its_documents_and_reissues_a_key(client: TestClient,
                                                                  hub_env: HubEnv) -> None:
    receipt = await _send(client, hub_env, document(PROVINCE, [SONG_HINH], number=8123))
    csrf = await login(client, hub_env)
    page = await (await client.get(f"/dashboard/units/{SONG_HINH}")).text()
    assert f"/dashboard/documents/{receipt['message_id']}" in page
    assert csrf_of(page) == csrf
    resp = await client.post(f"/dashboard/units/{SONG_HINH}/reissue",
                             data={"csrf": csrf, "confirm": "on"})
    key = re.search(r'data-testid="new-key"><p>[^<]*</p><code>([^<]+)</code>', await resp.text())
    assert resp.status == 200 and key and resp.headers["Cache-Control"] == "no-store"
    fresh = await client.get("/api/v1/inbox", headers={"Authorization": f"Bearer {key[1]}"})
    assert fresh.status == 200
    assert (await client.get("/api/v1/inbox", headers=hub_env.auth(SONG_HINH))).status == 401
    gone = await client.get("/dashboard/units/000.00.99.X99")
    assert gone.status == 404


async def test_the_language_switch_is_remembered(client: TestClient, hub_env: HubEnv) -> None:
    await login(client, hub_env)
    english = await client.get("/dashboard/units?lang=en")
    assert "<h1>Units</h1>" in await english.text()
    assert english.cookies["dx_lang"]["path"] == "/dashboard"
    assert "<h1>Units</h1>" in await (await client.get("/dashboard/units")).text()
    vietnamese = await client.get("/dashboard/units?lang=vi")
    assert "<h1>Đơn vị</h1>" in await vietnamese.text()


def test_every_string_the_pages_use_is_translated() -> None:
    used = set()
    for source in DASHBOARD.glob("*.py"):
        used |= set(re.findall(r'\bt\(\s*(?:"(?:vi|en)",\s*)?"([a-z_]+\.[a-z_0-9]+)"',
                               source.read_text("utf-8")))
    used |= {f"kind.{k}" for k in KINDS} | {f"state.{s}" for s in STATES}
    used |= {f"error.{s}" for s in (400, 403, 404, 405, 429, 500)}
    assert len(used) > 60
    assert sorted(used - set(i18n.MESSAGES)) == []
    for key, (vi, en) in i18n.MESSAGES.items():
        assert vi and en, key
        assert re.findall(r"\{(\w+)\}", vi) == re.findall(r"\{(\w+)\}", en), key


async def test_the_audit_page_downloads_an_export_that_verifies(
        client: TestClient, hub_env: HubEnv, tmp_path: Path) -> None:
    import asyncio

    from docexchange.cli import main
    assert (await client.get("/dashboard/audit/export", allow_redirects=False)).status in (
        302, 303)  # no session: to the login page, nothing exported
    await _send(client, hub_env, document(PROVINCE, [SO_NOI_VU]))
    await login(client, hub_env)
    page = await client.get("/dashboard/audit")
    assert 'data-testid="audit-export"' in await page.text()
    resp = await client.get(f"/dashboard/audit/export?format=jsonl&unit={SO_NOI_VU}")
    assert resp.status == 200
    export = tmp_path / "audit.jsonl"
    export.write_bytes(await resp.read())
    code = await asyncio.to_thread(main, [
        "--config", str(hub_env.config_path), "audit", "verify", str(export),
        "--hub-cert", str(hub_env.config.keys.dir / "hub.crt")])
    assert code == 0
