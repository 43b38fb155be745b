"""Alert rules ([alerts] in the config), evaluated by a background task every check_interval.

A rule yields the conditions that hold now, each about a subject. A condition without an open
alert raises one: stored and logged ("alert_raised") in one transaction, then POSTed to the
webhook after the commit. An open alert whose condition no longer holds is closed (and logged).
Classified refusals are grouped: one open alert per sending unit while it has had any in the
last 24 hours, counting them (one webhook call when it opens, not one per refusal); it closes a
day after the unit's last one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from docexchange.exchange.receipts import iso_ms
from docexchange.hub import Hub
from docexchange.ids import new_ulid
from docexchange.monitor import alert_text, connectivity
from docexchange.monitor.webhook import post_json
from docexchange.store import alerts as sql
from docexchange.store import push as push_sql
from docexchange.store.tx import Tx

RULES = ("disconnected", "backlog", "credential_expiring", "classified_refused",
         "push_fallback")
ONCE_RULES: frozenset[str] = frozenset()
COUNTING_RULES = frozenset({"classified_refused", "push_fallback"})
CLASSIFIED_OPEN_MS = 86_400_000
NOTIFY_BATCH = 50


@dataclass(frozen=True)
class Condition:
    rule: str
    subject: str
    organ_id: str | None
    message_vi: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)


def _condition(hub: Hub, rule: str, subject: str, organ_id: str | None,
               details: dict[str, Any]) -> Condition:
    """A condition worded for people (monitor/alert_text): local times, what to do."""
    unit = hub.directory.get(organ_id) if organ_id else None
    who = f"{unit.name} ({unit.organ_id})" if unit else (organ_id or "?")
    return Condition(rule, subject, organ_id,
                     alert_text.message(rule, who, details, hub.config.zone, "vi"),
                     alert_text.message(rule, who, details, hub.config.zone, "en"), details)


async def _unit_conditions(hub: Hub, now: int) -> list[Condition]:
    rules = hub.config.alerts
    found = []
    for s in await connectivity.unit_statuses(hub, now_ms=now):
        silent = s.last_contact_ts is not None and now - s.last_contact_ts
        if rules.disconnected_after and silent and silent > rules.disconnected_after * 1000:
            found.append(_condition(hub, "disconnected", s.organ_id, s.organ_id,
                                    {"last_contact_at": iso_ms(s.last_contact_ts)}))
        oldest = s.oldest_backlog_ts
        if rules.backlog_older_than and oldest and now - oldest > rules.backlog_older_than * 1000:
            found.append(_condition(hub, "backlog", s.organ_id, s.organ_id, {
                "backlog": s.backlog, "oldest_backlog_at": iso_ms(oldest)}))
    return found


async def _credential_conditions(hub: Hub, now: int) -> list[Condition]:
    days = hub.config.alerts.certificate_expiring_days
    if not days:
        return []
    return [_condition(hub, "credential_expiring", f"{c['credential']}:{c['key_id']}",
                       c["organ_id"], {k: c[k] for k in ("credential", "key_id", "expires_at",
                                                         "days_left")})
            for c in await connectivity.expiring_credentials(hub, days, now_ms=now)]


async def _classified_conditions(hub: Hub, now: int) -> list[Condition]:
    if not hub.config.alerts.classified_refused:
        return []
    return [_condition(hub, "classified_refused", r["sender_id"], r["sender_id"], {
        "sender": r["sender_id"], "refusals": r["refusals"],
        "first_refused_at": iso_ms(r["first_ts"]), "last_refused_at": iso_ms(r["last_ts"])})
        for r in await sql.classified_refusals(hub.db, now - CLASSIFIED_OPEN_MS)]


async def _push_conditions(hub: Hub, now: int) -> list[Condition]:
    """Push gave up (max age) on deliveries the unit has not pulled yet (docexchange/push/):
    the alert holds until the unit takes them from its inbox."""
    return [Condition(
        "push_fallback", r["organ_id"], r["organ_id"],
        f"Không đẩy được {r['n']} văn bản/trạng thái tới {r['organ_id']}: đơn vị phải lấy từ "
        "hộp thư đến (pull).", f"{r['n']} push deliveries to {r['organ_id']} gave up: the "
        "unit must pull them from its inbox.", {"count": r["n"],
                                                "first_gave_up_at": iso_ms(r["first_ts"])})
        for r in await push_sql.expired_fallbacks(hub.db, 0)]


async def conditions(hub: Hub, now: int) -> list[Condition]:
    """Everything the enabled rules find now; a rule turned off finds nothing (and so
    closes its open alerts)."""
    return (await _unit_conditions(hub, now) + await _credential_conditions(hub, now)
            + await _classified_conditions(hub, now) + await _push_conditions(hub, now))


def _apply_txn(hub: Hub, conn: Tx, found: list[Condition], now: int
               ) -> list[str]:
    """Raise what is new, close what cleared; returns the ids of the raised alerts."""
    open_now = sql.open_alerts_txn(conn)
    raised = []
    for c in found:
        if (c.rule, c.subject) in open_now and c.rule in COUNTING_RULES:
            sql.update_open_alert_txn(conn, open_now[(c.rule, c.subject)][0], c.message_vi,
                                      c.message_en, json.dumps(c.details, sort_keys=True))
            continue
        if (c.rule, c.subject) in open_now or (
                c.rule in ONCE_RULES and sql.ever_raised_txn(conn, c.rule, c.subject)):
            continue
        alert_id = new_ulid()
        if not sql.insert_alert_txn(conn, alert_id, c.rule, c.subject, c.organ_id, c.message_vi,
                                    c.message_en, json.dumps(c.details, sort_keys=True), now):
            continue
        index = hub.evidence.append_txn(conn, "alert_raised", {
            "alert_id": alert_id, "rule": c.rule, "subject": c.subject, "unit": c.organ_id,
            "details": c.details}, units=(c.organ_id,) if c.organ_id else ())
        sql.set_log_index_txn(conn, alert_id, index)
        raised.append(alert_id)
    holding = {(c.rule, c.subject) for c in found}
    for (rule, subject), (alert_id, organ_id) in open_now.items():
        if (rule, subject) not in holding and sql.close_alert_txn(conn, alert_id, now):
            hub.evidence.append_txn(conn, "alert_closed", {
                "alert_id": alert_id, "rule": rule, "subject": subject, "unit": organ_id},
                units=(organ_id,) if organ_id else ())
    return raised


def _unchanged(found: list[Condition], open_now: dict[tuple[str, str], str]) -> bool:
    if {(c.rule, c.subject) for c in found} != set(open_now):
        return False
    return all(open_now[(c.rule, c.subject)] == json.dumps(c.details, sort_keys=True)
               for c in found if c.rule in COUNTING_RULES)


async def evaluate(hub: Hub, *, now_ms: int | None = None) -> list[str]:
    """Run the rules once; writes (one transaction) only when an alert opens or closes."""
    now = hub.clock.now_ms() if now_ms is None else now_ms
    found = await conditions(hub, now)
    if _unchanged(found, await sql.open_details(hub.db)):
        return []  # nothing opens, nothing closes, no count moved
    return await hub.db.write("evaluate_alerts", lambda c: _apply_txn(hub, c, found, now))


def alert_json(row: Any) -> dict[str, Any]:
    return {"alert_id": row["alert_id"], "rule": row["rule"], "subject": row["subject"],
            "organ_id": row["organ_id"], "state": "open" if row["closed_ts"] is None
            else "closed", "message_vi": row["message_vi"], "message_en": row["message_en"],
            "details": json.loads(row["details_json"]), "raised_at": iso_ms(row["raised_ts"]),
            "closed_at": iso_ms(row["closed_ts"]), "notified_at": iso_ms(row["notified_ts"]),
            "log_index": row["log_index"]}


async def list_alerts(hub: Hub, *, state: str | None = None, organ_id: str | None = None,
                      limit: int = 100) -> list[dict[str, Any]]:
    """Newest first; `state` "open" or "closed" filters, None lists both."""
    return [alert_json(r) for r in await sql.alerts(hub.db, state=state, organ_id=organ_id,
                                                    limit=limit)]


async def notify(hub: Hub, session: aiohttp.ClientSession) -> int:
    """POST every open alert the webhook has not accepted yet (new ones, and those a dead
    webhook missed); returns how many it accepted. Network first, then one write."""
    rules = hub.config.alerts
    if not rules.webhook_url:
        return 0
    delivered: list[str] = []
    failed: list[str] = []
    for row in await sql.unnotified(hub.db, NOTIFY_BATCH):
        ok = await post_json(session, rules.webhook_url, alert_json(row),
                             retries=rules.webhook_retries, backoff_ms=rules.webhook_backoff_ms)
        (delivered if ok else failed).append(row["alert_id"])
    if delivered or failed:
        await hub.db.write("record_alert_notifications", lambda c: sql.record_notifications_txn(
            c, delivered, failed, hub.clock.now_ms()))
    return len(delivered)
