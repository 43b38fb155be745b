"""A unit that stopped existing keeps a grace period to take what it received before.

After its last valid day a retired unit can no longer send documents (exchange/accept.py),
but for `exchange.retired_grace_days` more days it may still poll its inbox, fetch, acknowledge
and report statuses, so nothing in flight is lost; after that it is refused.
"""

from __future__ import annotations

import datetime as dt

from docexchange.errors import DocExchangeError
from docexchange.exchange.context import ExchangeContext


def check_within_grace(ctx: ExchangeContext, caller: str) -> None:
    """Raises DX_UNIT_RETIRED once the caller's grace period is over."""
    unit = ctx.directory.get(caller)
    if unit is None or unit.valid_to is None:
        return
    today = ctx.directory.today(ctx.config.zone)
    last = unit.valid_to + dt.timedelta(days=ctx.config.exchange.retired_grace_days)
    if today > last:
        successors = ", ".join(unit.all_successors)
        raise DocExchangeError(
            "DX_UNIT_RETIRED", f"Đơn vị {caller} đã ngừng hoạt động từ {unit.valid_to}; thời "
            f"gian gia hạn kết thúc ngày {last}. Đơn vị kế thừa: {successors or 'không có'}.",
            f"Unit {caller} stopped on {unit.valid_to}; its grace period ended on {last}. "
            f"Successors: {successors or 'none'}.", successors=list(unit.all_successors))
