"""The status template writes exactly the bytes of the lxml tree, or steps aside.

build_status writes a status from a template (edxml/status_template.py) because the hub issues
one per acknowledged document; build_status_tree is the reference. Any text is tried: where
the template writes, the bytes are equal; where lxml refuses a value (control characters), the
template has stepped aside so that build_status still refuses it the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docexchange.edxml import Organization, ResponseFor, StaffInfo, StatusPacket, TraceHeader
from docexchange.edxml.builder import build_status, build_status_tree
from docexchange.edxml.parser import parse_packet
from docexchange.edxml.status_template import status_bytes


def _status(text: str, *, traces: int = 1, dated: bool = True) -> StatusPacket:
    return StatusPacket(
        from_=Organization(text, text, text, text, text, text, text, text),
        response_for=ResponseFor(text, text, text, date(2024, 3, 5) if dated else None),
        staff_info=StaffInfo(text, text, text, text, text, text),
        status_code="01",
        description=text,
        timestamp=datetime(2024, 3, 6, 16, 30, 0),
        traces=tuple(TraceHeader(text, datetime(2024, 3, 6, 16, 30, i)) for i in range(traces)),
    )


def _or_refusal(build: Callable[[StatusPacket], bytes], packet: StatusPacket) -> bytes | None:
    try:
        return build(packet)
    except ValueError:  # lxml: "All strings must be XML compatible"
        return None


def _tree_or_refusal(packet: StatusPacket) -> bytes | None:
    return _or_refusal(build_status_tree, packet)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(0, 2), st.booleans())
def test_the_template_writes_the_trees_bytes_or_steps_aside(text: str, traces: int,
                                                            dated: bool) -> None:
    packet = _status(text, traces=traces, dated=dated)
    fast = status_bytes(packet)
    if fast is not None:
        assert fast == build_status_tree(packet)
    assert _or_refusal(build_status, packet) == _tree_or_refusal(packet)


@pytest.mark.parametrize("text", [
    "", "Sở Tài chính", "a & b <c> d", "]]>", "tab\there\nline", "\u00a0\u2003", "𝔐ẬT",
    "\x85 C1", "'\"quotes\"'",
])
def test_the_template_matches_on_chosen_texts(text: str) -> None:
    packet = _status(text, traces=2)
    assert status_bytes(packet) == build_status_tree(packet)


@pytest.mark.parametrize("text", ["carriage\rreturn", "bell\x07", "nul\x00"])
def test_what_lxml_escapes_or_refuses_goes_to_the_tree(text: str) -> None:
    packet = _status(text)
    assert status_bytes(packet) is None
    assert _tree_or_refusal(packet) == (build_status_tree(packet) if "\r" in text else None)


def test_a_templated_status_reads_back_as_itself(full_status: StatusPacket) -> None:
    assert status_bytes(full_status) is not None
    assert parse_packet(build_status(full_status)) == full_status
    untraced = dataclasses.replace(full_status, traces=())
    assert parse_packet(build_status(untraced)) == untraced
