"""Hub configuration: TOML parsed once at start into frozen dataclasses.

Every option is declared here once, with its default and help text; `config/hub.example.toml`
documents each one (a test keeps the two in step). Unknown keys and bad values stop the start
with a message naming the key. Relative paths resolve against the config file's folder.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A configuration problem; the message names the offending key."""


def _opt(default: Any, help_text: str, **rules: Any) -> Any:
    return field(default=default, metadata={"help": help_text, **rules})


@dataclass(frozen=True)
class ServerConfig:
    host: str = _opt("127.0.0.1", "Address the HTTP server listens on.")
    port: int = _opt(8080, "TCP port of the HTTP server.", min=0, max=65535)
    public_url: str = _opt("", "Base URL shown to users; empty means http://host:port.")
    workers: int = _opt(1, "Hub processes sharing the port (SO_REUSEPORT), for more cores.",
                        min=1, max=64)
    log_format: str = _opt("text", "Log lines as text (people) or json (log collectors).",
                           choices=("text", "json"))
    access_log: bool = _opt(True, "One log line per HTTP request (no bodies, no queries).")
    trusted_proxies: tuple[str, ...] = _opt(
        (), "Addresses or networks of reverse proxies whose X-Forwarded-For/-Proto are believed.",
        networks=True)
    unauthenticated_body_bytes: int = _opt(
        16 * 1024, "Largest body of a request without credentials, and of any dashboard form.",
        min=1024, max=1024 * 1024)
    header_read_timeout: int = _opt(15, "Seconds a client may take to send a request's headers "
                                    "(and its first byte after connecting).", min=1, max=600)
    body_read_timeout: int = _opt(30, "Longest silence, in seconds, while a request body is "
                                  "being received.", min=1, max=3600)
    keepalive_timeout: int = _opt(75, "Seconds an idle keep-alive connection stays open.",
                                  min=1, max=3600)
    unit_rate_limit: int = _opt(50, "API requests per second allowed to one unit (sustained); "
                                "0 turns the limit off.", min=0)
    unit_rate_burst: int = _opt(200, "API requests one unit may send at once above the "
                                "sustained rate.", min=1)
    tls_cert: str = _opt("", "Certificate chain (PEM) to serve HTTPS directly; empty: plain "
                         "HTTP (e.g. behind a TLS proxy).", path=True)
    tls_key: str = _opt("", "Private key (PEM) of tls_cert.", path=True)
    tls_client_ca: str = _opt("", "CA (PEM) whose client certificates are asked for (mTLS, "
                              "optional per client); empty: the dev CA when it exists.",
                              path=True)


@dataclass(frozen=True)
class StorageConfig:
    database: Path = _opt(Path("../var/hub.sqlite3"), "SQLite database file.")
    blobs: Path = _opt(Path("../var/blobs"), "Folder of content-addressed payloads.")
    synchronous: str = _opt(
        "FULL", "SQLite synchronous mode: FULL survives power loss, NORMAL only crashes.",
        choices=("FULL", "NORMAL"),
    )
    read_connections: int = _opt(2, "Read-only SQLite connections.", min=1, max=32)
    max_batch: int = _opt(256, "Most write transactions grouped into one commit.", min=1,
                          max=10000)
    inline_payload_bytes: int = _opt(
        1024 * 1024, "Payloads up to this size are stored inside the database.", min=0,
        max=64 * 1024 * 1024)


@dataclass(frozen=True)
class KeysConfig:
    dir: Path = _opt(Path("../keys"), "Folder of hub keys, dev CA and unit keys.")
    hub_algorithm: str = _opt("ec-p256", "Hub signing key type.",
                              choices=("ec-p256", "rsa-2048"))
    dev_credentials: Path = _opt(Path("../keys/dev-credentials.json"),
                                 "Demo credentials written by init.")
    operator_token_days: int = _opt(90, "Days an operator API token stays valid; 0: until "
                                    "revoked.", min=0, max=3650)
    client_cert_days: int = _opt(365, "Days a unit's TLS client certificate is valid.", min=1,
                                 max=3650)


@dataclass(frozen=True)
class DirectoryConfig:
    demo_csv: Path = _opt(Path("demo-province.csv"), "Unit directory loaded by init.")
    timezone: str = _opt("Asia/Ho_Chi_Minh", "The province's time zone (edXML local time).")


@dataclass(frozen=True)
class ExchangeConfig:
    max_packet_bytes: int = _opt(100 * 1024 * 1024, "Largest accepted packet, in bytes.",
                                 min=1024)
    require_sender_signature: bool = _opt(
        False, "Refuse packets without a valid XML signature by the sender's certificate.")
    allow_sha1_signatures: bool = _opt(False, "Accept legacy rsa-sha1 sender signatures.")
    retired_recipient: str = _opt(
        "follow", "A retired recipient code: follow its successor, or refuse naming it.",
        choices=("follow", "refuse"))
    split_recipient: str = _opt(
        "refuse", "A code split into several units or dissolved: refuse naming the successors "
        "(DX_RECIPIENT_REORGANISED), or deliver to all successors.", choices=("refuse", "all"))
    open_deliveries_follow: bool = _opt(
        True, "At a reorganisation's date, deliveries not yet fetched by a unit that merged or "
        "changed code move to its successor (their history kept).")
    retired_grace_days: int = _opt(
        30, "Days after its last valid day during which a retired unit may still fetch and "
        "acknowledge what it received (it can no longer send documents).", min=0, max=3650)
    inbox_max_wait: int = _opt(60, "Longest inbox long-poll, in seconds.", min=0, max=600)


@dataclass(frozen=True)
class MonitorConfig:
    activity_flush_interval: int = _opt(
        5, "Seconds between writes of the units' last-contact times (one write for all).",
        min=1, max=3600)
    connected_window: int = _opt(900, "A unit is 'connected' when its last contact is at most "
                                 "this many seconds old.", min=1)
    stale_window: int = _opt(86400, "A unit is 'idle' up to this many seconds since its last "
                             "contact, 'disconnected' beyond.", min=1)
    stuck_after: int = _opt(3600, "Default age, in seconds, after which an unacknowledged "
                            "delivery is listed as stuck.", min=1)
    metrics_require_token: bool = _opt(False, "Require an operator token for GET /metrics.")


@dataclass(frozen=True)
class AlertsConfig:
    check_interval: int = _opt(60, "Seconds between two evaluations of the alert rules.",
                               min=1, max=86400)
    disconnected_after: int = _opt(86400, "Alert when a unit that connected before has been "
                                   "silent this many seconds; 0 turns the rule off.", min=0)
    backlog_older_than: int = _opt(14400, "Alert when a unit's oldest unacknowledged delivery "
                                   "is older than this, in seconds; 0 turns it off.", min=0)
    certificate_expiring_days: int = _opt(30, "Alert when a certificate or API key expires "
                                          "within this many days; 0 turns it off.", min=0)
    classified_refused: bool = _opt(True, "Alert when a packet is refused as classified.")
    webhook_url: str = _opt("", "POST each new alert as JSON to this http(s) URL; empty: none.")
    webhook_retries: int = _opt(3, "Further attempts after a failed webhook POST.", min=0,
                                max=20)
    webhook_backoff_ms: int = _opt(1000, "Wait before the first retry, doubled each time.",
                                   min=0, max=600000)
    smtp_url: str = _opt("", "E-mail each new alert through this SMTP server: "
                         "smtp://[user:password@]host[:port] (STARTTLS with smtp+starttls://, "
                         "TLS with smtps://); empty: no e-mail.")
    email_to: str = _opt("", "Comma-separated addresses that receive the alert e-mails.")
    email_from: str = _opt("docexchange@localhost", "Sender address of the alert e-mails.")


@dataclass(frozen=True)
class VdxpConfig:
    enabled: bool = _opt(True, "Serve the VDXP-compatible door for VNPT's SDK at /vdxp.")
    list_limit: int = _opt(500, "Most items in one getReceivedEdocList reply.", min=1,
                           max=10000)


@dataclass(frozen=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    keys: KeysConfig = field(default_factory=KeysConfig)
    directory: DirectoryConfig = field(default_factory=DirectoryConfig)
    exchange: ExchangeConfig = field(default_factory=ExchangeConfig)
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    vdxp: VdxpConfig = field(default_factory=VdxpConfig)
    path: Path | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.directory.timezone)


SECTIONS: dict[str, type] = {
    "server": ServerConfig,
    "storage": StorageConfig,
    "keys": KeysConfig,
    "directory": DirectoryConfig,
    "exchange": ExchangeConfig,
    "monitor": MonitorConfig,
    "alerts": AlertsConfig,
    "vdxp": VdxpConfig,
}


def load_config(path: Path) -> Config:
    """Read and check a TOML file; raises ConfigError naming the key at fault."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return config_from_dict(raw, base_dir=path.resolve().parent, path=path.resolve())


def config_from_dict(raw: dict[str, Any], *, base_dir: Path, path: Path | None = None) -> Config:
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in SECTIONS:
            raise ConfigError(f"unknown section [{name}]; known: {', '.join(SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table")
        sections[name] = _section(name, SECTIONS[name], value, base_dir)
    for name, cls in SECTIONS.items():
        sections.setdefault(name, _section(name, cls, {}, base_dir))
    config = Config(**sections, path=path)
    try:
        ZoneInfo(config.directory.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"directory.timezone: unknown time zone {config.directory.timezone!r}"
                          ) from exc
    if config.alerts.webhook_url and not config.alerts.webhook_url.startswith(
            ("http://", "https://")):
        raise ConfigError("alerts.webhook_url must be an http:// or https:// URL")
    if config.alerts.smtp_url and not config.alerts.smtp_url.startswith(
            ("smtp://", "smtps://", "smtp+starttls://")):
        raise ConfigError("alerts.smtp_url must be an smtp://, smtp+starttls:// or smtps:// URL")
    if config.alerts.smtp_url and not config.alerts.email_to.strip():
        raise ConfigError("alerts.email_to must name at least one address when smtp_url is set")
    if bool(config.server.tls_cert) != bool(config.server.tls_key):
        raise ConfigError("server.tls_cert and server.tls_key go together")
    if config.monitor.stale_window < config.monitor.connected_window:
        raise ConfigError("monitor.stale_window must be at least monitor.connected_window")
    return config


def _section(name: str, cls: type, values: dict[str, Any], base_dir: Path) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in values:
        if key not in fields:
            raise ConfigError(f"unknown key {name}.{key}; known: {', '.join(fields)}")
    kwargs = {}
    for fname, f in fields.items():
        value = values.get(fname, f.default)
        kwargs[fname] = _check(f"{name}.{fname}", f, value, base_dir)
    return cls(**kwargs)


def _check(key: str, f: dataclasses.Field[Any], value: Any, base_dir: Path) -> Any:
    expected = type(f.default)
    meta = f.metadata
    if meta.get("path") and isinstance(value, str) and value:
        path = Path(value)
        return str(path if path.is_absolute() else (base_dir / path).resolve())
    if meta.get("networks"):
        return _networks(key, value)
    if isinstance(f.default, Path):
        if not isinstance(value, (str, Path)) or not str(value):
            raise ConfigError(f"{key} must be a non-empty path string")
        path = Path(value)
        return path if path.is_absolute() else (base_dir / path).resolve()
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{key} must be an integer, got {value!r}")
    if expected is not int and not isinstance(value, expected):
        raise ConfigError(f"{key} must be a {expected.__name__}, got {value!r}")
    if "min" in meta and value < meta["min"]:
        raise ConfigError(f"{key} must be at least {meta['min']}, got {value}")
    if "max" in meta and value > meta["max"]:
        raise ConfigError(f"{key} must be at most {meta['max']}, got {value}")
    if "choices" in meta and value not in meta["choices"]:
        raise ConfigError(f"{key} must be one of {', '.join(meta['choices'])}, got {value!r}")
    return value


def _networks(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of addresses or networks, got {value!r}")
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise ConfigError(f"{key}: {item!r} is not an address or network") from exc
    return tuple(value)


def option_keys() -> list[str]:
    """Every `section.key` the hub understands (for the documentation test)."""
    return [f"{s}.{f.name}" for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)]
