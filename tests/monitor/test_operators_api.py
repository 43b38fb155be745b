"""Issue 13 through the ops API and the services: stuck items name their recipient and
threshold, alerts reach a real SMTP server (aiosmtpd) in words, contacts come from the
directory CSV."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from aiosmtpd.controller import Controller

from docexchange.app import create_app
from docexchange.cli import main
from docexchange.clock import SYSTEM_CLOCK
from docexchange.monitor import alerts, unit_contacts
from docexchange.monitor.email import email_alerts
from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document
from tests.monitor.conftest import admin, hub_of, quiet


async def test_stuck_items_name_recipient_priority_age_and_threshold(
        ops_client: TestClient, hub_env: HubEnv) -> None:
    for to, priority in (([SO_NOI_VU], 0), ([SONG_HINH], 2)):
        resp = await ops_client.post("/api/v1/documents", headers={
            **hub_env.auth(PROVINCE), **XML}, data=document(PROVINCE, to, priority=priority))
        assert resp.status == 202
    body = await (await ops_client.get("/api/v1/ops/stuck", headers=admin(hub_env))).json()
    assert body["stuck_after_s"] == 3600 and body["count"] == 0
    body = await (await ops_client.get("/api/v1/ops/stuck?older_than=0",
                                       headers=admin(hub_env))).json()
    assert body["stuck_after_s"] == 0
    first, second = body["items"]
    assert (first["organ_id"], first["name"], first["priority"]) == (
        SONG_HINH, "UBND huyện Sông Hinh", 2)  # the more urgent first, though newer
    assert (second["organ_id"], second["name"], second["priority"]) == (
        SO_NOI_VU, "Sở Nội vụ", 0)
    assert all(isinstance(i["age_s"], int) and i["age_s"] >= 0 for i in body["items"])


class Mailbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(  # type: ignore[arg-type]
            envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_alerts_are_emailed_once_in_words(hub_env: HubEnv, aiohttp_client: Any) -> None:
    mailbox = Mailbox()
    port = _free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        config = quiet(hub_env.config, smtp_url=f"smtp://127.0.0.1:{port}",
                       email_to="truc@phuyen.example, so-tttt@phuyen.example",
                       backlog_older_than=60)
        client: TestClient = await aiohttp_client(create_app(config))
        hub = hub_of(client)
        resp = await client.post("/api/v1/documents", headers={**hub_env.auth(PROVINCE), **XML},
                                 data=document(PROVINCE, [SO_NOI_VU]))
        assert resp.status == 202
        [alert_id] = await alerts.evaluate(hub, now_ms=SYSTEM_CLOCK.now_ms() + 3_600_000)
        assert await email_alerts(hub) == 1
        assert await email_alerts(hub) == 0  # accepted once: not sent again
    finally:
        smtp.stop()
    [mail] = mailbox.messages
    assert mailbox.recipients == [["truc@phuyen.example", "so-tttt@phuyen.example"]]
    assert mail["Subject"] == "[docexchange] Văn bản tồn đọng: Sở Nội vụ (000.00.12.H45)"
    text = mail.get_content()
    assert "có 1 văn bản chưa xác nhận" in text and "Nhắc văn thư" in text
    assert "Ask the unit's clerk" in text and alert_id in text
    row = await hub.db.fetchone("SELECT emailed_ts FROM alerts WHERE alert_id = ?", (alert_id,))
    assert row is not None and row[0] is not None


async def test_an_unreachable_smtp_server_keeps_the_alert_for_later(
        hub_env: HubEnv, aiohttp_client: Any) -> None:
    config = quiet(hub_env.config, smtp_url=f"smtp://127.0.0.1:{_free_port()}",
                   email_to="truc@phuyen.example", backlog_older_than=60)
    client: TestClient = await aiohttp_client(create_app(config))
    hub = hub_of(client)
    await client.post("/api/v1/documents", headers={**hub_env.auth(PROVINCE), **XML},
                      data=document(PROVINCE, [SO_NOI_VU]))
    assert await alerts.evaluate(hub, now_ms=SYSTEM_CLOCK.now_ms() + 3_600_000)
    assert await email_alerts(hub) == 0
    row = await hub.db.fetchone("SELECT COUNT(*) FROM alerts WHERE emailed_ts IS NULL")
    assert row is not None and row[0] == 1


def test_smtp_settings_are_checked_at_start(hub_env: HubEnv) -> None:
    from docexchange.config import ConfigError, config_from_dict
    for alerts_section, fault in (({"smtp_url": "http://mail"}, "smtp_url"),
                                  ({"smtp_url": "smtp://mail"}, "email_to")):
        try:
            config_from_dict({"alerts": alerts_section}, base_dir=hub_env.root)
        except ConfigError as exc:
            assert fault in str(exc)
        else:
            raise AssertionError(f"{alerts_section} was accepted")


async def test_contacts_are_imported_from_the_directory_csv(hub_env: HubEnv,
                                                            tmp_path: Path) -> None:
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "organ_id,name,kind,parent,contact_person,contact_phone,contact_email\n"
        f"{SONG_HINH},UBND huyện Sông Hinh,district,{PROVINCE},Trần Văn Bình,0257 3 861 234,"
        "vanthu@songhinh.example\n", encoding="utf-8")
    assert await main_async(["--config", str(hub_env.config_path), "units", "import",
                             str(csv_file)]) == 0
    old_format = tmp_path / "old.csv"  # no contact columns: contacts stay as they are
    old_format.write_text(f"organ_id,name,kind,parent\n{SONG_HINH},UBND huyện Sông Hinh,"
                          f"district,{PROVINCE}\n", encoding="utf-8")
    assert await main_async(["--config", str(hub_env.config_path), "units", "import",
                             str(old_format)]) == 0
    from docexchange.hub import Hub
    hub = await Hub.open(dataclasses.replace(hub_env.config))
    try:
        contact = await unit_contacts.get_contact(hub, SONG_HINH)
    finally:
        await hub.close()
    assert contact == unit_contacts.Contact(SONG_HINH, "Trần Văn Bình", "0257 3 861 234",
                                            "vanthu@songhinh.example")


async def main_async(argv: list[str]) -> int:
    """main() runs its own event loop: run it in a thread from this async test."""
    import asyncio
    return await asyncio.to_thread(main, argv)
