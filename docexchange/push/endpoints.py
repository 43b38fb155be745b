"""Registering and approving push endpoints: the services behind the API, CLI and dashboard.

A unit registers (or changes) its URL; it then waits, state 'pending', until an operator
approves it: a push endpoint is a door out of the hub, so a unit alone never opens one.
Plain http:// is accepted at registration but only pushed to when the approving operator
allowed it explicitly. Every change is an event of the evidence log.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from docexchange.errors import DocExchangeError
from docexchange.exchange.receipts import iso_ms
from docexchange.hub import Hub
from docexchange.push.guard import address_allowed, literal_address, networks
from docexchange.store import push as sql
from docexchange.store.tx import Tx

MAX_URL = 2048


def invalid_endpoint(url: str, en: str, vi: str) -> DocExchangeError:
    return DocExchangeError("DX_INVALID_ENDPOINT", f"Địa chỉ nhận đẩy không hợp lệ: {vi}.",
                            f"Invalid push endpoint: {en}.", url=url[:200])


def check_url(hub: Hub, url: str) -> str:
    """The URL if it may be registered; raises DX_INVALID_ENDPOINT naming why not."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise invalid_endpoint(str(url), f"a URL of at most {MAX_URL} characters is required",
                               f"cần một URL dài tối đa {MAX_URL} ký tự")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise invalid_endpoint(url, "only https:// URLs with a host name",
                               "chỉ chấp nhận URL https:// có tên máy chủ")
    if parts.username or parts.password or parts.fragment:
        raise invalid_endpoint(url, "no user name, password or fragment in the URL",
                               "URL không được chứa tên đăng nhập, mật khẩu hoặc phân đoạn #")
    literal = literal_address(parts.hostname)
    if literal and not address_allowed(literal, networks(hub.config.push.allowed_addresses)):
        raise invalid_endpoint(url, "loopback, link-local and private addresses are refused",
                               "không chấp nhận địa chỉ loopback, link-local hoặc mạng riêng")
    return url


def endpoint_json(row: Any) -> dict[str, Any]:
    return {"organ_id": row["organ_id"], "url": row["url"], "state": row["state"],
            "allow_http": bool(row["allow_http"]), "registered_at": iso_ms(row["registered_ts"]),
            "approved_at": iso_ms(row["approved_ts"]), "approved_by": row["approved_by"]}


def _no_endpoint(organ_id: str) -> DocExchangeError:
    return DocExchangeError("DX_NOT_FOUND", f"Đơn vị {organ_id} chưa đăng ký địa chỉ nhận đẩy.",
                            f"Unit {organ_id} has no push endpoint.", organ_id=organ_id)


async def register(hub: Hub, organ_id: str, url: str, actor: str) -> dict[str, Any]:
    """`actor`: the unit itself (API), or `cli:USER`."""
    check_url(hub, url)
    if hub.directory.get(organ_id) is None:
        raise DocExchangeError("DX_NOT_FOUND", f"Không có đơn vị {organ_id}.",
                               f"No unit {organ_id}.", organ_id=organ_id)

    def txn(conn: Tx) -> Any:
        sql.register_endpoint_txn(conn, organ_id, url, hub.clock.now_ms())
        hub.evidence.append_txn(conn, "push_endpoint_registered",
                                {"unit": organ_id, "url": url, "operator": actor},
                                units=(organ_id,))
        return sql.endpoint_txn(conn, organ_id)
    return endpoint_json(await hub.db.write("push_register", txn))


async def endpoint_row(hub: Hub, organ_id: str) -> Any:
    """The stored endpoint of a unit, or None."""
    return await sql.endpoint(hub.db, organ_id)


async def show(hub: Hub, organ_id: str) -> dict[str, Any]:
    row = await sql.endpoint(hub.db, organ_id)
    if row is None:
        raise _no_endpoint(organ_id)
    return endpoint_json(row)


async def listing(hub: Hub, state: str | None = None) -> list[dict[str, Any]]:
    return [endpoint_json(r) for r in await sql.endpoints(hub.db, state)]


async def queue_counts(hub: Hub) -> list[Any]:
    """Rows of (organ_id, state, n): the push queue per unit and state."""
    return await sql.queue_stats(hub.db)


async def decide(hub: Hub, organ_id: str, operator: str, state: str, *,
                 allow_http: bool = False) -> dict[str, Any]:
    """An operator approves ('approved') or disables ('disabled') a unit's endpoint."""
    row = await sql.endpoint(hub.db, organ_id)
    if row is None:
        raise _no_endpoint(organ_id)
    if state == "approved" and row["url"].startswith("http://") and not allow_http:
        raise invalid_endpoint(row["url"], "an http:// endpoint needs allow_http from the "
                               "approving operator", "địa chỉ http:// cần cán bộ vận hành cho "
                               "phép rõ ràng (allow_http)")

    def txn(conn: Tx) -> Any:
        sql.set_endpoint_state_txn(conn, organ_id, state, hub.clock.now_ms(), operator=operator,
                                   allow_http=allow_http)
        hub.evidence.append_txn(conn, f"push_endpoint_{state}", {
            "unit": organ_id, "url": row["url"], "operator": operator,
            "allow_http": allow_http}, units=(organ_id,))
        return sql.endpoint_txn(conn, organ_id)
    return endpoint_json(await hub.db.write(f"push_{state}", txn))


async def remove(hub: Hub, organ_id: str, actor: str) -> None:
    def txn(conn: Tx) -> bool:
        gone = sql.delete_endpoint_txn(conn, organ_id)
        if gone:
            hub.evidence.append_txn(conn, "push_endpoint_removed", {
                "unit": organ_id, "operator": actor}, units=(organ_id,))
        return gone
    if not await hub.db.write("push_remove", txn):
        raise _no_endpoint(organ_id)
