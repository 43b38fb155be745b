"""The attack corpus: hostile packets and requests, generated here (nothing binary committed).

Each `Attack` is one HTTP request and the DX_ codes the hub may answer it with (always 4xx
problem+json). `classified` attacks carry `MARKER`, a string that must be found nowhere on disk
afterwards: a refused classified packet leaves no trace.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import io
import itertools
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from tests.conftest import PROVINCE, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import document, sign_as, status

QCVN = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
MARKER = "ZQX" + uuid.uuid4().hex.upper()
XML = "application/xml"
#: the statuses of the corpus answer this document (the runner sends it first, for real)
ANSWERED_NUMBER = 999_999
ANSWERED_DOCUMENT_ID = f"{PROVINCE},2026/11/28,{ANSWERED_NUMBER}/UBND-VP"

#: not well-formed (400) or not a valid packet (422)
INVALID = frozenset({"DX_INVALID_PACKET", "DX_MALFORMED_XML"})
CLASSIFIED = frozenset({"DX_CLASSIFIED"})
UNAUTHENTICATED = frozenset({"DX_UNAUTHENTICATED"})


@dataclass(frozen=True)
class Attack:
    name: str
    body: bytes | None = None
    path: str = "/api/v1/documents"
    method: str = "POST"
    caller: str | None = PROVINCE  # unit whose API key is sent; None: no Authorization
    headers: dict[str, str] = field(default_factory=dict)
    expected: frozenset[str] = INVALID
    classified: bool = False
    content_type: str | None = XML
    #: sent to a hub with exchange.require_sender_signature = true only: by default a signature
    #: the hub cannot check (unknown certificate, refused algorithm) is accepted as unverified
    strict: bool = False


# -- building blocks ------------------------------------------------------------------------

def _doc(sender: str = PROVINCE) -> bytes:
    return document(sender, [SO_NOI_VU])


def _root(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _set(data: bytes, path: str, text: str, index: int = 0) -> bytes:
    """`data` with the text of the index-th element at `path` (local names, `/`-separated)
    replaced; a missing last step is created under its parent."""
    root = _root(data)
    steps = path.split("/")
    query = "//" + "/".join(f"*[local-name()='{s}']" for s in steps)
    found = root.xpath(query)
    if found:
        found[index].text = text
    else:
        parent_query = "//" + "/".join(f"*[local-name()='{s}']" for s in steps[:-1])
        parent = root.xpath(parent_query)[index]
        etree.SubElement(parent, f"{{{QCVN}}}{steps[-1]}").text = text
    return _xml(root)


def _after_decl(data: bytes, insert: bytes) -> bytes:
    end = data.index(b"?>") + 2
    return data[:end] + b"\n" + insert + data[end:]


# -- XML entities, DTDs, XInclude, external references ---------------------------------------

def xml_entity_attacks() -> Iterator[Attack]:
    laughs = b'<!ENTITY a "lol">' + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9))
    dtds = {
        "billion-laughs": b"<!DOCTYPE edXML [" + laughs + b"]>",
        "external-file": b'<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        "external-http": b'<!DOCTYPE edXML [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>',
        "parameter-entity": b'<!DOCTYPE edXML [<!ENTITY % p SYSTEM "file:///etc/hostname">%p;]>',
        "external-dtd": b'<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/edxml.dtd">',
        "public-dtd": b'<!DOCTYPE edXML PUBLIC "-//X//Y" "file:///etc/passwd">',
        "quadratic-blowup": b'<!DOCTYPE edXML [<!ENTITY a "' + b"A" * 50000 + b'">]>',
        "empty-internal-subset": b"<!DOCTYPE edXML []>",
        "attlist-default": b'<!DOCTYPE edXML [<!ATTLIST edXML evil CDATA "x">]>',
        "notation": b'<!DOCTYPE edXML [<!NOTATION n SYSTEM "file:///etc/passwd">]>',
    }
    for name, dtd in dtds.items():
        packet = _after_decl(_doc(), dtd)
        if b"ENTITY x" in dtd or b"ENTITY a" in dtd:
            ref = b"&x;" if b"ENTITY x" in dtd else (b"&j;" if b"ENTITY j" in dtd else b"&a;")
            packet = packet.replace(b"V/v b\xc3\xa1o c\xc3\xa1o th\xc3\xa1ng</edXML:Subject>",
                                    ref + b"</edXML:Subject>", 1)
        yield Attack(f"dtd/{name}", packet)
        yield Attack(f"dtd/{name}/status", _after_decl(_status(), dtd), path="/api/v1/statuses",
                     caller=SO_NOI_VU)
    xinclude = (b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                b'href="file:///etc/passwd" parse="text"/>')
    yield Attack("xinclude/in-subject", _doc().replace(b"</edXML:Subject>",
                                                        xinclude + b"</edXML:Subject>", 1))
    yield Attack("xinclude/top-level", _doc().replace(b"<edXML:edXMLEnvelope",
                                                       xinclude + b"<edXML:edXMLEnvelope", 1))
    yield Attack("xsi-schema-location", _doc().replace(
        b"<edXML xmlns=", b'<edXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="x http://127.0.0.1:9/evil.xsd" xsi:evil="1" xmlns=', 1))
    yield Attack("cdata-markup-in-organid", _doc().replace(
        b"<edXML:OrganId>000.00.12.H45</edXML:OrganId>",
        b"<edXML:OrganId><![CDATA[000.00.12.H45</edXML:OrganId><x>]]></edXML:OrganId>", 1),
        expected=INVALID | {"DX_UNKNOWN_RECIPIENT"})


_seconds = itertools.count()


def _status(sender: str = SO_NOI_VU, note: str = "") -> bytes:
    """A status on the answered document, each with its own Timestamp (so never a repeat)."""
    stamp = dt.datetime(2026, 11, 28, 10, 0, 0) + dt.timedelta(seconds=next(_seconds))
    return status(sender, PROVINCE, ANSWERED_DOCUMENT_ID, "03", stamp=stamp, note=note)


# -- deep nesting -----------------------------------------------------------------------------

def nesting_attacks(env: HubEnv) -> Iterator[Attack]:
    deep_or_large = INVALID | {"DX_TOO_LARGE", "DX_BAD_SIGNATURE"}
    for depth in (300, 1000, 5000, 100_000):
        nest = b"<x>" * depth + b"</x>" * depth
        yield Attack(f"nesting/{depth}/in-subject",
                     _doc().replace(b"</edXML:Subject>", nest + b"</edXML:Subject>", 1),
                     expected=deep_or_large)
        yield Attack(f"nesting/{depth}/in-body", _doc().replace(
            b"</edXML:edXMLBody>", nest + b"</edXML:edXMLBody>", 1), expected=deep_or_large)
        yield Attack(f"nesting/{depth}/unclosed", _doc().replace(
            b"</edXML:edXMLBody>", b"<x>" * depth + b"</edXML:edXMLBody>", 1),
            expected=deep_or_large)
        signed = sign_as(env, PROVINCE, _doc())
        ds = b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'
        deep = ds * depth + b"</Signature>" * depth
        yield Attack(f"nesting/{depth}/signature-in-signature",
                     signed.replace(b"</Signature>", deep + b"</Signature>", 1),
                     expected=deep_or_large)
        signed = sign_as(env, PROVINCE, _doc())
        yield Attack(f"nesting/{depth}/in-signed-info", signed.replace(
            b"</SignedInfo>", nest + b"</SignedInfo>", 1), expected=deep_or_large)
    yield Attack("nesting/many-attributes", _doc().replace(
        b"<edXML:Subject>", b"<edXML:Subject " + b" ".join(
            f'a{i}="x"'.encode() for i in range(20000)) + b">", 1))


# -- huge fields ------------------------------------------------------------------------------

def huge_field_attacks() -> Iterator[Attack]:
    big = "Đ" * 600_000
    for path in ("Subject", "Content", "TypeName", "From/OrganName", "DocumentId",
                 "Code/CodeNotation", "Code/CodeNumber", "SignerInfo/FullName",
                 "PromulgationInfo/Place", "OtherInfo/SphereOfPromulgation",
                 "edXMLManifest/Reference/AttachmentName", "Attachment/AttachmentName",
                 "Attachment/Description", "Bussiness/BussinessDocReason", "To/OrganId",
                 "SignerInfo/Competence", "Attachment/ContentType",
                 "edXMLManifest/Reference/Description"):
        yield Attack(f"huge/{path}", _set(_doc(), path, big),
                     expected=INVALID | {"DX_TOO_LARGE"})
    yield Attack("huge/element-name", _doc().replace(
        b"</edXML:Subject>", b"<" + b"n" * 1_000_000 + b"/></edXML:Subject>", 1))
    yield Attack("huge/attribute", _doc().replace(
        b"<edXML:Subject>", b'<edXML:Subject a="' + b"v" * 2_000_000 + b'">', 1))
    recipients = b"".join(b"<edXML:To><edXML:OrganId>000.00.%02d.H45</edXML:OrganId></edXML:To>"
                          % (i % 100) for i in range(30000))
    yield Attack("huge/thirty-thousand-recipients", _doc().replace(
        b"<edXML:DocumentId>", recipients + b"<edXML:DocumentId>", 1),
        expected=INVALID | {"DX_TOO_LARGE", "DX_UNKNOWN_RECIPIENT"})
    yield Attack("huge/status-description", _status(note="x" * 600_000), path="/api/v1/statuses",
                 caller=SO_NOI_VU, expected=INVALID | {"DX_TOO_LARGE"})


# -- signature wrapping -----------------------------------------------------------------------

def signature_variants(doc: Callable[[], bytes], sign: Callable[[bytes], bytes],
                       sign_other: Callable[[bytes], bytes]) -> dict[str, Callable[[], bytes]]:
    """The corpus's signature attacks as packet makers: ``sign`` signs as the sender, and
    ``sign_other`` as another unit. Shared with tests/signing/test_verifier_agreement.py, which
    holds libxmlsec1 and signxml to the same verdict on each."""
    evil = (f'<edXML:MessageHeader xmlns:edXML="{QCVN}"><edXML:From><edXML:OrganId>'
            f"{PROVINCE}</edXML:OrganId></edXML:From><edXML:Subject>Chuyển tiền</edXML:Subject>"
            "</edXML:MessageHeader>").encode()

    def signed() -> bytes:
        return sign(doc())

    def sig_of(packet: bytes) -> bytes:
        return packet[packet.index(b"<Signature"): packet.index(b"</Signature>") + 12]

    def body_of(packet: bytes) -> bytes:
        return packet[packet.index(b"<edXML "):]
    variants: dict[str, Callable[[], bytes]] = {
        "subject-changed-after-signing": lambda: signed().replace(
            b"V/v b\xc3\xa1o c\xc3\xa1o", b"V/v chuy\xe1\xbb\x83n ti\xe1\xbb\x81n", 1),
        "second-header-before-signed": lambda: signed().replace(
            b"<edXML:edXMLHeader>\n", b"<edXML:edXMLHeader>\n" + evil, 1),
        "header-appended-in-body": lambda: signed().replace(
            b"<edXML:edXMLBody>", b"<edXML:edXMLBody>" + evil, 1),
        "signed-packet-wrapped": lambda: b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="'
        + QCVN.encode() + b'"><Wrapper>' + body_of(signed()) + b"</Wrapper></edXML>",
        "signature-moved-to-forged-packet": lambda: doc().replace(
            b"</edXML>", sig_of(signed()) + b"</edXML>"),
        "second-copied-signature": lambda: (lambda p: p.replace(
            b"</Signature>", b"</Signature>" + sig_of(p), 1))(signed()),
        "reference-to-fragment": lambda: signed().replace(b'URI=""', b'URI="#evil"', 1),
        "garbage-signature-value": lambda: signed().replace(
            b"<SignatureValue>", b"<SignatureValue>AAAA", 1),
        "empty-signature": lambda: doc().replace(
            b"</edXML>", b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/></edXML>'),
        "signed-by-another-unit": lambda: sign_other(doc()),
        "sha1-digest-method": lambda: signed().replace(b"xmlenc#sha256", b"xmldsig#sha1"),
        "transform-xslt": lambda: signed().replace(
            b"</Transforms>", b'<Transform Algorithm="http://www.w3.org/TR/1999/'
            b'REC-xslt-19991116"/></Transforms>', 1),
        "certificate-garbage": lambda: (lambda p: p[:p.index(b"<X509Certificate>") + 17]
                                        + b"MIIB" + p[p.index(b"<X509Certificate>") + 17:])(
            signed()),
    }
    return variants


def signature_attacks(env: HubEnv) -> Iterator[Attack]:
    bad = INVALID | {"DX_BAD_SIGNATURE", "DX_SENDER_MISMATCH"}
    variants = signature_variants(_doc, lambda data: sign_as(env, PROVINCE, data),
                                  lambda data: sign_as(env, SONG_HINH, data))
    for name, make in variants.items():
        if name not in UNCHECKABLE:  # a checkable signature that does not match: every mode
            yield Attack(f"signature/{name}", make(), expected=bad)
        yield Attack(f"signature/{name}/strict", make(), expected=bad, strict=True)


#: signatures the hub cannot check (no usable certificate of the sender, refused algorithm,
#: not one enveloped signature over the whole packet): accepted as "unverified" by default
UNCHECKABLE = frozenset({"empty-signature", "sha1-digest-method", "reference-to-fragment",
                         "second-copied-signature", "certificate-garbage",
                         "signed-by-another-unit"})


# -- encodings --------------------------------------------------------------------------------

def encoding_attacks() -> Iterator[Attack]:
    subject = "V/v báo cáo tháng".encode()
    bad_bytes = {
        "lone-continuation": b"\x80", "invalid-start": b"\xff\xfe", "overlong-slash": b"\xc0\xaf",
        "overlong-nul": b"\xc0\x80", "surrogate-half": b"\xed\xa0\x80",
        "truncated-sequence": b"\xe1\xba", "above-unicode": b"\xf4\x90\x80\x80",
        "five-byte": b"\xf8\x88\x80\x80\x80", "nul-byte": b"\x00", "control-char": b"\x01",
        "latin1-in-utf8": "báo".encode("latin-1"),
        "cp1258": unicodedata.normalize("NFD", "Mật").encode("cp1258", "ignore"),
        "noncharacter-fffe": b"\xef\xbf\xbe",
    }
    for name, raw in bad_bytes.items():
        yield Attack(f"utf8/{name}/subject", _doc().replace(subject, subject + raw, 1))
        yield Attack(f"utf8/{name}/organid", _doc().replace(b"000.00.12.H45</edXML:OrganId>",
                                                          raw + b"</edXML:OrganId>", 1))
    yield Attack("encoding/declared-utf16-sent-utf8", _doc().replace(
        b'encoding="UTF-8"', b'encoding="UTF-16"', 1))
    yield Attack("encoding/ebcdic", _doc().replace(b'encoding="UTF-8"', b'encoding="EBCDIC-US"', 1))
    yield Attack("encoding/unknown", _doc().replace(b'encoding="UTF-8"', b'encoding="x-evil"', 1))
    yield Attack("encoding/utf7", _doc().replace(b'encoding="UTF-8"', b'encoding="UTF-7"', 1)
                 .replace(subject, b"+ADw-x+AD4-", 1))
    yield Attack("encoding/utf32-bom", b"\xff\xfe\x00\x00" + _doc())
    yield Attack("encoding/xml-1.1-c0-control-reference", _doc().replace(
        b'version="1.0"', b'version="1.1"', 1).replace(subject, subject + b"&#x1;", 1))
    yield Attack("encoding/double-bom", b"\xef\xbb\xbf\xef\xbb\xbf" + _doc())
    yield Attack("encoding/text-before-declaration", b"junk" + _doc())
    yield Attack("encoding/truncated", _doc()[: len(_doc()) // 2])
    yield Attack("encoding/not-xml", b"%PDF-1.4 not a packet")
    yield Attack("encoding/json-as-xml", b'{"edXML": "x"}')
    yield Attack("encoding/two-roots", _doc() + b"<edXML/>")


# -- zip and base64 bombs ---------------------------------------------------------------------

def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cv.pdf", b"\0" * (200 * 1024 * 1024))
    return buffer.getvalue()


def bomb_attacks() -> Iterator[Attack]:
    bomb = base64.b64encode(_zip_bomb())

    def with_content(content: bytes) -> bytes:
        base = _doc()
        start = base.index(b">", base.index(b"ContentTransferEncoded")) + 1
        end = base.index(b"</", start)
        return base[:start] + content + base[end:]
    # a zip bomb is carried opaque (the hub never inflates attachments); these add what makes
    # the packet refusable
    yield Attack("bomb/zip-in-attachment-with-invalid-base64", with_content(bomb + b"!!*"))
    yield Attack("bomb/base64-bad-padding", with_content(b"A" * 4_001 + b"="))
    yield Attack("bomb/base64-non-alphabet", with_content(b"\xe2\x98\x83" * 1000))
    yield Attack("bomb/oversize-base64", with_content(b"QUFB" * 1_250_000),
                 expected=frozenset({"DX_TOO_LARGE"}))
    zeros = b"\0" * (64 * 1024 * 1024)
    for name, encoded in (("gzip", gzip.compress(zeros, 9)), ("deflate", zlib.compress(zeros, 9))):
        yield Attack(f"bomb/content-encoding-{name}", encoded,
                     headers={"Content-Encoding": name},
                     expected=INVALID | {"DX_TOO_LARGE", "DX_BAD_REQUEST"})
    yield Attack("bomb/content-encoding-unknown", _doc(), headers={"Content-Encoding": "evil"},
                 expected=frozenset({"DX_BAD_REQUEST", "DX_UNSUPPORTED_MEDIA_TYPE",
                                     "DX_INVALID_PACKET"}))


# -- classified marks in every field and Unicode form -----------------------------------------

def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _bold(text: str) -> str:
    return "".join(chr(0x1D400 + ord(c) - ord("A")) if "A" <= c <= "Z" else c for c in text)


MARK_FORMS: dict[str, str] = {
    "plain": "[MẬT]", "top-secret": "(TỐI MẬT)", "absolute": "TUYỆT MẬT:",
    "lowercase": "[mật]", "nfd": _nfd("[TỐI MẬT]"), "math-bold": _bold("[MẬT]"),
    "letterlike": "[ℳẬT]", "fullwidth": "［ＭẬＴ］", "zero-width": "[M\u200bẬ\u200dT]",
    "cgj": "[M\u034fẬT]", "isolates": "[\u2066MẬT\u2069]", "tag-chars": "[M\U000E0041ẬT]",
    "variation-selector": "[M\ufe0fẬ\U000E0100T]", "mongolian-fvs": "[M\u180bẬT]",
    "cyrillic-confusables": "[\u041cẬ\u0422]", "label": "Độ mật: Tuyệt mật",
    "no-diacritics": "[TOI MAT]", "soft-hyphen": "[M\u00adẬT]",
}
DOCUMENT_FIELDS = (
    "Subject", "Content", "DocumentType/TypeName", "OtherInfo/SphereOfPromulgation",
    "edXMLManifest/Reference/AttachmentName", "edXMLManifest/Reference/Description",
    "Attachment/AttachmentName", "Attachment/Description", "From/OrganName", "To/OrganName",
    "From/OrganizationInCharge", "PromulgationInfo/Place", "SignerInfo/FullName",
    "SignerInfo/Position", "SignerInfo/Competence", "OtherInfo/TyperNotation",
    "Bussiness/BussinessDocReason", "OtherInfo/DueDate", "Code/CodeNotation",
)
STATUS_FIELDS = ("Description", "StaffInfo/Staff", "StaffInfo/Department", "From/OrganName")


def classified_attacks(senders: list[str]) -> Iterator[Attack]:
    """Every field with a few forms, every form in a few fields; a different sender each
    time (a per-unit rate limit must not answer for the secrecy guard)."""
    n = 0
    forms = list(MARK_FORMS.items())
    for i, path in enumerate(DOCUMENT_FIELDS):
        for form_name, mark in forms[i % 3:: 3] if path != "Subject" else forms:
            sender = senders[n % len(senders)]
            n += 1
            text = f"{mark} {MARKER}"
            yield Attack(f"classified/{path}/{form_name}", _set(_doc(sender), path, text),
                         caller=sender, expected=CLASSIFIED | INVALID, classified=True)
    for path in STATUS_FIELDS:
        for form_name, mark in forms[::4]:
            yield Attack(f"classified/status/{path}/{form_name}",
                         _set(_status(), path, f"{mark} {MARKER}"), path="/api/v1/statuses",
                         caller=SO_NOI_VU, expected=CLASSIFIED | INVALID, classified=True)


# -- requests: authentication, headers, content types, sizes, paths ---------------------------

def request_attacks(limit: int) -> Iterator[Attack]:
    base = _doc()
    auth = {
        "none": {}, "empty-bearer": {"Authorization": "Bearer "},
        "basic": {"Authorization": "Basic YWRtaW46YWRtaW4="},
        "bearer-garbage": {"Authorization": "Bearer x"},
        "bearer-huge": {"Authorization": "Bearer " + "k" * 7000},
        "bearer-sql": {"Authorization": "Bearer ' OR 1=1 --"},
        "bearer-key-prefix-only": {"Authorization": "Bearer dx_"},
        "bearer-dot-tricks": {"Authorization": "Bearer dx_../../etc.passwd"},
        "digest": {"Authorization": 'Digest username="admin"'},
        "two-tokens": {"Authorization": "Bearer a b c"},
        "lowercase-scheme-garbage": {"Authorization": "bearer zzzz.zzzz"},
        "latin1-token": {"Authorization": "Bearer m\xe2t"},
    }
    for name, headers in auth.items():
        for path, method in (("/api/v1/documents", "POST"), ("/api/v1/inbox", "GET"),
                             ("/api/v1/ops/kpis", "GET")):
            yield Attack(f"auth/{name}{path}", base if method == "POST" else None, path=path,
                         method=method, caller=None, headers=headers, expected=UNAUTHENTICATED)
    unsupported = frozenset({"DX_UNSUPPORTED_MEDIA_TYPE"})
    for content_type in ("text/html", "application/json", "multipart/form-data; boundary=x",
                         "application/x-www-form-urlencoded", "image/png",
                         "application/zip", "text/plain", "application/soap+xml"):
        # a JSON body is the send form (hub-built packets): this one is not valid JSON
        yield Attack(f"content-type/{content_type}", base, content_type=content_type,
                     expected=frozenset({"DX_BAD_REQUEST"}) if content_type == "application/json"
                     else unsupported)
        yield Attack(f"content-type/{content_type}/status", _status(), path="/api/v1/statuses",
                     caller=SO_NOI_VU, content_type=content_type, expected=unsupported)
    too_large = frozenset({"DX_TOO_LARGE"})
    yield Attack("size/declared-over-limit", base + b" " * (limit + 10), expected=too_large)
    yield Attack("size/empty", b"", expected=INVALID)
    yield Attack("size/whitespace-only", b" " * 1000)
    huge_header = {"X-Request-Id": "r" * 7000, "X-Evil": "e" * 7000}
    yield Attack("headers/huge-values-unauthenticated", _doc(), headers=huge_header,
                 caller=None, expected=UNAUTHENTICATED)
    yield Attack("headers/request-id-injection", b"", headers={"X-Request-Id": "<script>\"x"},
                 expected=INVALID)
    not_found = frozenset({"DX_NOT_FOUND", "DX_BAD_REQUEST"})
    for path in ("/api/v1/documents/..%2F..%2Fconfig%2Fhub.toml", "/api/v1/documents/%00",
                 "/api/v1/documents/" + "A" * 4000, "/api/v1/documents/' OR '1'='1",
                 "/api/v1/documents/%2e%2e/%2e%2e/etc/passwd",
                 "/api/v1/deliveries/..%2F..%2Fx/ack", "/api/v1/units/..%2F..%2F",
                 "/api/v1/units/%E2%80%AE", "/api/v1/units/" + "9" * 5000,
                 "/api/v1/documents/%ff%fe/deliveries", "/api/v1/../../etc/passwd",
                 "/api/v1/evidence/inclusion?index=-1", "/api/v1/evidence/inclusion?index=1e309",
                 "/api/v1/evidence/consistency?first=99999999999999999999",
                 "/api/v1/inbox?limit=-5", "/api/v1/inbox?limit=abc", "/api/v1/inbox?wait=1e9",
                 "/api/v1/evidence/tree-heads?from=x",
                 "/api/v1/nonexistent", "/api/v1/documents/%2e%2e%2f%2e%2e%2fkeys%2fhub.key"):
        method = "POST" if path.endswith("/ack") else "GET"
        yield Attack(f"path/{path[:60]}", None, path=path, method=method, caller=SO_NOI_VU,
                     expected=not_found, content_type=None)
    yield Attack("method/put-documents", base, method="PUT",
                 expected=frozenset({"DX_METHOD_NOT_ALLOWED"}))
    yield Attack("method/delete-inbox", None, path="/api/v1/inbox", method="DELETE",
                 expected=frozenset({"DX_METHOD_NOT_ALLOWED"}), content_type=None)
    yield Attack("status-as-document", _status(PROVINCE), expected=INVALID)
    yield Attack("document-as-status", base, path="/api/v1/statuses", expected=INVALID)
    yield Attack("sender-mismatch", _doc(SONG_HINH), expected=frozenset({"DX_SENDER_MISMATCH"}))
    yield Attack("document-to-itself-unknown", document(PROVINCE, ["000.00.99.H45"]),
                 expected=frozenset({"DX_UNKNOWN_RECIPIENT"}))


def corpus(env: HubEnv, limit: int) -> list[Attack]:
    senders = [code for code, entry in env.credentials.items()
               if isinstance(entry, dict) and "api_key" in entry and code != SO_NOI_VU]
    return [*xml_entity_attacks(), *nesting_attacks(env), *huge_field_attacks(),
            *signature_attacks(env), *encoding_attacks(), *bomb_attacks(),
            *classified_attacks(senders), *request_attacks(limit)]
