"""The unit page's reorganisation block: predecessors, successors, validity and whether the
OrganId is a placeholder. Self-contained (its own few strings) so that it sits on the unit page
with one call, whoever else changes that page."""

from __future__ import annotations

from docexchange.dashboard.layout import View
from docexchange.dashboard.markup import Safe, html, join
from docexchange.dashboard.widgets import unit_cell
from docexchange.hub import Hub

#: key -> (Vietnamese, English)
STRINGS: dict[str, tuple[str, str]] = {
    "title": ("Sắp xếp, sáp nhập", "Reorganisation"),
    "valid": ("Hiệu lực", "Valid"),
    "until": ("đến", "until"),
    "predecessors": ("Đơn vị tiền thân", "Predecessors"),
    "successors": ("Đơn vị kế thừa", "Successors"),
    "none": ("không có", "none"),
    "dissolved": ("giải thể, không có đơn vị kế thừa", "dissolved, no successor"),
    "placeholder": ("Mã định danh tạm (chưa có mã chính thức)",
                    "Placeholder OrganId (no official code yet)"),
}


def say(v: View, key: str) -> str:
    vi, en = STRINGS[key]
    return vi if v.lang == "vi" else en


def lineage_block(v: View, hub: Hub, organ_id: str) -> Safe:
    unit = hub.directory.lookup(organ_id)
    if unit is None:
        return Safe("")
    before = hub.directory.direct_predecessors(unit.organ_id)
    after = unit.all_successors
    valid = unit.valid_from.isoformat() + (
        f" {say(v, 'until')} {unit.valid_to.isoformat()}" if unit.valid_to else " –")
    links = lambda codes: join((unit_cell(hub, c) for c in codes), ", ")  # noqa: E731
    retired_alone = unit.valid_to is not None and not after
    items = [(say(v, "valid"), valid),
             (say(v, "predecessors"), links(before) if before else say(v, "none")),
             (say(v, "successors"), links(after) if after else
              say(v, "dissolved") if retired_alone else say(v, "none"))]
    dl = join(html("<dt>{k}</dt><dd>{val}</dd>", k=k, val=val) for k, val in items)
    mark = (html('<p class="notice" data-testid="placeholder">{t}</p>', t=say(v, "placeholder"))
            if unit.placeholder else Safe(""))
    return html('<h2>{h}</h2>{mark}<dl class="meta" data-testid="unit-lineage">{dl}</dl>',
                h=say(v, "title"), mark=mark, dl=dl)
