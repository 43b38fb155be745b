"""Parse, validate and verify one packet: pure CPU work on bytes, safe to run in a worker
process (large packets) or inline (small ones). Returns only picklable values.

Only what the sender's signature covers is turned into the model when a signature is present
(the defence against signature wrapping). The secrecy guard reads the whole tree first, here and
so off the event loop: a classified packet is refused DX_CLASSIFIED whatever else is wrong with
it, since it must never be stored and its refusal raises an alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from docexchange.edxml.model import DocumentPacket, StatusPacket
from docexchange.edxml.parser import parse_root, parse_xml
from docexchange.errors import DocExchangeError
from docexchange.exchange.secrecy import classified_error
from docexchange.exchange.secrecy_fields import packet_marks
from docexchange.signing.certificates import load_certificates
from docexchange.signing.xmldsig import PacketVerifier, has_signature


@dataclass(frozen=True)
class Inspection:
    packet: DocumentPacket | StatusPacket
    signer_cert_der: bytes | None = None      # a valid signature's certificate
    signature_error: DocExchangeError | None = None  # a signature was there but is not valid


@lru_cache(maxsize=8)
def _verifier(trust_files: tuple[Path, ...], allow_sha1: bool) -> PacketVerifier:
    """Loaded once per process: certificate parsing is not free."""
    cas = [cert for path in trust_files for cert in load_certificates(path)]
    return PacketVerifier(cas, allow_sha1=allow_sha1)


def inspect_packet(data: bytes, trust_files: tuple[Path, ...], allow_sha1: bool
                   ) -> Inspection:
    root = parse_xml(data)
    marks = packet_marks(root)
    if marks:
        raise classified_error(marks)
    if not has_signature(root):
        return Inspection(parse_root(root))
    try:
        verified = _verifier(trust_files, allow_sha1).verify(data)
    except DocExchangeError as exc:
        return Inspection(parse_root(root), signature_error=exc)  # parse_root validates
    der = verified.certificate.public_bytes(serialization.Encoding.DER)
    return Inspection(parse_root(verified.signed_root), signer_cert_der=der)
