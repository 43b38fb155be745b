"""Parse, validate and verify one packet: pure CPU work on bytes, run in the hub's worker
processes (exchange/inspection_pool.py) or inline. Returns only small picklable values: the
model without its attachments' content (`light`), which nothing after the inspection reads and
which would otherwise travel back through the pool's pipe (150 MB for a 200 MB packet).

Only what the sender's signature covers is turned into the model when a signature verifies
(the defence against signature wrapping). Whether the signature counts is decided later, with
the sender's registered certificates (exchange/checks.py); here we only find out what it is.
The secrecy guard reads the whole tree first, here and so off the event loop for large packets: a
classified packet is refused DX_CLASSIFIED whatever else is wrong with it, since it must never
be stored and its refusal raises an alert.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from lxml import etree

from docexchange.edxml import layout, schema
from docexchange.edxml.model import DocumentPacket, StatusPacket
from docexchange.edxml.parser import parse_root, parse_xml, parse_xml_file, supplied_prefixes
from docexchange.errors import DocExchangeError
from docexchange.exchange.secrecy import classified_error
from docexchange.exchange.secrecy_fields import packet_marks
from docexchange.signing.certificates import key_id, load_certificates
from docexchange.signing.xmldsig import (
    PacketVerifier,
    SignatureFailure,
    VerifiedPacket,
    has_signature,
)

#: The .NET SDK's own signature element: a placeholder, never an XML-DSig signature.
DIGITAL_SIGNATURE = layout.q("DigitalSignature")


@dataclass(frozen=True)
class SignatureFinding:
    """What the packet's signature is, before the sender's certificates are consulted.

    ``present``: a Signature (either namespace) or an ``edXML:DigitalSignature`` is there.
    ``signer_key_id``: the signature verifies (accepted algorithm, trusted chain, bytes match)
    with this certificate's key. ``mismatch_key_id``: the bytes do not match this certificate's
    key under an accepted algorithm. ``error``: why it did not verify.
    """

    present: bool = False
    signer_key_id: str | None = None
    mismatch_key_id: str | None = None
    error: DocExchangeError | None = None


@dataclass(frozen=True)
class Inspection:
    packet: DocumentPacket | StatusPacket
    signature: SignatureFinding = SignatureFinding()
    classified: DocExchangeError | None = None  # only when asked not to refuse (validation)


@lru_cache(maxsize=8)
def _verifier(trust_files: tuple[Path, ...], allow_sha1: bool) -> PacketVerifier:
    """Loaded once per process: certificate parsing is not free."""
    cas = [cert for path in trust_files for cert in load_certificates(path)]
    return PacketVerifier(cas, allow_sha1=allow_sha1)


def start_worker(trust_files: tuple[Path, ...], allow_sha1: bool) -> None:
    """A worker process's initializer: the trust store, the verifier and both XSDs are loaded
    once per worker, not per packet."""
    _verifier(trust_files, allow_sha1)
    for kind in ("document", "status"):
        schema.warm(kind)


def inspect_source(source: bytes | Path, trust_files: tuple[Path, ...], allow_sha1: bool,
                   refuse_classified: bool = True) -> Inspection:
    """`inspect_packet` on bytes, or on a spooled body that libxml2 reads from its file here
    (in the worker), never as a whole in memory. Attachments are checked but not decoded:
    the hub stores the sender's bytes, never the model's copy of them."""
    root = parse_xml_file(source) if isinstance(source, Path) else parse_xml(source)
    return _inspect_root(root, trust_files, allow_sha1, refuse_classified, contents=False)


def light(inspection: Inspection) -> Inspection:
    """The inspection without the attachments' decoded content (names, ids and types stay),
    for an inspection made with them."""
    packet = inspection.packet
    if isinstance(packet, StatusPacket) or not any(a.data for a in packet.attachments):
        return inspection
    emptied = tuple(replace(a, data=b"") for a in packet.attachments)
    return replace(inspection, packet=replace(packet, attachments=emptied))


def inspect_packet(data: bytes, trust_files: tuple[Path, ...], allow_sha1: bool,
                   refuse_classified: bool = True) -> Inspection:
    """A classified packet raises DX_CLASSIFIED before anything else is read, unless
    ``refuse_classified`` is False (validation, which lists every problem): then the refusal
    comes back in ``Inspection.classified`` and the rest is checked too."""
    return _inspect_root(parse_xml(data), trust_files, allow_sha1, refuse_classified,
                         contents=True)


def _inspect_root(root: etree._Element, trust_files: tuple[Path, ...], allow_sha1: bool,
                  refuse_classified: bool, *, contents: bool) -> Inspection:
    """The one tree of the packet goes through the secrecy walk, the signature check and the
    model, in that order; nothing parses the packet a second time."""
    marks = packet_marks(root)
    classified = classified_error(marks) if marks else None
    if classified is not None and refuse_classified:
        raise classified
    inspection = _inspect_parsed(root, trust_files, allow_sha1, contents)
    return replace(inspection, classified=classified) if classified else inspection


def _inspect_parsed(root: etree._Element, trust_files: tuple[Path, ...], allow_sha1: bool,
                    contents: bool) -> Inspection:
    if not has_signature(root):
        placeholder = _drop_digital_signatures(root)
        error = not_xmldsig() if placeholder else None
        return Inspection(parse_root(root, contents=contents),
                          SignatureFinding(placeholder, error=error))
    outcome = _examine(root, trust_files, allow_sha1)  # before anything leaves the tree
    _drop_digital_signatures(root)
    if isinstance(outcome, SignatureFailure):
        finding = SignatureFinding(True, mismatch_key_id=outcome.mismatch_key_id,
                                   error=outcome.error)
        return Inspection(parse_root(root, contents=contents), finding)  # validates
    if outcome.signed_root is not root:  # signxml's signed part is a tree of its own
        _drop_digital_signatures(outcome.signed_root)
    finding = SignatureFinding(True, signer_key_id=key_id(outcome.certificate))
    return Inspection(parse_root(outcome.signed_root, contents=contents), finding)


def _examine(root: etree._Element, trust_files: tuple[Path, ...], allow_sha1: bool
             ) -> VerifiedPacket | SignatureFailure:
    """The verifier checks the tree as parsed. A packet that parse_xml read only with the
    edXML:/xlink: declarations supplied cannot be checked (its signer canonicalised no such
    declarations), so its signature is unverified (not a refusal of the packet)."""
    if supplied_prefixes(root):
        return SignatureFailure(DocExchangeError(
            "DX_BAD_SIGNATURE",
            "Không kiểm tra được chữ ký: gói tin dùng tiền tố edXML: hoặc xlink: mà không khai "
            "báo.",
            "The signature cannot be checked: the packet uses an edXML: or xlink: prefix it "
            "does not declare.",
            reason="undeclared_prefix"))
    return _verifier(trust_files, allow_sha1).examine_root(root)


def _drop_digital_signatures(root: etree._Element) -> bool:
    """Remove ``edXML:DigitalSignature`` from the parsed tree (never from the stored bytes):
    it carries nothing the model reads, and the schema does not know it."""
    head = layout.header(root)
    found = [] if head is None else list(head.iterchildren(DIGITAL_SIGNATURE))
    for element in found:
        head.remove(element)  # type: ignore[union-attr]
    return bool(found)


def not_xmldsig() -> DocExchangeError:
    return DocExchangeError(
        "DX_BAD_SIGNATURE",
        "Phần tử edXML:DigitalSignature không phải chữ ký số XML-DSig nên không kiểm tra được.",
        "The edXML:DigitalSignature element is not an XML-DSig signature and cannot be checked.",
        reason="not_xmldsig")
