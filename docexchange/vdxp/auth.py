"""Who is calling: the HMAC over `XroadVnpt-sign-header` exactly as received (docs/vdxp.md §3).

The signed JSON is the request: the system id and every parameter are read from it, never
from the loose `XroadVnpt-*` headers (unsigned copies, case-insensitive names). There is no
timestamp-skew or replay rule: the SDK fixes its timestamp when its service object is created
and repeats byte-identical signatures, so such rules would lock real DMS out (docs/vdxp.md
explains what protects the door instead). For the same reason a failed check says precisely
why, so that a vendor can fix the configuration without calling the province.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass

from aiohttp import web

from docexchange.errors import DocExchangeError
from docexchange.hub import Hub
from docexchange.vdxp import wire
from docexchange.vdxp.credentials import lookup_secret

log = logging.getLogger(__name__)

_NON_ASCII_VI = ("Chữ ký không thể kiểm tra: một tham số có ký tự ngoài ASCII (thường là "
                 "filePath là tên thư mục tiếng Việt) đã bị thư viện HttpClient của SDK đổi "
                 "thành '?' hoặc byte Latin-1 trong khi chữ ký tính trên UTF-8. Dùng tên thư mục "
                 "không dấu và khởi động lại phần mềm (tạo lại đối tượng dịch vụ của SDK).")
_NON_ASCII_EN = ("The signature cannot verify: a parameter holds non-ASCII characters "
                 "(typically a Vietnamese folder name as filePath), which the SDK's HttpClient "
                 "sent as '?' or Latin-1 bytes while the signature was computed over UTF-8. Use "
                 "an ASCII folder name and restart the DMS (a new SDK service object).")


@dataclass(frozen=True)
class VdxpCaller:
    organ_id: str
    system_id: str
    params: dict[str, str]  # the signed parameters, keys without the XroadVnpt- prefix

    def param(self, *names: str) -> str:
        """The first of `names` present in the signed JSON (case matters), else ''."""
        return next((self.params[n] for n in names if n in self.params), "")


def unauthenticated(vi: str, en: str) -> DocExchangeError:
    return DocExchangeError("DX_UNAUTHENTICATED", vi, en)


def _raw_header(request: web.Request, name: str) -> bytes | None:
    wanted = name.lower().encode("ascii")
    return next((v for k, v in request.raw_headers if k.lower() == wanted), None)


def _signed_params(raw: bytes) -> dict[str, str]:
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise unauthenticated(_NON_ASCII_VI, _NON_ASCII_EN) from exc
    except ValueError as exc:
        raise unauthenticated("XroadVnpt-sign-header không phải là JSON.",
                              "XroadVnpt-sign-header is not JSON.") from exc
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise unauthenticated("XroadVnpt-sign-header phải là đối tượng JSON các chuỗi.",
                              "XroadVnpt-sign-header must be a JSON object of strings.")
    return {k[len(wire.PREFIX):]: v for k, v in parsed.items() if k.startswith(wire.PREFIX)}


async def authenticate(request: web.Request, hub: Hub) -> VdxpCaller:
    raw = _raw_header(request, wire.SIGN_HEADER)
    claimed = _raw_header(request, wire.HASH_HEADER)
    if not raw or not claimed:
        raise unauthenticated("Thiếu XroadVnpt-sign-header hoặc XroadVnpt-hash-header.",
                              "XroadVnpt-sign-header or XroadVnpt-hash-header is missing.")
    params = _signed_params(raw)
    system_id = params.get("systemid", "")
    found = await lookup_secret(hub, system_id) if system_id else None
    if found is None:
        log.info("vdxp: unknown or revoked system id %r", system_id[:64])
        raise unauthenticated(
            f"Mã hệ thống (systemid) '{system_id}' không tồn tại hoặc đã bị thu hồi.",
            f"The system id (systemid) '{system_id}' is unknown or was revoked.")
    organ_id, secret = found
    expected = wire.signature(secret, raw)
    if not hmac.compare_digest(expected.encode("ascii"), claimed.strip().lower()):
        log.info("vdxp: bad signature for system id %s", system_id)
        if "?" in raw.decode("utf-8"):
            raise unauthenticated(_NON_ASCII_VI, _NON_ASCII_EN)
        raise unauthenticated(
            "Chữ ký (XroadVnpt-hash-header) không khớp: kiểm tra secret đã cấu hình.",
            "The signature (XroadVnpt-hash-header) does not match: check the configured "
            "secret.")
    # the secret stays sealed to the code it was issued for; after a recode it speaks for
    # the new code (docs/reorganisation.md §3)
    organ_id = hub.directory.recoded_as(organ_id, hub.directory.today(hub.config.zone))
    hub.activity.note(organ_id)
    return VdxpCaller(organ_id, system_id, params)
