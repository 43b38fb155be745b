"""Units: the filterable connectivity table, a unit's page, and the admins' credential
actions (revoke the API keys; re-issue one, shown once on the page that answers the POST)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from docexchange.appkeys import HUB_KEY
from docexchange.dashboard.layout import View, page, redirect, url, view
from docexchange.dashboard.lineage import lineage_block
from docexchange.dashboard.markup import Safe, attrs, html, join
from docexchange.dashboard.overview import report_buttons
from docexchange.dashboard.push_block import push_block
from docexchange.dashboard.widgets import (
    field,
    select,
    state_badge,
    table,
    unit_cell,
    unit_name,
    unit_state_badge,
    when,
)
from docexchange.hub import Hub
from docexchange.monitor import actions, connectivity, trial_send, unit_contacts
from docexchange.monitor.connection_state import STATES, UnitStatus
from docexchange.unit import KINDS, Unit

routes = web.RouteTableDef()


@routes.get("/units", name="units")
async def units_page(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    chosen = {k: request.query.get(k, "") for k in ("kind", "parent", "state")}
    statuses = await connectivity.unit_statuses(
        hub, kind=chosen["kind"] or None, parent=chosen["parent"] or None,
        state=chosen["state"] or None)
    body = html('{form}<p class="muted" data-testid="units-count">{count}</p>{table}{reports}',
                form=_filters(v, hub, chosen), count=v.t("units.count", count=len(statuses)),
                table=_table(v, hub, statuses), reports=report_buttons(v))
    return page(v, v.t("units.title"), body, active="units")


@routes.get("/units/{organ_id}", name="unit")
async def unit_page(request: web.Request) -> web.Response:
    v, revoked = view(request), request.query.get("revoked", "")
    notice = (html('<p class="notice" data-testid="notice">{t}</p>',
                   t=v.t("units.disabled_done", count=revoked)) if revoked.isdigit() else Safe(""))
    return await _unit_response(request, notice)


@routes.post("/units/{organ_id}/disable", name="unit-disable")
async def disable(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    assert v.session is not None  # the session guard let this request in
    change = await actions.disable_credentials(hub, request.match_info["organ_id"],
                                               v.session.operator)
    return redirect(url(f"/units/{change.organ_id}?revoked={change.revoked}"))


@routes.post("/units/{organ_id}/reissue", name="unit-reissue")
async def reissue(request: web.Request) -> web.Response:
    """Answers with the unit page itself: the new key appears once and is never stored."""
    v, hub = view(request), request.config_dict[HUB_KEY]
    assert v.session is not None
    change = await actions.reissue_credentials(hub, request.match_info["organ_id"],
                                               v.session.operator)
    return await _unit_response(request, html(
        '<div class="notice" data-testid="new-key"><p>{t}</p><code>{key}</code></div>',
        t=v.t("units.new_key"), key=change.api_key))


@routes.post("/units/{organ_id}/contact", name="unit-contact")
async def save_contact(request: web.Request) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    assert v.session is not None
    form = await request.post()
    contact = unit_contacts.checked(request.match_info["organ_id"], form.get("person"),
                                    form.get("phone"), form.get("email"))
    await unit_contacts.set_contact(hub, contact, v.session.operator)
    return redirect(url(f"/units/{contact.organ_id}?contact=saved"))


@routes.post("/units/{organ_id}/trial", name="unit-trial")
async def trial(request: web.Request) -> web.Response:
    """Send the test document, then show its timeline (fetched, acknowledged)."""
    v, hub = view(request), request.config_dict[HUB_KEY]
    assert v.session is not None
    message_id = await trial_send.send_test_document(hub, request.match_info["organ_id"],
                                                     v.session.operator)
    return redirect(url(f"/documents/{message_id}?trial=1"))


async def _unit_response(request: web.Request, message: Safe) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    detail = await connectivity.unit_detail(hub, request.match_info["organ_id"])
    status = detail["status"]
    if request.query.get("contact") == "saved":
        message = html('{m}<p class="notice" data-testid="notice">{t}</p>', m=message,
                       t=v.t("units.contact_saved"))
    children = await connectivity.unit_statuses(hub, parent=status["organ_id"])
    contact = await unit_contacts.get_contact(hub, status["organ_id"])
    body = html('{path}{message}{status}{lineage}{contact}{push}{children}{actions}<h2>{h_in}'
                '</h2>{docs_in}<h2>{h_out}</h2>{docs_out}', path=_path(v, hub, status["organ_id"]),
                message=message, status=_status(v, hub, status, detail["api_keys"]),
                lineage=lineage_block(v, hub, status["organ_id"]),
                contact=_contact(v, contact), children=_children(v, hub, children),
                push=await push_block(v, hub, status["organ_id"]),
                actions=_actions(v, status["organ_id"]) if v.is_admin() else Safe(""),
                h_in=v.t("units.docs_in"),
                docs_in=_docs(v, hub, detail["documents_in"], "docs.sender"),
                h_out=v.t("units.docs_out"), docs_out=_docs(v, hub, detail["documents_out"],
                                                                "docs.recipient"))
    return page(v, f"{status['name']} ({status['organ_id']})", body, active="units")


def _path(v: View, hub: Hub, organ_id: str) -> Safe:
    """Province → huyện → xã: the units above this one, each a link (drill back up)."""
    chain: list[Unit] = []
    unit = hub.directory.get(organ_id)
    while unit is not None and unit.parent_id and len(chain) < 10:
        unit = hub.directory.get(unit.parent_id)
        if unit is not None:
            chain.append(unit)
    if not chain:
        return Safe("")
    links = join((html('<a href="{href}">{name}</a>', href=url(f"/units/{u.organ_id}"),
                       name=u.name) for u in reversed(chain)), " › ")
    return html('<p class="path" data-testid="unit-path">{l}: {links}</p>',
                l=v.t("units.path"), links=links)


def _children(v: View, hub: Hub, children: list[UnitStatus]) -> Safe:
    """A district's communes (a province's departments and districts) with their state."""
    if not children:
        return Safe("")
    return html('<h2>{h} ({n})</h2>{table}', h=v.t("units.children"), n=len(children),
                table=_table(v, hub, children, testid="children-table"))


def _contact(v: View, contact: unit_contacts.Contact) -> Safe:
    """Whom to call; admins edit it in place (a plain form, no script)."""
    if v.is_admin():
        fields = join([field(v.t("units.contact_person"), "person", contact.person),
                       field(v.t("units.contact_phone"), "phone", contact.phone, kind="tel"),
                       field(v.t("units.contact_email"), "email", contact.email,
                             kind="email")])
        return html('<section class="panel"><h2>{h}</h2><form method="post" action="{action}" '
                    'class="filters" data-testid="contact-form">{csrf}{fields}'
                    '<button type="submit">{save}</button></form></section>',
                    h=v.t("units.contact"), action=url(f"/units/{contact.organ_id}/contact"),
                    csrf=v.csrf_field(), fields=fields, save=v.t("units.contact_save"))
    if not (contact.person or contact.phone or contact.email):
        return html('<h2>{h}</h2><p class="empty" data-testid="contact">{t}</p>',
                    h=v.t("units.contact"), t=v.t("units.contact_none"))
    items = join(html("<dt>{k}</dt><dd>{val}</dd>", k=v.t(f"units.contact_{k}"), val=val)
                 for k, val in (("person", contact.person), ("phone", contact.phone),
                                ("email", contact.email)))
    return html('<h2>{h}</h2><dl class="meta" data-testid="contact">{items}</dl>',
                h=v.t("units.contact"), items=items)


def _filters(v: View, hub: Hub, chosen: dict[str, str]) -> Safe:
    any_ = ("", v.t("units.any"))
    parents = sorted({u.parent_id for u in hub.directory.all_units() if u.parent_id})
    fields = join([
        select(v.t("units.kind"), "kind", [any_] + [(k, v.label("kind", k)) for k in KINDS],
               chosen["kind"]),
        select(v.t("units.parent"), "parent",
               [any_] + [(p, unit_name(hub, p)) for p in parents], chosen["parent"]),
        select(v.t("units.state"), "state", [any_] + [(s, v.label("state", s)) for s in STATES],
               chosen["state"]),
    ])
    return html('<form method="get" action="{action}" class="filters" data-testid="unit-filter">'
                '{fields}<button type="submit">{submit}</button></form>',
                action=url("/units"), fields=fields, submit=v.t("units.filter"))


def _table(v: View, hub: Hub, statuses: list[UnitStatus], *, testid: str = "units-table"
           ) -> Safe:
    if not statuses:
        return html('<p class="empty" data-testid="units-empty">{t}</p>', t=v.t("units.none"))
    head = [v.t(k) for k in ("units.code", "units.name", "units.kind", "units.parent",
                             "units.state", "units.last_contact", "units.backlog",
                             "units.credential_expiry")]
    rows = [[s.organ_id, html('<a href="{href}">{name}</a>', href=url(f"/units/{s.organ_id}"),
                              name=s.name), v.label("kind", s.kind),
             unit_name(hub, s.parent_id) or "–", unit_state_badge(v, s.state),
             when(v.when(s.last_contact_ts)) if s.last_contact_ts else v.t("units.never"),
             s.backlog, when(v.when(s.credential_expiry_ts))] for s in statuses]
    marks = [attrs(data_testid="unit-row", data_organ_id=s.organ_id, data_state=s.state,
                   data_kind=s.kind) for s in statuses]
    return table(head, rows, testid=testid, row_attrs=marks)


def _status(v: View, hub: Hub, s: dict[str, Any], keys: list[dict[str, Any]]) -> Safe:
    items = [
        (v.t("units.state"), unit_state_badge(v, s["state"])),
        (v.t("units.kind"), v.label("kind", s["kind"])),
        (v.t("units.parent"), unit_cell(hub, s["parent"])),
        (v.t("units.first_contact"), v.when_iso(s["first_contact_at"])),
        (v.t("units.last_contact"), v.when_iso(s["last_contact_at"])),
        (v.t("units.last_send"), v.when_iso(s["last_send_at"])),
        (v.t("units.last_poll"), v.when_iso(s["last_poll_at"])),
        (v.t("units.last_ack"), v.when_iso(s["last_ack_at"])),
        (v.t("units.backlog"), s["backlog"]),
        (v.t("units.oldest_backlog"), v.when_iso(s["oldest_backlog_at"])),
        (v.t("units.credential_expiry"), v.when_iso(s["credential_expiry_at"])),
        (v.t("units.api_keys"), join((k["key_id"] for k in keys), ", ") or "–"),
    ]
    dl = join(html("<dt>{k}</dt><dd>{val}</dd>", k=k, val=val) for k, val in items)
    return html('<h2>{h}</h2><dl class="meta" data-testid="unit-status">{dl}</dl>',
                h=v.t("units.status"), dl=dl)


def _actions(v: View, organ_id: str) -> Safe:
    forms = join(html(
        '<form method="post" action="{action}" class="action">{csrf}'
        '<label class="confirm"><input type="checkbox" name="confirm" required> {confirm}'
        '</label><button type="submit" class="danger" data-testid="{tid}">{text}</button>'
        '</form>', action=url(f"/units/{organ_id}/{name}"), csrf=v.csrf_field(),
        confirm=v.t(f"units.{name}_confirm"), tid=f"unit-{name}", text=v.t(f"units.{name}"))
        for name in ("disable", "reissue"))
    trial_form = html(
        '<form method="post" action="{action}" class="action">{csrf}<span class="muted">'
        '{intro}</span><button type="submit" data-testid="unit-trial">{text}</button></form>',
        action=url(f"/units/{organ_id}/trial"), csrf=v.csrf_field(),
        intro=v.t("units.trial_intro"), text=v.t("units.trial"))
    return html('<section class="panel admin"><h2>{h}</h2>{trial}{forms}</section>',
                h=v.t("units.actions"), trial=trial_form, forms=forms)


def _docs(v: View, hub: Hub, docs: list[dict[str, Any]], counterpart: str) -> Safe:
    if not docs:
        return html('<p class="empty">{t}</p>', t=v.t("docs.none"))
    head = [v.t(k) for k in ("docs.accepted", "docs.document_id", "docs.subject", counterpart,
                             "doc.state")]
    rows = [[when(v.when_iso(d["accepted_at"])),
             html('<a href="{href}">{text}</a>', href=url(f"/documents/{d['message_id']}"),
                  text=d["document_id"]), d["subject"], unit_cell(hub, d["counterpart"]),
             state_badge(v, d["state"])] for d in docs]
    return table(head, rows, testid="unit-docs")
