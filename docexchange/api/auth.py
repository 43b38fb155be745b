"""Who is calling: `Authorization: Bearer <api key>`, or a TLS client certificate issued to
the unit (`keys issue CODE --client-cert`), → the unit's OrganId (its new code once a recode
has taken effect, Directory.recoded_as); then the unit's rate limit."""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from docexchange.accounts.operators import (
    Operator,
    forbidden_for_units,
    is_operator_token,
)
from docexchange.admin.credentials import find_api_key, find_client_certificate
from docexchange.admin.operators import operator_for_token
from docexchange.appkeys import CALLER_KEY, HUB_KEY
from docexchange.errors import DocExchangeError
from docexchange.hub import Hub
from docexchange.ids import api_key_id, hash_secret


def _unauthenticated(en: str, vi: str) -> DocExchangeError:
    return DocExchangeError("DX_UNAUTHENTICATED", vi, en)


async def authenticate(request: web.Request) -> str:
    """The calling unit's OrganId; raises DX_UNAUTHENTICATED when the key is missing or bad."""
    if CALLER_KEY in request:
        return request[CALLER_KEY]
    hub = request.config_dict[HUB_KEY]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    certificate = client_certificate(request) if not header else None
    if certificate is not None:
        organ_id = await _certificate_unit(hub, certificate)
    elif scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("Send 'Authorization: Bearer <api key>'.",
                               "Cần gửi 'Authorization: Bearer <khóa API>'.")
    else:
        organ_id = await _key_unit(hub, token.strip())
    # a recode that has taken effect: the same DMS now speaks for the new code
    organ_id = hub.directory.recoded_as(organ_id, hub.directory.today(hub.config.zone))
    wait = hub.rate_limiter.take(organ_id)
    if wait > 0:
        seconds = hub.rate_limiter.retry_after(wait)
        raise DocExchangeError(
            "DX_RATE_LIMITED", f"Đơn vị gửi quá nhiều yêu cầu; hãy thử lại sau {seconds} giây.",
            f"Too many requests from this unit; retry in {seconds} s.", retry_after=seconds)
    request[CALLER_KEY] = organ_id
    hub.activity.note(organ_id)  # in memory; written in batches (accounts/activity.py)
    return organ_id


async def _key_unit(hub: Hub, token: str) -> str:
    secret_hash = hash_secret(token)
    cached = hub.key_cache.get(secret_hash)
    organ_id, expires_ts = (cached.organ_id, cached.expires_ts) if cached else \
        await _lookup(hub, token, secret_hash)
    if expires_ts and expires_ts < hub.clock.now_ms():
        raise _unauthenticated("The API key was revoked or has expired.",
                               "Khóa API đã bị thu hồi hoặc hết hạn.")
    return organ_id


def client_certificate(request: web.Request) -> bytes | None:
    """The DER of the client certificate of a direct TLS connection (the TLS handshake has
    already checked it against `[server] tls_client_ca`), or None."""
    transport = request.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    return ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None


async def _certificate_unit(hub: Hub, der: bytes) -> str:
    """Only certificates registered to a unit count, so a revoked mapping ends their use even
    though the CA still vouches for them."""
    row = await find_client_certificate(hub, hashlib.sha256(der).hexdigest())
    if row is None or row["revoked_ts"] is not None or row["not_after_ts"] < hub.clock.now_ms():
        raise _unauthenticated("The client certificate is not registered to a unit, or was "
                               "revoked.", "Chứng thư máy khách chưa được đăng ký cho đơn vị "
                               "nào hoặc đã bị thu hồi.")
    return str(row["organ_id"])


async def _lookup(hub: Hub, token: str, secret_hash: str) -> tuple[str, int | None]:
    key_id = api_key_id(token)
    row = await find_api_key(hub, key_id) if key_id else None
    if row is None or not hmac.compare_digest(row["secret_hash"], secret_hash):
        raise _unauthenticated("The API key is not valid.", "Khóa API không hợp lệ.")
    if row["revoked_ts"] is not None:
        raise _unauthenticated("The API key was revoked or has expired.",
                               "Khóa API đã bị thu hồi hoặc hết hạn.")
    hub.key_cache.put(secret_hash, row["organ_id"], row["expires_ts"])
    return str(row["organ_id"]), row["expires_ts"]


async def authenticate_operator(request: web.Request, *, admin: bool = False) -> Operator:
    """An operator from `Authorization: Bearer <operator token>`; unit keys get 403."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("Send 'Authorization: Bearer <operator token>'.",
                               "Cần gửi 'Authorization: Bearer <mã truy cập của cán bộ vận hành>'.")
    hub = request.config_dict[HUB_KEY]
    if not is_operator_token(token):
        await authenticate(request)  # a valid unit key is forbidden here, a bad one is 401
        raise forbidden_for_units()
    operator = await operator_for_token(hub, token)
    if operator is None:
        raise _unauthenticated("The operator token is not valid.",
                               "Mã truy cập của cán bộ vận hành không hợp lệ.")
    if admin and not operator.is_admin:
        raise DocExchangeError("DX_FORBIDDEN", "Cần quyền quản trị.", "Admin role required.")
    return operator
