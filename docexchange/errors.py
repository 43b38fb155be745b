"""One error type for the whole hub; a middleware turns it into application/problem+json.

Codes are stable machine-readable contracts: never rename one, only add.
"""

from __future__ import annotations

from typing import Any

#: code -> (HTTP status, short English title)
ERROR_CODES: dict[str, tuple[int, str]] = {
    "DX_BAD_REQUEST": (400, "Bad request"),
    "DX_MALFORMED_XML": (400, "Packet is not well-formed XML"),
    "DX_UNAUTHENTICATED": (401, "Authentication required"),
    "DX_FORBIDDEN": (403, "Forbidden"),
    "DX_SENDER_MISMATCH": (403, "Sender does not match the authenticated unit"),
    "DX_NOT_FOUND": (404, "Not found"),
    "DX_METHOD_NOT_ALLOWED": (405, "Method not allowed"),
    "DX_DUPLICATE_DOCUMENT": (409, "Duplicate document with different content"),
    "DX_BAD_TRANSITION": (409, "Illegal status transition"),
    "DX_CONFLICT": (409, "Conflict"),
    "DX_TOO_LARGE": (413, "Payload too large"),
    "DX_UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported media type"),
    "DX_INVALID_PACKET": (422, "Invalid edXML packet"),
    "DX_UNKNOWN_RECIPIENT": (422, "Unknown recipient"),
    "DX_RETIRED_RECIPIENT": (422, "Recipient unit is retired"),
    "DX_RECIPIENT_REORGANISED": (422, "Recipient unit was split or dissolved"),
    "DX_UNIT_RETIRED": (403, "The calling unit no longer exists"),
    "DX_UNIT_NOT_YET_VALID": (403, "The calling unit does not exist yet"),
    "DX_RECIPIENT_NOT_YET_VALID": (422, "Recipient unit does not exist yet"),
    "DX_INVALID_PLAN": (422, "Invalid reorganisation plan"),
    "DX_CLASSIFIED": (422, "Classified document refused"),
    "DX_BAD_SIGNATURE": (422, "Invalid or missing XML signature"),
    "DX_UNKNOWN_REFERENCE": (422, "Referenced document not found"),
    "DX_INVALID_UNIT": (422, "Invalid unit data"),
    "DX_INVALID_ENDPOINT": (422, "Invalid push endpoint"),
    "DX_RATE_LIMITED": (429, "Too many requests"),
    "DX_INTERNAL": (500, "Internal error"),
    "DX_STORAGE_UNAVAILABLE": (503, "Storage unavailable"),
}


class DocExchangeError(Exception):
    """A domain error with a stable code and a human sentence in Vietnamese and English.

    ``errors`` lists per-item problems (e.g. each unknown recipient, each schema violation);
    ``details`` are extra JSON members for the problem document. Never put internal exception
    text into a message: messages are shown to callers.
    """

    def __init__(
        self,
        code: str,
        message_vi: str,
        message_en: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        **details: Any,
    ) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code}")
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.errors = errors or []
        self.details = details

    def __reduce__(self) -> tuple[object, ...]:
        """Picklable, so that an error raised in a worker process reaches the caller intact."""
        return (_rebuild, (self.code, self.message_vi, self.message_en, self.errors,
                           self.details))

    @property
    def status(self) -> int:
        return ERROR_CODES[self.code][0]

    @property
    def title(self) -> str:
        return ERROR_CODES[self.code][1]

    def to_problem(self, request_id: str) -> dict[str, Any]:
        """The application/problem+json body (RFC 9457 members plus ours)."""
        body: dict[str, Any] = {
            "type": f"https://docexchange.invalid/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
            "detail_vi": self.message_vi,
            "detail_en": self.message_en,
            "request_id": request_id,
            "errors": self.errors,
        }
        for key, value in self.details.items():
            body.setdefault(key, value)
        return body


class StorageError(Exception):
    """The database cannot serve this hub (its schema disagrees with the code, or it cannot
    be reached); the CLI prints it, the server does not start."""


def _rebuild(code: str, message_vi: str, message_en: str, errors: list[dict[str, Any]],
             details: dict[str, Any]) -> DocExchangeError:
    return DocExchangeError(code, message_vi, message_en, errors=errors, **details)
