"""Small pieces of markup the pages share: form fields, tables, badges, unit names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docexchange.dashboard.layout import View, url
from docexchange.dashboard.markup import Safe, attrs, html, join
from docexchange.hub import Hub


def field(text: str, name: str, value: str, *, kind: str = "text") -> Safe:
    return html('<label>{text}<input type="{kind}" name="{name}" value="{value}"></label>',
                text=text, kind=kind, name=name, value=value)


def select(text: str, name: str, options: Sequence[tuple[str, str]], chosen: str) -> Safe:
    items = join(html("<option{a}>{label}</option>",
                      a=attrs(value=value, selected=value == chosen), label=label)
                 for value, label in options)
    return html('<label>{text}<select name="{name}">{items}</select></label>',
                text=text, name=name, items=items)


def table(head: Sequence[str], rows: Sequence[Sequence[Any]], *, testid: str,
          row_attrs: Sequence[Safe] | None = None) -> Safe:
    """A table; cells are escaped unless already `Safe` markup."""
    thead = join(html("<th>{h}</th>", h=h) for h in head)
    body = join(html("<tr{a}>{cells}</tr>", a=row_attrs[i] if row_attrs else Safe(""),
                     cells=join(html("<td>{c}</td>", c=c) for c in row))
                for i, row in enumerate(rows))
    return html('<table data-testid="{testid}"><thead><tr>{thead}</tr></thead>'
                '<tbody>{body}</tbody></table>', testid=testid, thead=thead, body=body)


def when(text: str) -> Safe:
    """A date and time that never breaks across lines."""
    return html('<span class="when">{text}</span>', text=text)


def state_badge(v: View, state: str) -> Safe:
    return html('<span class="badge {state}">{text}</span>', state=state,
                text=v.label("dstate", state))


def unit_state_badge(v: View, state: str) -> Safe:
    return html('<span class="badge u-{state}" data-testid="unit-state">{text}</span>',
                state=state, text=v.label("state", state))


def unit_name(hub: Hub, organ_id: str | None) -> str:
    unit = hub.directory.get(organ_id) if organ_id else None
    return unit.name if unit else (organ_id or "")


def unit_cell(hub: Hub, organ_id: str | None) -> Safe:
    """A unit's name linked to its page, with its code below."""
    if not organ_id:
        return Safe("–")
    return html('<a href="{href}">{name}</a> <span class="code">{code}</span>',
                href=url(f"/units/{organ_id}"), name=unit_name(hub, organ_id), code=organ_id)
