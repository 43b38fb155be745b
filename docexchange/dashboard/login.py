"""Log in and out. The login form has its own CSRF token (a cookie echoed in the form) because
no session exists yet; a new session is opened on every login (no session fixation)."""

from __future__ import annotations

import math
import secrets

from aiohttp import web

from docexchange.admin.operators import check_login
from docexchange.appkeys import HUB_KEY
from docexchange.dashboard.i18n import t
from docexchange.dashboard.keys import LOGIN_THROTTLE_KEY
from docexchange.dashboard.layout import View, page, redirect, url, view
from docexchange.dashboard.markup import Safe, html
from docexchange.dashboard.middlewares import safe_next
from docexchange.dashboard.sessions import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    close_session,
    open_session,
    set_cookie,
    set_session_cookie,
)
from docexchange.errors import DocExchangeError

routes = web.RouteTableDef()


@routes.get("/login", name="login")
async def login_page(request: web.Request) -> web.Response:
    v = view(request)
    if v.session is not None:
        return redirect(safe_next(request.query.get("next")))
    notice = {"expired": "login.expired", "out": "login.logged_out"}.get(
        request.query.get("msg", ""))
    return _form(request, v, request.query.get("next", ""), "",
                 v.t(notice) if notice else "", error=False)


@routes.post("/login", name="login")
async def login(request: web.Request) -> web.Response:
    """Throttled (dashboard/throttle.py: 429 DX_RATE_LIMITED, decided and counted before the
    password is hashed, so a blocked guess costs nothing and concurrent guesses cannot slip
    past the count); a wrong password re-shows the form."""
    v = view(request)
    form = await request.post()
    name, password = str(form.get("name", ""))[:64], str(form.get("password", ""))[:1024]
    throttle = request.app[LOGIN_THROTTLE_KEY]
    address = request.remote or ""
    wait = throttle.admit(address, name)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        raise DocExchangeError("DX_RATE_LIMITED", t("vi", "error.429", minutes=minutes),
                               t("en", "error.429", minutes=minutes),
                               retry_after=math.ceil(wait))
    operator = await check_login(request.config_dict[HUB_KEY], name, password)
    if operator is None:  # admit() already counted the failure
        return _form(request, v, str(form.get("next", "")), name, v.t("login.failed"),
                     error=True)
    throttle.succeeded(address, name)
    response = redirect(safe_next(form.get("next")))
    set_session_cookie(response, request,
                       await open_session(request.config_dict[HUB_KEY], operator))
    clear_cookie(response, LOGIN_CSRF_COOKIE)
    return response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    v = view(request)
    if v.session is not None:
        await close_session(request.config_dict[HUB_KEY], v.session)
    response = redirect(url("/login?msg=out"))
    clear_cookie(response, SESSION_COOKIE)
    return response


def _form(request: web.Request, v: View, next_url: str, name: str, message: str, *,
          error: bool) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    note = (html('<p class="{cls}" data-testid="{tid}" role="alert">{message}</p>',
                 cls="error" if error else "notice", tid="login-error" if error else "notice",
                 message=message) if message else Safe(""))
    body = html(
        '<form method="post" action="{action}" class="login" data-testid="login-form">{note}'
        '<input type="hidden" name="csrf" value="{token}">'
        '<input type="hidden" name="next" value="{next}">'
        '<label>{l_name}<input name="name" value="{name}" autocomplete="username" required '
        'autofocus></label>'
        '<label>{l_password}<input name="password" type="password" '
        'autocomplete="current-password" required></label>'
        '<button type="submit">{submit}</button></form>',
        action=url("/login"), note=note, token=token, next=next_url, name=name,
        l_name=v.t("login.name"), l_password=v.t("login.password"), submit=v.t("login.submit"))
    response = page(v, v.t("login.title"), body)
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response
