import re
from pathlib import Path

import pytest

from docexchange.config import (
    ConfigError,
    PostgresURL,
    config_from_dict,
    load_config,
    option_keys,
)

REPO = Path(__file__).resolve().parents[1]


def test_example_config_loads_and_resolves_paths_against_its_folder(tmp_path: Path) -> None:
    config = load_config(REPO / "config" / "hub.example.toml")
    assert config.server.port == 8080
    assert config.storage.database == (REPO / "var" / "hub.sqlite3").resolve()
    assert config.directory.demo_csv == REPO / "config" / "demo-province.csv"


def test_every_option_is_documented_in_the_example() -> None:
    text = (REPO / "config" / "hub.example.toml").read_text("utf-8")
    section = None
    documented = set()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if m := re.match(r"^\[(\w+)\]", line):
            section = m[1]
        elif m := re.match(r"^(\w+) = ", line):
            assert lines[i - 1].startswith("#"), f"{section}.{m[1]} has no comment"
            documented.add(f"{section}.{m[1]}")
    assert documented == set(option_keys())


@pytest.mark.parametrize("raw, key", [
    ({"server": {"prot": 1}}, "server.prot"),
    ({"servr": {}}, "servr"),
    ({"server": {"port": "80"}}, "server.port"),
    ({"server": {"port": 70000}}, "server.port"),
    ({"storage": {"synchronous": "OFF"}}, "storage.synchronous"),
    ({"exchange": {"require_sender_signature": "yes"}}, "exchange.require_sender_signature"),
    ({"exchange": {"max_packet_bytes": True}}, "exchange.max_packet_bytes"),
    ({"directory": {"timezone": "Mars/Olympus"}}, "directory.timezone"),
    ({"storage": {"database": ""}}, "storage.database"),
    ({"storage": {"database": "mysql://u:p@h:3306/db"}}, "storage.database"),
    ({"storage": {"database": "postgresql://u:p@h:port/db"}}, "storage.database"),
    ({"storage": {"database": "postgresql://u:p@h:5432/"}}, "storage.database"),
    ({"storage": {"database": "postgresql://h:5432/db"}}, "storage.database"),
    ({"storage": {"database": 5432}}, "storage.database"),
])
def test_bad_config_names_the_key(raw: dict, key: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(key)):
        config_from_dict(raw, base_dir=tmp_path)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "hub.toml"
    bad.write_text("[server\nport=1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_a_postgresql_url_names_the_server_and_a_path_still_means_sqlite(tmp_path: Path) -> None:
    url = "postgresql://hub:s%40cret@db.example:6543/docexchange?sslmode=require"
    storage = config_from_dict({"storage": {"database": url}}, base_dir=tmp_path).storage
    assert storage.database == PostgresURL(url, "hub", "db.example", 6543, "docexchange")
    assert storage.engine == "postgresql"
    assert "cret" not in str(storage.database) and "cret" not in repr(storage.database)
    assert storage.lock_path("outbound") == storage.blobs.with_name("blobs.outbound.lock")
    default = config_from_dict({"storage": {"database": "data/hub.db"}}, base_dir=tmp_path)
    assert default.storage.database == tmp_path / "data" / "hub.db"
    assert default.storage.engine == "sqlite"
    assert default.storage.lock_path("outbound") == tmp_path / "data" / "hub.db.outbound.lock"
