"""A unit's lifetime as the exchange enforces it: not before its first day, a grace after
its last.

A unit created by a plan with a future date exists in the directory (its DMS can be set up and
poll an empty inbox) but neither sends nor receives before that date: routing refuses it as a
recipient and `check_not_before_start` refuses it as a sender, each with the date.

After its last valid day a retired unit can no longer send documents (exchange/accept.py),
but for `exchange.retired_grace_days` more days it may still poll its inbox, fetch, acknowledge
and report statuses, so nothing in flight is lost; after that it is refused.
"""

from __future__ import annotations

import datetime as dt

from docexchange.errors import DocExchangeError
from docexchange.exchange.context import ExchangeContext


def check_not_before_start(ctx: ExchangeContext, caller: str) -> None:
    """Raises DX_UNIT_NOT_YET_VALID when the caller's first valid day is still to come."""
    unit = ctx.directory.get(caller)
    if unit is not None and unit.valid_from > ctx.directory.today(ctx.config.zone):
        raise DocExchangeError(
            "DX_UNIT_NOT_YET_VALID", f"Đơn vị {caller} chỉ bắt đầu hoạt động từ ngày "
            f"{unit.valid_from}; trước ngày đó đơn vị chưa gửi được văn bản hay trạng thái.",
            f"Unit {caller} exists only from {unit.valid_from}; it cannot send documents or "
            "statuses before that day.", valid_from=unit.valid_from.isoformat())


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
