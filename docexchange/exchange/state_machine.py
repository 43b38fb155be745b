"""The delivery state machine (docs/delivery-states.md is its human description).

One delivery = one document to one recipient. Transport states come first (pending → fetched
→ received); the recipient's business statuses (edXML StatusCode) move it forward; the sender
may ask for a recall (13), which the recipient accepts (15: the delivery ends as 'recalled') or
refuses (16). The recall sits in its own field so the business state is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from docexchange.errors import DocExchangeError

#: state -> rank on the forward path; moving to a lower rank is illegal
RANK = {"pending": 0, "fetched": 1, "received": 2, "registered": 3, "assigned": 4,
        "processing": 5, "completed": 6}
TERMINAL = {"refused", "recalled"}
STATUS_STATE = {"01": "received", "02": "refused", "03": "registered", "04": "assigned",
                "05": "processing", "06": "completed"}
RECIPIENT_CODES = frozenset({"01", "02", "03", "04", "05", "06", "15", "16"})
SENDER_CODES = frozenset({"13"})
ALL_CODES = RECIPIENT_CODES | SENDER_CODES


@dataclass(frozen=True)
class Transition:
    state: str
    recall: str
    implies_receipt: bool  # a business status before any ack also means "it arrived"


def _illegal(state: str, code: str, why_en: str, why_vi: str) -> DocExchangeError:
    return DocExchangeError(
        "DX_BAD_TRANSITION", f"Không thể nhận trạng thái {code} khi văn bản đang ở trạng thái "
        f"'{state}': {why_vi}.", f"Status {code} is not allowed in state '{state}': {why_en}.",
        state=state, status_code=code)


def apply_status(state: str, recall: str, code: str, *, is_change: bool) -> Transition:
    """The delivery after status `code`; raises DX_BAD_TRANSITION when it is not allowed.

    `is_change`: the document is itself a revoke/update/replace (BussinessDocType 1-3), which
    the recipient may answer with 15 (accepted) or 16 (refused) without a recall.
    """
    if code == "13":
        if state in TERMINAL or recall == "requested":
            raise _illegal(state, code, "the document is closed or already being recalled",
                           "văn bản đã kết thúc hoặc đang được yêu cầu lấy lại")
        return Transition(state, "requested", False)
    if code in ("15", "16"):
        if recall != "requested" and not is_change:
            raise _illegal(state, code, "there is no recall or update to answer",
                           "không có yêu cầu lấy lại hoặc cập nhật để trả lời")
        if recall != "requested":
            return Transition(state, recall, False)
        if code == "15":
            return Transition("recalled", "accepted", False)
        return Transition(state, "refused", False)
    if state in TERMINAL:
        raise _illegal(state, code, "the delivery is closed", "văn bản đã kết thúc")
    target = STATUS_STATE[code]
    if target == "refused":
        if state == "completed":
            raise _illegal(state, code, "a completed document cannot be refused",
                           "văn bản đã hoàn thành không thể từ chối")
    elif RANK[target] < RANK[state]:
        raise _illegal(state, code, "statuses only move forward",
                       "trạng thái chỉ được chuyển tiếp, không quay lại")
    return Transition(target, recall, RANK[state] < RANK["received"])


def is_received(state: str) -> bool:
    return state in TERMINAL or RANK.get(state, 0) >= RANK["received"]
