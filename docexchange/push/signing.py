"""The hub's signature on each push, so a receiver can tell a push really came from the hub.

Header `X-DocExchange-Signature: keyid=<hub key id>; alg=<ecdsa-p256-sha256 | rsa-pkcs1v15-sha256>;
sig=<base64>`: the signature of the hub's current key (keys/hub.crt, retired keys under
keys/hub-certs/) over the bytes

    b"docexchange-push-v1\\n" + message id + b"\\n" + delivery id + b"\\n" + body

so the idempotency key and the body cannot be separated and replayed under other ids. The
format and an openssl check are in docs/push-and-relay.md.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from docexchange.signing.keyring import KeyRing, verify_signature

HEADER = "X-DocExchange-Signature"
PREFIX = b"docexchange-push-v1\n"


def signed_bytes(message_id: str, delivery_id: str, body: bytes) -> bytes:
    return PREFIX + message_id.encode("ascii") + b"\n" + delivery_id.encode("ascii") + b"\n" + body


def signature_header(keyring: KeyRing, message_id: str, delivery_id: str, body: bytes) -> str:
    key = keyring.current
    alg = ("ecdsa-p256-sha256" if isinstance(key.private_key, ec.EllipticCurvePrivateKey)
           else "rsa-pkcs1v15-sha256")
    sig = keyring.sign(signed_bytes(message_id, delivery_id, body))
    return f"keyid={key.key_id}; alg={alg}; sig={base64.b64encode(sig).decode('ascii')}"


def parse_header(value: str) -> dict[str, str]:
    parts = (p.strip().partition("=") for p in value.split(";"))
    return {k.strip(): v.strip() for k, _, v in parts if k.strip()}


def verify_push(cert: x509.Certificate, headers: Mapping[str, str], body: bytes) -> bool:
    """What a receiver runs (with only hub.crt): True when the push is the hub's."""
    fields = parse_header(headers.get(HEADER, ""))
    try:
        sig = base64.b64decode(fields["sig"], validate=True)
        message_id = headers["X-DocExchange-Message-Id"]
        delivery_id = headers["X-DocExchange-Delivery-Id"]
    except (KeyError, ValueError):
        return False
    return verify_signature(cert, signed_bytes(message_id, delivery_id, body), sig)
