"""The XML attack corpus: nothing hostile gets past parse_xml, and nothing is fetched."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from docexchange.edxml import parse_packet
from docexchange.errors import DocExchangeError

from .conftest import sample_bytes

SECRET = "TOP-SECRET-7f1d2c"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local port that any fetch would have to connect to; it must stay silent."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.3)
    yield server
    server.close()


def _assert_no_connection(server: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        connection, _ = server.accept()
        connection.close()


def _refused(data: bytes, code: str = "DX_INVALID_PACKET") -> DocExchangeError:
    with pytest.raises(DocExchangeError) as caught:
        parse_packet(data)
    assert caught.value.code == code
    return caught.value


def _everything_said(error: DocExchangeError) -> str:
    return f"{error} {error.message_vi} {error.message_en} {error.errors} {error.details}"


def _with_doctype(doctype: str, subject: str = "V/v") -> bytes:
    """edoc_new with a DOCTYPE after the declaration and Subject starting with `subject`."""
    data = sample_bytes("edoc_new.edxml")
    data = data.replace(b"<edXML:Subject>V/v", f"<edXML:Subject>{subject}".encode(), 1)
    declaration, _, rest = data.partition(b"\n")
    return declaration + b"\n" + doctype.encode() + b"\n" + rest


def test_xxe_local_file_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    for target in (secret.as_uri(), "file:///etc/passwd"):
        error = _refused(_with_doctype(f'<!DOCTYPE edXML [<!ENTITY e SYSTEM "{target}">]>', "&e;"))
        said = _everything_said(error)
        assert "DOCTYPE" in said
        assert SECRET not in said and "root:" not in said


def test_xxe_brief_form_is_refused() -> None:
    data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    assert "root:" not in _everything_said(_refused(data))


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    error = _refused(_with_doctype(f"<!DOCTYPE edXML [{entities}]>", "&lol9;"), "DX_MALFORMED_XML")
    assert "lollollol" not in _everything_said(error)
    assert "amplification" in error.errors[0]["reason"]  # libxml2 stops it while parsing


def test_billion_laughs_in_an_attribute_is_refused() -> None:
    entities = '<!ENTITY a0 "aaaaaaaaaa">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    _refused(f'<!DOCTYPE x [{entities}]><x y="&a9;"/>'.encode(), "DX_MALFORMED_XML")


@pytest.mark.parametrize(
    "template",
    [
        '<!DOCTYPE edXML SYSTEM "http://127.0.0.1:{port}/x.dtd">',
        '<!DOCTYPE edXML PUBLIC "-//X//EN" "http://127.0.0.1:{port}/x.dtd">',
        '<!DOCTYPE edXML [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>',
        '<!DOCTYPE edXML [<!ENTITY e SYSTEM "http://127.0.0.1:{port}/e.txt">]>',
    ],
    ids=["external-dtd", "public-dtd", "parameter-entity", "external-entity"],
)
def test_remote_dtds_and_entities_are_refused_without_network(
    template: str, listener: socket.socket
) -> None:
    """The bundled libxml2 (2.14) has no HTTP client at all; this guards builds that do."""
    port = listener.getsockname()[1]
    subject = "&e;" if "ENTITY e " in template else "V/v"
    _refused(_with_doctype(template.format(port=port), subject))
    _assert_no_connection(listener)


def test_external_dtd_on_disk_is_never_loaded(tmp_path: Path) -> None:
    """The corpus works: a permissive parser does pull the secret in; ours refuses it."""
    dtd = tmp_path / "x.dtd"
    dtd.write_text(f'<!ENTITY e "{SECRET}">')
    data = _with_doctype(f'<!DOCTYPE edXML SYSTEM "{dtd.as_uri()}">', "&e;")
    permissive = etree.XMLParser(load_dtd=True, resolve_entities=True)
    assert SECRET in etree.tostring(etree.fromstring(data, permissive)).decode()
    assert SECRET not in _everything_said(_refused(data))


def test_schema_location_hints_are_not_followed(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    data = sample_bytes("edoc_new.edxml").replace(
        b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">',
        b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
        b'"http://www.mic.gov.vn/TBT/QCVN_102_2016 http://127.0.0.1:%d/x.xsd">' % port,
    )
    parse_packet(data)
    _assert_no_connection(listener)


def test_xinclude_is_not_processed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    data = sample_bytes("edoc_new.edxml").replace(
        b"<edXML:Subject>V/v",
        b'<edXML:Subject><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" parse="text" '
        b'href="' + secret.as_uri().encode() + b'"/>V/v',
    )
    assert SECRET not in _everything_said(_refused(data))


def test_doctype_without_entities_is_refused_too() -> None:
    _refused(_with_doctype("<!DOCTYPE edXML>"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"not xml at all",
        b"\x00\x01\x02",
        b"<edXML",
        b'{"json": true}',
        "<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'>é</edXML>".encode("utf-16")[:9],
    ],
    ids=["empty", "blank", "text", "binary", "truncated", "json", "broken-utf16"],
)
def test_non_xml_is_refused(data: bytes) -> None:
    """Not XML at all: DX_MALFORMED_XML (HTTP 400), said in both languages."""
    error = _refused(data, "DX_MALFORMED_XML")
    assert error.status == 400
    assert error.errors[0]["reason"] and error.errors[0]["reason_vi"]
    assert "XML" in error.message_vi and "XML" in error.message_en


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body/></html>",
        b"<edXML><x/></edXML>",  # right name, no namespace
        b'<edXML xmlns="urn:other"/>',
        b'<Status xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>',
    ],
    ids=["html", "no-namespace", "other-namespace", "status-as-root"],
)
def test_wrong_root_is_refused(data: bytes) -> None:
    error = _refused(data)
    assert "root" in error.errors[0]["reason"]


def test_empty_edxml_root_is_refused() -> None:
    error = _refused(b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>')
    assert error.errors[0]["element"] == "edXML"


def test_size_cap() -> None:
    data = sample_bytes("edoc_new.edxml")
    with pytest.raises(DocExchangeError) as caught:
        parse_packet(data, max_bytes=len(data) - 1)
    assert caught.value.code == "DX_TOO_LARGE"
    assert parse_packet(data, max_bytes=len(data))


def test_attachment_over_10mb_parses() -> None:
    """Attachments reach 20 MB in the field: libxml2's 10 MB text node limit is lifted
    (huge_tree) and the hub's packet size cap bounds memory instead."""
    data = sample_bytes("edoc_new.edxml")
    start = data.index(b"UEsDB")
    end = data.index(b"<", start)
    packet = parse_packet(data[:start] + b"QUFB" * 2_600_000 + data[end:])
    assert len(packet.attachments[0].data) == 3 * 2_600_000
