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
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A configuration problem; the message names the offending key."""


@dataclass(frozen=True)
class PostgresURL:
    """`[storage] database` when it names a PostgreSQL server instead of a SQLite file.

    Kept apart from a path so code that needs a file (`.parent`, a lock beside it) cannot
    mistake one for the other; `str()` and `repr()` hide the password (they end up in log
    lines)."""

    url: str = field(repr=False)
    user: str
    host: str
    port: int
    dbname: str

    def __str__(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"


def parse_database(key: str, value: Any, base_dir: Path) -> Path | PostgresURL:
    """A `postgresql://USER:PASSWORD@HOST:PORT/DBNAME` URL, or else a SQLite file path."""
    if not isinstance(value, (str, Path)) or not str(value):
        raise ConfigError(f"{key} must be a SQLite file path or a postgresql:// URL")
    text = str(value)
    if "://" not in text:
        path = Path(text)
        return path if path.is_absolute() else (base_dir / path).resolve()
    parts = urlsplit(text)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"{key}: only postgresql:// URLs are understood, got {parts.scheme}://")
    try:
        port = parts.port or 5432
    except ValueError as exc:
        raise ConfigError(f"{key}: the port of the postgresql:// URL is not a number") from exc
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not parts.username or not dbname or "/" in dbname:
        raise ConfigError(f"{key} must look like postgresql://USER:PASSWORD@HOST:PORT/DBNAME")
    return PostgresURL(text, unquote(parts.username), parts.hostname, port, dbname)


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
    event_loop: str = _opt("uvloop", "Event loop of serve: uvloop (libuv, less overhead per "
                           "request) or asyncio (the standard library's).",
                           choices=("uvloop", "asyncio"))
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
    database: Path | PostgresURL = _opt(
        Path("../var/hub.sqlite3"), "SQLite database file, or postgresql://USER:PASSWORD@HOST:"
        "PORT/DBNAME for a PostgreSQL server (several hub nodes may share it).", database=True)
    blobs: Path = _opt(Path("../var/blobs"), "Folder of content-addressed payloads.")
    synchronous: str = _opt(
        "FULL", "SQLite synchronous mode: FULL survives power loss, NORMAL only crashes.",
        choices=("FULL", "NORMAL"),
    )
    read_connections: int = _opt(2, "Read-only database connections.", min=1, max=32)
    max_batch: int = _opt(256, "Most write transactions grouped into one commit.", min=1,
                          max=10000)
    batch_gather_us: int = _opt(
        1000, "Microseconds the writer waits for more write transactions to join a batch when "
        "some are already waiting (0: never wait).", min=0, max=100_000)
    inline_payload_bytes: int = _opt(
        1024 * 1024, "Payloads up to this size are stored inside the database.", min=0,
        max=64 * 1024 * 1024)

    @property
    def engine(self) -> str:
        """"sqlite" or "postgresql": which engine `database` names."""
        return "postgresql" if isinstance(self.database, PostgresURL) else "sqlite"

    def lock_path(self, name: str) -> Path:
        """A file for a cross-process lock of this hub's processes on this machine: beside
        the SQLite file, or beside the (shared) blob folder with PostgreSQL."""
        if isinstance(self.database, Path):
            return self.database.with_name(f"{self.database.name}.{name}.lock")
        return self.blobs.with_name(f"{self.blobs.name}.{name}.lock")


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
    inbox_inline_packet_bytes: int = _opt(
        65536, "GET /inbox?packets=inline carries the bytes of each packet of at most this "
        "size (base64) and marks it fetched; larger ones are fetched one by one (0: none).",
        min=0, max=1048576)
    inspect_workers: int = _opt(
        0, "Worker processes that parse, validate and verify packets, off the event loop; "
        "0 for one per core.", min=0, max=64)
    inspect_inline_bytes: int = _opt(
        65536, "Packets of at most this many bytes are inspected on the event loop instead "
        "(0: every packet goes to the workers).", min=0)


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
    webhook_url: str = _opt("", "POST each new alert as JSON to this http(s) URL; empty: none.",
                            secret=True)
    webhook_retries: int = _opt(3, "Further attempts after a failed webhook POST.", min=0,
                                max=20)
    webhook_backoff_ms: int = _opt(1000, "Wait before the first retry, doubled each time.",
                                   min=0, max=600000)
    smtp_url: str = _opt("", "E-mail each new alert through this SMTP server: "
                         "smtp://[user:password@]host[:port] (STARTTLS with smtp+starttls://, "
                         "TLS with smtps://); empty: no e-mail.", secret=True)
    email_to: str = _opt("", "Comma-separated addresses that receive the alert e-mails.")
    email_from: str = _opt("docexchange@localhost", "Sender address of the alert e-mails.")


@dataclass(frozen=True)
class VdxpConfig:
    enabled: bool = _opt(True, "Serve the VDXP-compatible door for VNPT's SDK at /vdxp.")
    list_limit: int = _opt(500, "Most items in one getReceivedEdocList reply.", min=1,
                           max=10000)


@dataclass(frozen=True)
class PushConfig:
    enabled: bool = _opt(True, "Push documents and statuses to the approved endpoints of units.")
    allowed_addresses: tuple[str, ...] = _opt(
        (), "Loopback, link-local or private addresses or networks push may still reach (a "
        "test receiver, an internal DMS); every other such address is refused.", networks=True)
    connect_timeout: int = _opt(5, "Seconds to connect to a push endpoint.", min=1, max=120)
    request_timeout: int = _opt(30, "Seconds a whole push request may take.", min=1, max=600)
    max_response_bytes: int = _opt(65536, "Most bytes of a push response that are read.",
                                   min=256, max=1024 * 1024)
    backoff_initial_ms: int = _opt(1000, "Wait before the second attempt; doubled each time, "
                                   "with jitter.", min=1, max=3600000)
    backoff_max_ms: int = _opt(600000, "Longest wait between two attempts.", min=1,
                               max=86400000)
    max_age: int = _opt(86400, "Seconds after which pushing gives up: the delivery stays in "
                        "the inbox (pull) and an alert is raised.", min=1)
    scan_interval_ms: int = _opt(1000, "Longest pause between two looks for new deliveries "
                                 "to push (inbox work for a unit with an approved endpoint "
                                 "wakes the worker sooner; an endpoint approved since is "
                                 "seen within it).", min=10, max=600000)


@dataclass(frozen=True)
class UpstreamConfig:
    """One [[upstream]] hub: documents for `recipients` are relayed to it, and what it holds
    for our units is polled from it (docs/push-and-relay.md)."""

    name: str = _opt("", "Short name of the upstream hub, shown on timelines.")
    protocol: str = _opt("native", "native (this hub's API) or vdxp (the national axis).",
                         choices=("native", "vdxp"))
    endpoint: str = _opt("", "Base URL: https://hub.example/api/v1 or https://axis/vdxp.")
    api_key: str = _opt("", "native: the API key of our relay account on the upstream.",
                        secret=True)
    system_id: str = _opt("", "vdxp: our system id on the axis.")
    secret: str = _opt("", "vdxp: the secret of system_id.", secret=True)
    organ_id: str = _opt("", "vdxp: the OrganId our system is registered under.")
    recipients: tuple[str, ...] = _opt((), "Recipient patterns it serves: * is one dotted "
                                       "part (*.*.*.H17); \"*unknown*\" is every code not in "
                                       "our directory.")
    poll_interval: int = _opt(5, "Seconds between two polls of its inbox for our units.",
                              min=1, max=3600)
    allow_http: bool = _opt(False, "Allow a plain http:// endpoint (tests, a trusted LAN).")


@dataclass(frozen=True)
class DownstreamConfig:
    """One [[downstream]] hub that relays through this one: it authenticates as `account` (a
    unit of our directory with an API key) and speaks for the codes in `serves`."""

    name: str = _opt("", "Short name of the downstream hub.")
    account: str = _opt("", "OrganId of the directory entry whose API key the hub uses.")
    serves: tuple[str, ...] = _opt((), "Codes it serves, as patterns (*.*.*.H45).")


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
    push: PushConfig = field(default_factory=PushConfig)
    upstream: tuple[UpstreamConfig, ...] = ()
    downstream: tuple[DownstreamConfig, ...] = ()
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
    "push": PushConfig,
}
#: sections written as arrays of tables ([[upstream]]); documented in comments of the example
LIST_SECTIONS: dict[str, type] = {"upstream": UpstreamConfig, "downstream": DownstreamConfig}


def secret_keys() -> frozenset[str]:
    """Option names whose values must never be written anywhere (the log, a page, a line):
    they are, or may carry, a password, a key or a token."""
    classes = [*SECTIONS.values(), *LIST_SECTIONS.values()]
    return frozenset(f.name for cls in classes for f in dataclasses.fields(cls)
                     if f.metadata.get("secret"))


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
    lists: dict[str, Any] = {}
    for name, value in raw.items():
        if name in LIST_SECTIONS:
            lists[name] = _list_section(name, LIST_SECTIONS[name], value, base_dir)
            continue
        if name not in SECTIONS:
            raise ConfigError(f"unknown section [{name}]; known: {', '.join(SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table")
        sections[name] = _section(name, SECTIONS[name], value, base_dir)
    for name, cls in SECTIONS.items():
        sections.setdefault(name, _section(name, cls, {}, base_dir))
    config = Config(**sections, **lists, path=path)
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
    _check_relays(config)
    return config


def _list_section(name: str, cls: type, value: Any, base_dir: Path) -> tuple[Any, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"[[{name}]] must be an array of tables")
    items = []
    for i, table in enumerate(value):
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in table:
            if key not in fields:
                raise ConfigError(f"unknown key {name}[{i}].{key}; known: {', '.join(fields)}")
        kwargs = {}
        for fname, f in fields.items():
            raw = table.get(fname, f.default)
            if isinstance(f.default, tuple):
                if not isinstance(raw, (list, tuple)) or not all(isinstance(v, str) for v in raw):
                    raise ConfigError(f"{name}[{i}].{fname} must be a list of strings")
                kwargs[fname] = tuple(raw)
            else:
                kwargs[fname] = _check(f"{name}[{i}].{fname}", f, raw, base_dir)
        items.append(cls(**kwargs))
    return tuple(items)


def _check_relays(config: Config) -> None:
    names = [u.name for u in config.upstream] + [d.name for d in config.downstream]
    for i, up in enumerate(config.upstream):
        if not up.name or not up.endpoint or not up.recipients:
            raise ConfigError(f"upstream[{i}] needs name, endpoint and recipients")
        if not up.endpoint.startswith("https://") and not (
                up.allow_http and up.endpoint.startswith("http://")):
            raise ConfigError(f"upstream[{i}].endpoint must be https:// (or allow_http = true)")
        if up.protocol == "native" and not up.api_key:
            raise ConfigError(f"upstream[{i}].api_key is required for protocol native")
        if up.protocol == "vdxp" and not (up.system_id and up.secret and up.organ_id):
            raise ConfigError(f"upstream[{i}] needs system_id, secret and organ_id for vdxp")
    for i, down in enumerate(config.downstream):
        if not down.name or not down.account or not down.serves:
            raise ConfigError(f"downstream[{i}] needs name, account and serves")
    if len(set(names)) != len(names):
        raise ConfigError("upstream and downstream names must be unique")


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
    if meta.get("database"):
        return parse_database(key, value, base_dir)
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


def list_option_keys() -> list[str]:
    """Every `section.key` of the [[upstream]]/[[downstream]] tables (documented as comments
    in the example, since a real table there would make every copy relay)."""
    return [f"{s}.{f.name}" for s, cls in LIST_SECTIONS.items() for f in dataclasses.fields(cls)]
