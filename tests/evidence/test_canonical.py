"""Canonical JSON: one value, one byte form."""

from __future__ import annotations

import math
from enum import Enum

import pytest

from docexchange.evidence.canonical import canonical_json


def test_keys_sorted_no_whitespace_utf8() -> None:
    value = {"b": [1, 2, {"d": None, "c": True}], "a": "Công văn số 12/UBND", "é": 1.5}
    assert canonical_json(value) == (
        '{"a":"Công văn số 12/UBND","b":[1,2,{"c":true,"d":null}],"é":1.5}'.encode()
    )


def test_key_order_and_tuples_do_not_change_the_bytes() -> None:
    assert canonical_json({"x": 1, "y": (1, 2)}) == canonical_json({"y": [1, 2], "x": 1})


def test_text_is_kept_as_sent_not_normalised() -> None:
    nfc, nfd = "Việt", "Vie\u0302\u0323t"
    assert canonical_json(nfc) != canonical_json(nfd)
    assert canonical_json(nfd) == b'"' + nfd.encode() + b'"'


def test_control_characters_and_quotes_are_escaped() -> None:
    assert canonical_json('a"\\\n\x01') == b'"a\\"\\\\\\n\\u0001"'
    assert canonical_json("\x1f\x7f\u2028") == b'"\\u001f\x7f\xe2\x80\xa8"'


def test_empty_containers_and_scalars() -> None:
    assert canonical_json({}) == b"{}"
    assert canonical_json([]) == b"[]"
    assert canonical_json(0) == b"0"
    assert canonical_json(-(2**63)) == b"-9223372036854775808"


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_nan_and_infinities_are_refused(number: float) -> None:
    with pytest.raises(ValueError):
        canonical_json({"v": [number]})


@pytest.mark.parametrize("key", [1, 1.5, True, None, ("a",)])
def test_non_string_keys_are_refused(key: object) -> None:
    with pytest.raises(TypeError):
        canonical_json({"outer": {key: "v"}})


class Colour(Enum):
    RED = "red"


@pytest.mark.parametrize("value", [b"bytes", {1, 2}, Colour.RED, object()])
def test_values_without_a_json_form_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_json({"v": value})


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValueError):
        canonical_json({"v": "\ud800"})
