"""E-mail alerts ([alerts] smtp_url, email_to): each open alert is sent once to the operators,
in Vietnamese then English, with what to do, after its transaction committed.

The stdlib's smtplib does the protocol (run in a worker thread, never on the event loop and
never inside a transaction). An alert the server did not accept is offered again at the next
check while it stays open, like the webhook's.
"""

from __future__ import annotations

import asyncio
import email.policy
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from docexchange.config import AlertsConfig
from docexchange.hub import Hub
from docexchange.monitor import alert_text
from docexchange.monitor.alerts import alert_json
from docexchange.store import alerts as sql

log = logging.getLogger(__name__)
TIMEOUT_S = 20
#: no folding of long headers: folding an encoded (Vietnamese) Subject can drop the space
#: between two words at the fold; RFC 5322's hard limit is 998 characters
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=998)
BATCH = 50


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    mode: str  # "plain", "starttls" or "tls"
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        mode = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}[parts.scheme]
        port = parts.port or (465 if mode == "tls" else 587 if mode == "starttls" else 25)
        return cls(parts.hostname or "localhost", port, mode,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)


def compose(alert: dict[str, Any], unit: str, rules: AlertsConfig, hub: Hub) -> EmailMessage:
    """One alert as a plain-text e-mail: both languages, local times, what to do."""
    zone = hub.config.zone
    mail = EmailMessage(policy=MAIL_POLICY)
    mail["Subject"] = (f"[docexchange] {alert_text.rule_name(alert['rule'], 'vi')}: {unit}")
    mail["From"] = rules.email_from
    mail["To"] = ", ".join(a.strip() for a in rules.email_to.split(",") if a.strip())
    body = [alert_text.describe(alert["rule"], unit, alert["details"], zone, "vi"),
            alert_text.advice(alert["rule"], "vi"), "",
            alert_text.describe(alert["rule"], unit, alert["details"], zone, "en"),
            alert_text.advice(alert["rule"], "en"), "",
            f"alert_id: {alert['alert_id']}  rule: {alert['rule']}  "
            f"log_index: {alert['log_index']}"]
    mail.set_content("\n".join(body))
    return mail


def _send_all(server: SmtpServer, mails: list[tuple[str, EmailMessage]]) -> list[str]:
    """Blocking: one SMTP session for the batch; returns the ids the server accepted."""
    sent: list[str] = []
    smtp_class = smtplib.SMTP_SSL if server.mode == "tls" else smtplib.SMTP
    with smtp_class(server.host, server.port, timeout=TIMEOUT_S) as smtp:
        if server.mode == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if server.user:
            smtp.login(server.user, server.password or "")
        for alert_id, mail in mails:
            try:
                smtp.send_message(mail)
                sent.append(alert_id)
            except smtplib.SMTPException as exc:
                log.warning("alert e-mail %s refused: %s", alert_id, type(exc).__name__)
    return sent


async def email_alerts(hub: Hub) -> int:
    """E-mail every open alert not yet accepted by the SMTP server; returns how many were."""
    rules = hub.config.alerts
    if not rules.smtp_url:
        return 0
    mails = []
    for row in await sql.unemailed(hub.db, BATCH):
        alert = alert_json(row)
        unit = hub.directory.get(alert["organ_id"]) if alert["organ_id"] else None
        who = f"{unit.name} ({unit.organ_id})" if unit else (alert["organ_id"] or "?")
        mails.append((alert["alert_id"], compose(alert, who, rules, hub)))
    if not mails:
        return 0
    try:
        sent = await asyncio.to_thread(_send_all, SmtpServer.from_url(rules.smtp_url), mails)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("alert e-mail: SMTP server unusable: %s", type(exc).__name__)
        return 0
    if sent:
        await hub.db.write("record_alert_emails",
                           lambda c: sql.record_emails_txn(c, sent, hub.clock.now_ms()))
    return len(sent)
