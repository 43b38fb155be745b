"""The push endpoint block of a unit's page: the URL and its state; admins approve or
disable it here (the same service as the ops API and `docexchange push`)."""

from __future__ import annotations

from aiohttp import web

from docexchange.appkeys import HUB_KEY
from docexchange.dashboard.layout import View, redirect, url, view
from docexchange.dashboard.markup import Safe, html, join
from docexchange.errors import DocExchangeError
from docexchange.hub import Hub
from docexchange.push import endpoints

routes = web.RouteTableDef()


@routes.post("/units/{organ_id}/push-approve", name="unit-push-approve")
async def approve(request: web.Request) -> web.Response:
    return await _decide(request, "approved")


@routes.post("/units/{organ_id}/push-disable", name="unit-push-disable")
async def disable(request: web.Request) -> web.Response:
    return await _decide(request, "disabled")


async def _decide(request: web.Request, state: str) -> web.Response:
    v, hub = view(request), request.config_dict[HUB_KEY]
    assert v.session is not None  # the session guard let this request in
    if not v.session.operator.is_admin:
        raise DocExchangeError("DX_FORBIDDEN", "Cần quyền quản trị.", "Admin role required.")
    organ_id = request.match_info["organ_id"]
    form = await request.post()
    await endpoints.decide(hub, organ_id, v.session.operator.name, state,
                           allow_http=form.get("allow_http") == "on")
    return redirect(url(f"/units/{organ_id}"))


async def push_block(v: View, hub: Hub, organ_id: str) -> Safe:
    row = await endpoints.endpoint_row(hub, organ_id)
    if row is None:
        return html('<h2>{h}</h2><p class="empty" data-testid="push-none">{t}</p>',
                    h=v.t("push.title"), t=v.t("push.none"))
    info = html('<dl class="meta" data-testid="push-endpoint"><dt>{u}</dt><dd><code>{url}</code>'
                '</dd><dt>{s}</dt><dd data-state="{state}">{state}</dd></dl>',
                u=v.t("push.url"), url=row["url"], s=v.t("push.state"), state=row["state"])
    forms = Safe("")
    if v.is_admin():
        http = (html('<label><input type="checkbox" name="allow_http"> {t}</label>',
                     t=v.t("push.allow_http")) if row["url"].startswith("http://") else Safe(""))
        forms = join(html('<form method="post" action="{action}" class="action">{csrf}{extra}'
                          '<button type="submit" data-testid="push-{name}">{text}</button>'
                          '</form>', action=url(f"/units/{organ_id}/push-{name}"),
                          csrf=v.csrf_field(), extra=http if name == "approve" else Safe(""),
                          name=name, text=v.t(f"push.{name}"))
                     for name in ("approve", "disable"))
    return html('<h2>{h}</h2>{info}{forms}', h=v.t("push.title"), info=info, forms=forms)
