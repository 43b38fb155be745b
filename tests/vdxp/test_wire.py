"""The SDK's signing, byte for byte: the test vectors of the protocol notes (docs/vdxp.md),
produced by the SDK itself with secret `vdxp-test-secret` and system id `VDXP-TEST-01`."""

from __future__ import annotations

import hashlib

import aiohttp
import pytest

from docexchange.vdxp import wire
from docexchange.vdxp.client import VdxpClient, sdk_timestamp

SECRET, SYSTEM, STAMP = "vdxp-test-secret", "VDXP-TEST-01", "28112026T090000+0123"
FILE = '<?xml version="1.0" encoding="UTF-8"?>\n<edXML>thử nghiệm</edXML>\n'.encode()
DOC = "01JBX7Q2M3K4N5P6R7S8T9V0WX"
VECTORS = [  # (params, content type, sign-header-key, sign-header, hash-header)
    ({"servicetype": "eDoc", "messagetype": "edoc"}, "application/json",
     "systemid;servicetype;messagetype;timestamp;Content-Type",
     '{"XroadVnpt-systemid":"VDXP-TEST-01","XroadVnpt-servicetype":"eDoc","XroadVnpt-'
     'messagetype":"edoc","XroadVnpt-timestamp":"28112026T090000+0123","XroadVnpt-Content-'
     'Type":"application/json"}',
     "5662960a54e89f9de166d6951b2643472288ceb415732f239aacb25c787b7238"),
    ({"from": "000.00.00.H45", "servicetype": "eDoc", "messagetype": "edoc",
      "hash-file": wire.hash_file(FILE)}, "application/octet-stream",
     "systemid;servicetype;messagetype;hash-file;from;timestamp;Content-Type",
     '{"XroadVnpt-systemid":"VDXP-TEST-01","XroadVnpt-servicetype":"eDoc","XroadVnpt-'
     'messagetype":"edoc","XroadVnpt-hash-file":"6d34528036653fb8a0454e4e12d11caca09bec50ffb5'
     'db6bbfb27949a40c414","XroadVnpt-from":"000.00.00.H45","XroadVnpt-timestamp":"28112026T'
     '090000+0123","XroadVnpt-Content-Type":"application/octet-stream"}',
     "bb39218f3c0082624647678027a6a6814f23fd17de18d334cef3e4eff47c4363"),
    ({"filePath": "xml", "docId": DOC}, "application/json",
     "systemid;docId;filePath;timestamp;Content-Type",
     '{"XroadVnpt-systemid":"VDXP-TEST-01","XroadVnpt-docId":"01JBX7Q2M3K4N5P6R7S8T9V0WX",'
     '"XroadVnpt-filePath":"xml","XroadVnpt-timestamp":"28112026T090000+0123","XroadVnpt-'
     'Content-Type":"application/json"}',
     "81196acd81b47ee59f085571375a0bff60ba06c3b41b7ebc80ec796872ea083e"),
    ({"status": "done", "docid": DOC}, "application/json",
     "systemid;docid;timestamp;Content-Type;status",
     '{"XroadVnpt-systemid":"VDXP-TEST-01","XroadVnpt-docid":"01JBX7Q2M3K4N5P6R7S8T9V0WX",'
     '"XroadVnpt-timestamp":"28112026T090000+0123","XroadVnpt-Content-Type":"application/'
     'json","XroadVnpt-status":"done"}',
     "f41c6cc2cecbc853071d626647111232e809575c7db522a450438a5df131a2d2"),
    ({"servicetype": "eDoc", "messagetype": "edoc", "docId": DOC}, "application/json",
     "systemid;servicetype;messagetype;docId;timestamp;Content-Type",
     '{"XroadVnpt-systemid":"VDXP-TEST-01","XroadVnpt-servicetype":"eDoc","XroadVnpt-'
     'messagetype":"edoc","XroadVnpt-docId":"01JBX7Q2M3K4N5P6R7S8T9V0WX","XroadVnpt-'
     'timestamp":"28112026T090000+0123","XroadVnpt-Content-Type":"application/json"}',
     "5f407571c2a1f97f008391632c5d6f28a6dcf5ef85d9dfd13cd875e2afb5cf4f"),
    ({}, "application/json", "systemid;timestamp;Content-Type",
     '{"XroadVnpt-systemid":"VDXP-TEST-01","XroadVnpt-timestamp":"28112026T090000+0123",'
     '"XroadVnpt-Content-Type":"application/json"}',
     "f5031fb46812ab5c4fc4ea3e174f17108f4be27bc503c90404eb89b84649674d"),
]


async def _client(stamp: str = STAMP) -> tuple[aiohttp.ClientSession, VdxpClient]:
    session = aiohttp.ClientSession()
    return session, VdxpClient(session, "http://127.0.0.1:1/vdxp", SYSTEM, SECRET,
                               timestamp=stamp)


@pytest.mark.parametrize(("params", "ctype", "keys", "header", "mac"), VECTORS)
async def test_a_fresh_object_signs_like_the_sdk(params: dict[str, str], ctype: str, keys: str,
                                                 header: str, mac: str) -> None:
    session, sdk = await _client()
    async with session:
        headers, signed = sdk.sign(params, ctype)
    assert signed == header.encode("utf-8")
    found = dict(headers)
    assert found[wire.SIGN_HEADER_KEY] == keys and found[wire.HASH_HEADER] == mac
    assert wire.signature(SECRET, header.encode()) == mac


async def test_the_sdks_own_timestamp_vector() -> None:
    session, sdk = await _client("28112026T230801+0693")
    async with session:
        headers, _ = sdk.sign({"filePath": "xml", "docId": DOC}, "application/json")
    assert dict(headers)[wire.HASH_HEADER] == (
        "cbc7153faa1cd1959e77ebccd28275d84bb4f1d277eaf12a6408a4225c748765")


async def test_one_object_accumulates_every_key_in_hashmap_order() -> None:
    session, sdk = await _client()
    async with session:
        sdk.sign({"servicetype": "eDoc", "messagetype": "edoc"}, "application/json")
        sdk.sign({"filePath": "xml", "docId": DOC}, "application/json")
        sdk.sign({"status": "done", "docid": DOC}, "application/json")
        headers, _ = sdk.sign({"from": "000.00.00.H45", "servicetype": "eDoc",
                               "messagetype": "edoc", "hash-file": "ab"},
                              "application/octet-stream")
    assert dict(headers)[wire.SIGN_HEADER_KEY] == (
        "systemid;servicetype;messagetype;docId;docid;hash-file;filePath;from;timestamp;"
        "Content-Type;status")


def test_hash_file_drops_leading_zeros_and_both_forms_match() -> None:
    digest = hashlib.sha256(FILE).digest()
    assert digest.hex() == "6d34528036653fb8a0454e4e12d11caca09bec50ffb5db6bbf0b27949a40c414"
    assert wire.hash_file(FILE) == (
        "6d34528036653fb8a0454e4e12d11caca09bec50ffb5db6bbfb27949a40c414")
    assert wire.hash_file_matches(wire.hash_file(FILE), digest)
    assert wire.hash_file_matches(digest.hex(), digest)
    assert not wire.hash_file_matches(wire.hash_file(b"other"), digest)


def test_sign_header_escapes_like_the_sdk() -> None:
    text = wire.sign_header([("k", 'a"b\\c\nd\u2028é<>=&\'')])
    assert text == '{"XroadVnpt-k":"a\\"b\\\\c\\nd\\u2028é<>=&\'"}'


def test_timestamp_format_is_milliseconds_not_a_zone() -> None:
    import datetime as dt
    assert sdk_timestamp(dt.datetime(2026, 11, 28, 22, 58, 2, 832000)) == \
        "28112026T225802+0832"


def test_replies_escape_non_ascii() -> None:
    assert wire.reply_body({"ErrorDesc": "Đã đến"}) == \
        b'{"ErrorDesc":"\\u0110\\u00e3 \\u0111\\u1ebfn"}'
