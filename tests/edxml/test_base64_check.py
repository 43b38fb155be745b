"""`check_base64` (attachments checked in pieces, never decoded whole) refuses exactly what
`decode_base64` refuses, and the fast whitespace removal matches the regular expression's."""

from __future__ import annotations

import base64
import random
import re

import pytest

from docexchange.edxml import values
from docexchange.errors import DocExchangeError


def _accepted(check: object, text: str) -> bool:
    try:
        check(text, "ContentTransferEncoded")  # type: ignore[operator]
    except DocExchangeError:
        return False
    return True


def _reference(text: str) -> bool:
    try:
        base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("piece", [1, 2, 3, 4, 5, 7, 8, 13])
def test_pieces_change_nothing(piece: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Random texts of base64 letters, padding and spaces, cut into pieces of every size:
    padding inside, after a whole group, or followed by spaces only."""
    monkeypatch.setattr(values, "_PIECE", piece)
    rng = random.Random(piece)
    for alphabet in ("AB+/=\n z9", "AAAAAAAA=\n", "AB=", "Aé= \n\u3000"):
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
            expected = _reference(text)
            assert _accepted(values.check_base64, text) == expected, repr(text)
            assert _accepted(values.decode_base64, text) == expected, repr(text)


def test_decoding_ignores_every_space_the_expression_did() -> None:
    data = bytes(range(256)) * 3
    encoded = base64.b64encode(data).decode()
    wrapped = " \t".join(encoded[i:i + 7] + "\r\n\x0b\x0c\x1c\x1d\x1e\x1f"
                         for i in range(0, len(encoded), 7))
    assert values.decode_base64(wrapped, "ContentTransferEncoded") == data
