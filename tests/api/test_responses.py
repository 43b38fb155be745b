"""The API's JSON bytes (orjson since issue 12): UTF-8 Vietnamese as is, keys in the order the
handler gave them, valid JSON only (no NaN token), and what orjson cannot encode still
answered the way `json` did."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from docexchange.api.responses import encode_json, json_response


def test_vietnamese_text_is_utf8_and_key_order_is_kept() -> None:
    data = {"z_last_first": 1, "tên": "Sở Nội vụ tỉnh Phú Yên", "a": [True, None, 1.5]}
    body = encode_json(data)
    assert "Sở Nội vụ".encode() in body and b"\\u" not in body
    assert list(json.loads(body)) == ["z_last_first", "tên", "a"]
    assert json.loads(body) == data


def test_no_invalid_json_tokens() -> None:
    body = encode_json({"ratio": math.nan, "high": math.inf})
    assert json.loads(body, parse_constant=pytest.fail) == {"ratio": None, "high": None}


def test_what_orjson_refuses_is_encoded_as_json_did_or_refused_as_before() -> None:
    assert json.loads(encode_json({"big": 2**70, 3: "int key"})) == {"big": 2**70, "3": "int key"}

    @dataclasses.dataclass
    class Shaped:
        field: int

    with pytest.raises(TypeError):
        encode_json({"x": Shaped(1)})


def test_the_response_is_json_in_utf8() -> None:
    response = json_response({"ok": "đã nhận"}, status=202, headers={"X-Request-Id": "r1"})
    assert response.status == 202 and response.headers["X-Request-Id"] == "r1"
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.body == encode_json({"ok": "đã nhận"})
