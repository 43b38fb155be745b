"""The page shell every dashboard page shares, and the per-request `View` that formats
times, numbers and labels in the operator's language and the province's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aiohttp import web

from docexchange.appkeys import CONFIG_KEY
from docexchange.dashboard.i18n import DEFAULT_LANG, label, t
from docexchange.dashboard.keys import DASHBOARD_LANG_KEY, DASHBOARD_SESSION_KEY
from docexchange.dashboard.markup import Safe, html, join
from docexchange.dashboard.sessions import DashboardSession

PREFIX = "/dashboard"
NAV = (("overview", "/"), ("units", "/units"), ("documents", "/documents"), ("audit", "/audit"))
DASH = "–"


@dataclass(frozen=True)
class View:
    """What a page needs to know about who is looking, and in which language."""

    request: web.Request
    lang: str
    session: DashboardSession | None
    zone: ZoneInfo

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def label(self, prefix: str, value: str | None) -> str:
        return label(self.lang, prefix, value)

    def when(self, ts_ms: int | None) -> str:
        """A UTC millisecond time as local wall-clock time ('–' for none)."""
        if ts_ms is None:
            return DASH
        local = dt.datetime.fromtimestamp(ts_ms / 1000, self.zone)
        return local.strftime("%d/%m/%Y %H:%M" if self.lang == "vi" else "%Y-%m-%d %H:%M")

    def when_iso(self, iso: str | None) -> str:
        """An API time (ISO 8601) as local wall-clock time."""
        if iso is None:
            return DASH
        return self.when(int(dt.datetime.fromisoformat(iso).timestamp() * 1000))

    def number(self, value: float | None) -> str:
        """A figure exactly as the ops API gives it, with the language's decimal mark."""
        if value is None:
            return DASH
        text = str(value)
        return text.replace(".", ",") if self.lang == "vi" else text

    def duration(self, seconds: int) -> str:
        """A threshold in the largest whole unit: 3600 -> "1 giờ", 900 -> "15 phút"."""
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            if seconds >= size and seconds % size == 0:
                return self.t(f"dur.{unit}", n=seconds // size)
        return self.t("dur.s", n=seconds)

    def age(self, seconds: int) -> str:
        """How long something has waited, roughly: "2 giờ 5 phút", "3 ngày 4 giờ"."""
        days, rest = divmod(max(0, seconds), 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        parts = [(days, "d"), (hours, "h"), (minutes, "min")]
        shown = [self.t(f"dur.{u}", n=n) for n, u in parts if n][:2]
        return " ".join(shown) or self.t("dur.s", n=seconds)

    def csrf_field(self) -> Safe:
        token = self.session.csrf if self.session else ""
        return html('<input type="hidden" name="csrf" value="{token}">', token=token)

    def is_admin(self) -> bool:
        return self.session is not None and self.session.operator.is_admin


def view(request: web.Request) -> View:
    return View(request, request.get(DASHBOARD_LANG_KEY, DEFAULT_LANG),
                request.get(DASHBOARD_SESSION_KEY), request.config_dict[CONFIG_KEY].zone)


def url(path: str) -> str:
    return PREFIX + path


def page(v: View, title: str, body: Safe, *, active: str = "", status: int = 200,
         heading: bool = True) -> web.Response:
    """A whole HTML page; `body` is markup built with `html()`, so already escaped."""
    text = html(
        '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>{title} · docexchange</title>'
        '<link rel="stylesheet" href="{css}"></head><body>'
        '<header class="top">{brand}{nav}{who}</header>'
        '<main>{h1}{body}</main></body></html>',
        lang=v.lang, title=title, css=url("/static/dashboard.css"), brand=_brand(v),
        nav=_nav(v, active), who=_who(v), body=body,
        h1=html("<h1>{title}</h1>", title=title) if heading else Safe(""))
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _brand(v: View) -> Safe:
    return html('<a class="brand" href="{home}">docexchange <span>{name}</span></a>',
                home=url("/"), name=v.t("app.title"))


def _nav(v: View, active: str) -> Safe:
    if v.session is None:
        return Safe("")
    links = (html('<a href="{href}"{cls}>{text}</a>', href=url(path), text=v.t(f"nav.{key}"),
                  cls=Safe(' class="active" aria-current="page"') if key == active else Safe(""))
             for key, path in NAV)
    return html('<nav>{links}</nav>', links=join(links))


def _who(v: View) -> Safe:
    other = "en" if v.lang == "vi" else "vi"
    switch = html('<a class="lang" data-testid="lang-switch" href="{href}">{text}</a>',
                  href=str(v.request.rel_url.update_query(lang=other)), text=v.t("nav.switch"))
    if v.session is None:
        return html('<div class="who">{switch}</div>', switch=switch)
    op = v.session.operator
    return html(
        '<div class="who"><span data-testid="operator">{name}</span> ({role}) {switch}'
        '<form method="post" action="{logout}" class="inline">{csrf}'
        '<button type="submit" class="link">{text}</button></form></div>',
        name=op.name, role=v.t(f"role.{op.role}"), switch=switch, logout=url("/logout"),
        csrf=v.csrf_field(), text=v.t("nav.logout"))


def error_page(v: View, status: int, message: str, *, code: str = "") -> web.Response:
    """`code`: the hub's stable error code (errors.py), for operators to quote."""
    body = html('<p class="error" data-testid="error" data-code="{code}">{message}</p>'
                '<p><a href="{home}">{back}</a></p>', code=code, message=message,
                home=url("/"), back=v.t("error.back"))
    return page(v, f"{v.t('error.title')} {status}", body, status=status)


def redirect(location: str) -> web.Response:
    """303 See Other as a plain response (returning HTTPException objects is deprecated)."""
    return web.Response(status=303, headers={"Location": location})
