"""Alerts in words: the rule's name, what happened (times in the province's local time) and
what to do, in Vietnamese and English. Used for the stored messages (webhook, e-mail) and by
the dashboard, which words even older alerts again from their details.

Pure functions: they read only an alert's rule, unit name and details.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

#: rule -> ((name vi, name en), (what to do vi, what to do en))
RULES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "disconnected": (
        ("Mất kết nối", "Not connected"),
        ("Gọi cho người liên hệ của đơn vị: kiểm tra máy chủ phần mềm quản lý văn bản còn chạy "
         "và còn kết nối tới trục; nếu khóa API bị lộ hoặc mất, cấp lại khóa trên trang đơn vị.",
         "Call the unit's contact: check that its document-management server runs and reaches "
         "the hub; if its API key was lost or leaked, re-issue it on the unit's page.")),
    "backlog": (
        ("Văn bản tồn đọng", "Deliveries waiting"),
        ("Nhắc văn thư đơn vị nhận và xác nhận văn bản; nếu phần mềm không lấy được, dùng "
         "“gửi văn bản thử” trên trang đơn vị để kiểm tra kết nối.",
         "Ask the unit's clerk to receive and acknowledge them; if its software cannot fetch, "
         "use \"send a test document\" on the unit's page to check the connection.")),
    "credential_expiring": (
        ("Chứng thư/khóa sắp hết hạn", "Credential expiring"),
        ("Cấp khóa API hoặc chứng thư ký số mới cho đơn vị trước ngày hết hạn và báo đơn vị "
         "cập nhật phần mềm.",
         "Issue a new API key or signing certificate before it expires and ask the unit to "
         "update its software.")),
    "classified_refused": (
        ("Từ chối văn bản mật", "Classified document refused"),
        ("Liên hệ đơn vị gửi: văn bản mật không được gửi qua trục; hướng dẫn gửi theo đường "
         "văn bản mật.",
         "Contact the sender: classified documents may not go through the hub; point them to "
         "the classified channel.")),
}


def local_time(iso: str | None, zone: ZoneInfo, lang: str = "vi") -> str:
    """An API time (ISO 8601 UTC) as the province's wall-clock time, with its offset named."""
    if not iso:
        return "–"
    local = dt.datetime.fromisoformat(iso).astimezone(zone)
    return local.strftime("%H:%M %d/%m/%Y" if lang == "vi" else "%Y-%m-%d %H:%M")


def rule_name(rule: str, lang: str) -> str:
    names = RULES.get(rule)
    return names[0][lang == "en"] if names else rule


def advice(rule: str, lang: str) -> str:
    found = RULES.get(rule)
    return found[1][lang == "en"] if found else ""


def describe(rule: str, unit: str, details: Mapping[str, Any], zone: ZoneInfo,
             lang: str) -> str:
    """What happened, in one sentence; `unit` is "Name (code)" or a code."""
    def at(key: str) -> str:
        return local_time(details.get(key), zone, lang)
    vi = lang != "en"
    if rule == "disconnected":
        return (f"{unit} không kết nối từ {at('last_contact_at')}." if vi else
                f"{unit} has not connected since {at('last_contact_at')}.")
    if rule == "backlog":
        n = details.get("backlog", "?")
        return (f"{unit} có {n} văn bản chưa xác nhận, cũ nhất từ {at('oldest_backlog_at')}."
                if vi else f"{unit} has {n} unacknowledged deliveries, the oldest since "
                f"{at('oldest_backlog_at')}.")
    if rule == "credential_expiring":
        what = ("khóa API" if vi else "API key") if details.get("credential") == "api_key" \
            else ("chứng thư ký số" if vi else "signing certificate")
        return (f"{unit}: {what} {details.get('key_id', '')} hết hạn lúc {at('expires_at')}."
                if vi else f"{unit}: {what} {details.get('key_id', '')} expires at "
                f"{at('expires_at')}.")
    if rule == "classified_refused":  # one alert per sender, counting its refusals
        n = details.get("refusals", 1)
        last = at("last_refused_at") if details.get("last_refused_at") else at("refused_at")
        return (f"Đã từ chối {n} gói tin có dấu độ mật do {unit} gửi trong 24 giờ qua (lần "
                f"cuối lúc {last})." if vi else f"{n} packet(s) bearing a secrecy mark sent by "
                f"{unit} were refused in the last 24 hours (the last at {last}).")
    return unit


def message(rule: str, unit: str, details: Mapping[str, Any], zone: ZoneInfo,
            lang: str) -> str:
    """The whole alert in words: name, what happened, what to do."""
    return f"{rule_name(rule, lang)}: {describe(rule, unit, details, zone, lang)} " \
           f"{advice(rule, lang)}".rstrip()
