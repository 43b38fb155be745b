"""Document search and the document page: metadata and the per-recipient timeline.

Operators see every document's metadata and delivery record, never its body (DESIGN.md §7):
nothing here reads the stored payload.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from docexchange.appkeys import HUB_KEY
from docexchange.dashboard.i18n import t
from docexchange.dashboard.layout import View, page, url, view
from docexchange.dashboard.markup import Safe, html, join
from docexchange.dashboard.widgets import (
    field,
    select,
    state_badge,
    table,
    unit_cell,
    when,
)
from docexchange.delivery.service import operator_timeline
from docexchange.edxml import STATUS_CODES
from docexchange.errors import DocExchangeError
from docexchange.exchange.state_machine import RANK, TERMINAL
from docexchange.hub import Hub
from docexchange.monitor import lookup
from docexchange.monitor.lookup import DocumentQuery, document_metadata, search_by_fields

routes = web.RouteTableDef()
PAGE_SIZE = 100
STATES = (*RANK, *sorted(TERMINAL))
FIELDS = ("q", "document_id", "code", "sender", "recipient", "date_from", "date_to", "state")


@routes.get("/documents", name="documents")
async def documents_page(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    form = {name: request.query.get(name, "").strip()[:200] for name in FIELDS}
    if form["q"]:  # words of a subject or number: the same search as /api/v1/ops/documents
        rows = [_row(d) for d in await lookup.find_documents(hub, form["q"],
                                                             limit=PAGE_SIZE + 1)]
    else:
        rows = [_row(r) for r in await search_by_fields(hub, _query(form, v))]
    body = html('{form}{results}{reports}', form=_search_form(v, form),
                results=_results(v, hub, rows), reports=_report_form(v, form))
    return page(v, v.t("docs.title"), body, active="documents")


@routes.get("/documents/{message_id}", name="document")
async def document_page(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    message = await document_metadata(hub, request.match_info["message_id"])
    if message is None or message["kind"] != "document":
        raise web.HTTPNotFound()
    timeline = await operator_timeline(hub.exchange, message["message_id"])
    code = f"{message['code_number']}/{message['code_notation']}"
    notice = (html('<p class="notice" data-testid="notice">{t}</p>', t=v.t("units.trial_sent"))
              if request.query.get("trial") else Safe(""))
    body = html('{notice}{meta}<h2>{h}</h2>{timeline}', notice=notice,
                meta=_metadata(v, hub, message), h=v.t("doc.timeline"),
                timeline=_timeline(v, hub, timeline))
    return page(v, v.t("doc.title", code=code), body, active="documents")


def _query(form: dict[str, str], v: View) -> DocumentQuery:
    state = form["state"] if form["state"] in STATES else ""
    return DocumentQuery(document_id=form["document_id"], code=form["code"],
                         sender=form["sender"], recipient=form["recipient"],
                         from_ts=_day_start(form["date_from"], v, 0),
                         until_ts=_day_start(form["date_to"], v, 1), state=state,
                         limit=PAGE_SIZE + 1)


def _row(r: Any) -> dict[str, Any]:
    """A result of either search, in one shape."""
    code = r["code"] if "code" in r.keys() else f"{r['code_number']}/{r['code_notation']}"
    sender = r["sender"] if "sender" in r.keys() else r["sender_id"]
    return {"accepted_ts": r["accepted_ts"], "message_id": r["message_id"],
            "document_id": r["document_id"], "code": code, "subject": r["subject"],
            "sender": sender, "received": r["received"], "recipients": r["recipients"]}


def _report_form(v: View, form: dict[str, str]) -> Safe:
    """Download the documents of the chosen days as Excel (GET form: it changes nothing)."""
    fields = join([field(v.t("docs.date_from"), "from", form["date_from"], kind="date"),
                   field(v.t("docs.date_to"), "to", form["date_to"], kind="date")])
    return html('<form method="get" action="{action}" class="filters" '
                'data-testid="documents-report">{fields}<button type="submit" '
                'data-testid="download-documents">{submit}</button></form>',
                action=url("/reports/documents.xlsx"), fields=fields,
                submit=v.t("reports.documents"))


def _day_start(text: str, v: View, plus_days: int) -> int | None:
    """Local midnight of `text` (+ days) in UTC ms; the range's end day is included."""
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) + dt.timedelta(days=plus_days)
    except ValueError as exc:
        raise DocExchangeError("DX_BAD_REQUEST", t("vi", "docs.bad_date"),
                               t("en", "docs.bad_date")) from exc
    return int(dt.datetime.combine(day, dt.time(), v.zone).timestamp() * 1000)


def _search_form(v: View, form: dict[str, str]) -> Safe:
    states = [("", v.t("units.any"))] + [(s, v.label("dstate", s)) for s in STATES]
    fields = join([
        field(v.t("docs.words"), "q", form["q"], kind="search"),
        field(v.t("docs.document_id"), "document_id", form["document_id"]),
        field(v.t("docs.code"), "code", form["code"]),
        field(v.t("docs.sender"), "sender", form["sender"]),
        field(v.t("docs.recipient"), "recipient", form["recipient"]),
        field(v.t("docs.date_from"), "date_from", form["date_from"], kind="date"),
        field(v.t("docs.date_to"), "date_to", form["date_to"], kind="date"),
        select(v.t("docs.state"), "state", states, form["state"]),
    ])
    return html('<form method="get" action="{action}" class="filters" data-testid="doc-search">'
                '{fields}<button type="submit">{submit}</button></form>',
                action=url("/documents"), fields=fields, submit=v.t("docs.search"))


def _results(v: View, hub: Hub, rows: list[dict[str, Any]]) -> Safe:
    if not rows:
        return html('<p class="empty" data-testid="docs-empty">{t}</p>', t=v.t("docs.none"))
    more = (html('<p class="notice">{t}</p>', t=v.t("docs.more", limit=PAGE_SIZE))
            if len(rows) > PAGE_SIZE else Safe(""))
    body = [[when(v.when(r["accepted_ts"])),
             html('<a href="{href}" data-testid="doc-link">{text}</a>',
                  href=url(f"/documents/{r['message_id']}"), text=r["document_id"]),
             r["code"], r["subject"], unit_cell(hub, r["sender"]),
             f"{r['received']}/{r['recipients']}"]
            for r in rows[:PAGE_SIZE]]
    head = [v.t(k) for k in ("docs.accepted", "docs.document_id", "docs.code", "docs.subject",
                             "docs.sender", "docs.recipients")]
    return html("{more}{table}", more=more, table=table(head, body, testid="docs-table"))


def _metadata(v: View, hub: Hub, m: Any) -> Safe:
    rows = [
        (v.t("doc.message_id"), m["message_id"]),
        (v.t("docs.document_id"), m["document_id"]),
        (v.t("docs.code"), f"{m['code_number']}/{m['code_notation']}"),
        (v.t("docs.subject"), m["subject"]),
        (v.t("docs.sender"), unit_cell(hub, m["sender_id"])),
        (v.t("doc.business_type"), v.label("btype", str(m["business_type"]))),
        (v.t("doc.priority"), v.label("priority", str(m["priority"]))),
        (v.t("doc.due_date"), m["due_date"] or "–"),
        (v.t("docs.accepted"), v.when(m["accepted_ts"])),
        (v.t("doc.size"), m["size"]),
        (v.t("doc.sha256"), html("<code>{s}</code>", s=m["sha256"])),
        (v.t("doc.log_index"), "–" if m["log_index"] is None else m["log_index"]),
        (v.t("doc.signature"), html('<span data-testid="doc-signature" data-signature="{s}">'
                                    '{label}</span>', s=m["signature"],
                                    label=v.label("sig", m["signature"]))),
        (v.t("doc.signer"), m["signer_key_id"] or "–"),
    ]
    items = join(html("<dt>{k}</dt><dd>{val}</dd>", k=k, val=val) for k, val in rows)
    return html('<h2>{h}</h2><dl class="meta" data-testid="doc-meta">{items}</dl>',
                h=v.t("doc.metadata"), items=items)


def _timeline(v: View, hub: Hub, timeline: dict[str, Any]) -> Safe:
    cards = []
    for d in timeline["deliveries"]:
        events = [[when(v.when_iso(e["at"])), _event_text(v, e), unit_cell(hub, e["actor"]),
                   e["note"]] for e in d["events"]]
        head = [v.t(k) for k in ("doc.at", "doc.event", "doc.actor", "doc.note")]
        cards.append(html(
            '<section class="card delivery" data-testid="delivery" data-recipient="{code}">'
            '<h3>{unit} {badge}</h3>{history}<p class="muted">{l_fetched}: {fetched} · '
            '{l_acked}: {acked}{recall}</p>{events}</section>',
            code=d["recipient"], unit=unit_cell(hub, d["recipient"]),
            history=_history(v, d),
            badge=state_badge(v, d["state"]), l_fetched=v.t("doc.fetched"),
            fetched=v.when_iso(d["fetched_at"]), l_acked=v.t("doc.acked"),
            acked=v.when_iso(d["acked_at"]),
            recall=html(" · {l}: {r}", l=v.t("doc.recall"), r=d["recall"]) if d["recall"]
            else Safe(""), events=table(head, events, testid="events")))
    return join(cards)


def _history(v: View, d: dict[str, Any]) -> Safe:
    """The recipient as it was when the document was sent (name, code, parent of that day),
    and the unit a reorganisation moved the delivery from: the card's heading shows today's
    unit, which a merger or a rename may have changed since."""
    at = d.get("recipient_at_send")
    lines = []
    if at:
        parent = (v.t("doc.under", name=at["parent_name"] or at["parent"], code=at["parent"])
                  if at["parent"] else "")
        lines.append(html('<p class="history" data-testid="at-send">{label}: {name} '
                          '<span class="code">{code}</span>{parent}</p>',
                          label=v.t("doc.at_send"), name=at["name"], code=at["organ_id"],
                          parent=parent))
    if d.get("routed_from"):
        lines.append(html('<p class="history" data-testid="routed-from">{text}</p>',
                          text=v.t("doc.routed_from", code=d["routed_from"],
                                   now=d["recipient"])))
    return join(lines)


def _event_text(v: View, e: dict[str, Any]) -> str:
    """"trạng thái 03 – đã tiếp nhận", never a bare code."""
    text = v.label("event", e["event"])
    if not e["status_code"]:
        return text
    return f"{text} {status_name(v, e['status_code'])}"


def status_name(v: View, code: str) -> str:
    """A QCVN 102 status code with its name (edXML's own Vietnamese words; English here)."""
    name = v.label("status", code)
    if name == code:
        name = STATUS_CODES.get(code, "")
    return v.t("status.named", code=code, name=name) if name else code

