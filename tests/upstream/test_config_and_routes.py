"""[[upstream]]/[[downstream]] configuration and the recipient patterns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docexchange.config import ConfigError, config_from_dict, list_option_keys
from docexchange.exchange.relay_routes import matches

REPO = Path(__file__).resolve().parents[2]


def test_every_relay_option_is_documented_in_the_example() -> None:
    text = (REPO / "config" / "hub.example.toml").read_text("utf-8")
    documented, section = set(), None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if m := re.match(r"^# \[\[(\w+)\]\]", line):
            section = m[1]
        elif section and (m := re.match(r"^# (\w+) = ", line)):
            assert lines[i - 1].startswith("# # "), f"{section}.{m[1]} has no comment"
            documented.add(f"{section}.{m[1]}")
    assert documented == set(list_option_keys())


@pytest.mark.parametrize("pattern, code, known, expected", [
    ("*.*.*.H17", "000.00.12.H17", False, True),
    ("*.*.*.H17", "000.00.12.H45", False, False),
    ("*.*.*.H17", "00.12.H17", False, False),          # one part per star
    ("*unknown*", "000.00.00.G01", False, True),
    ("*unknown*", "000.00.00.G01", True, False),
    ("000.00.*.G*", "000.00.00.G01", False, True),
])
def test_patterns(pattern: str, code: str, known: bool, expected: bool) -> None:
    assert matches(pattern, code, known=known) is expected


@pytest.mark.parametrize("raw, message", [
    ({"upstream": [{"name": "n", "endpoint": "http://x/api/v1", "api_key": "k",
                    "recipients": ["*unknown*"]}]}, "https"),
    ({"upstream": [{"name": "n", "endpoint": "https://x/api/v1", "recipients": ["*"]}]},
     "api_key"),
    ({"upstream": [{"name": "n", "protocol": "vdxp", "endpoint": "https://x/vdxp",
                    "recipients": ["*"]}]}, "system_id"),
    ({"upstream": [{"name": "n", "endpoint": "https://x", "api_key": "k", "recipients": ["*"],
                    "colour": 1}]}, "upstream[0].colour"),
    ({"downstream": [{"name": "d", "account": "A"}]}, "serves"),
    ({"upstream": {"name": "n"}}, "array of tables"),
])
def test_bad_relay_config_names_the_key(raw: dict, message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        config_from_dict(raw, base_dir=tmp_path)
