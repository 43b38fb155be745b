-- Portable SQL (DESIGN.md §4): integer millisecond timestamps (*_ts), text ids, no booleans.

CREATE TABLE units (
    organ_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT,
    valid_from TEXT NOT NULL,            -- yyyy-mm-dd, province local date
    valid_to TEXT,                       -- last valid day, NULL = still valid
    successor_id TEXT,
    organization_in_charge TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    telephone TEXT NOT NULL DEFAULT '',
    fax TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE unit_aliases (
    alias TEXT PRIMARY KEY,
    organ_id TEXT NOT NULL REFERENCES units (organ_id)
);

CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY,             -- public prefix of the key
    organ_id TEXT NOT NULL REFERENCES units (organ_id),
    secret_hash TEXT NOT NULL,           -- hex SHA-256 of the whole key
    created_ts INTEGER NOT NULL,
    expires_ts INTEGER,
    revoked_ts INTEGER
);
CREATE INDEX api_keys_unit ON api_keys (organ_id);

CREATE TABLE unit_certificates (
    key_id TEXT PRIMARY KEY,             -- hex SHA-256 of the DER SubjectPublicKeyInfo
    organ_id TEXT NOT NULL REFERENCES units (organ_id),
    pem TEXT NOT NULL,
    not_before_ts INTEGER NOT NULL,
    not_after_ts INTEGER NOT NULL,
    created_ts INTEGER NOT NULL,
    revoked_ts INTEGER
);
CREATE INDEX unit_certificates_unit ON unit_certificates (organ_id);

CREATE TABLE unit_groups (
    group_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    rule_kind TEXT,                      -- dynamic part: every valid unit of this kind ...
    rule_parent TEXT,                    -- ... and/or under this parent, at send time
    created_ts INTEGER NOT NULL
);

CREATE TABLE unit_group_members (
    group_id TEXT NOT NULL REFERENCES unit_groups (group_id),
    organ_id TEXT NOT NULL,
    PRIMARY KEY (group_id, organ_id)
);

CREATE TABLE messages (
    message_id TEXT PRIMARY KEY,         -- ULID
    kind TEXT NOT NULL,                  -- 'document' | 'status'
    sender_id TEXT NOT NULL,
    document_id TEXT NOT NULL,           -- edXML DocumentId (of the answered document for statuses)
    business_type INTEGER NOT NULL,      -- BussinessDocType; -1 for status packets
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    code_number TEXT NOT NULL DEFAULT '',
    code_notation TEXT NOT NULL DEFAULT '',
    priority INTEGER NOT NULL DEFAULT 0,
    due_date TEXT,
    status_code TEXT,                    -- status packets only
    related_message_id TEXT,             -- revoke/update/replace: the original; status: answered
    signer_key_id TEXT,                  -- sender XML-DSig certificate, when signed
    accepted_ts INTEGER NOT NULL,
    recipients_json TEXT NOT NULL,       -- requested To codes and how each was resolved
    log_index INTEGER
);
CREATE UNIQUE INDEX messages_document ON messages (sender_id, document_id, business_type)
    WHERE kind = 'document';
CREATE INDEX messages_document_lookup ON messages (document_id);
CREATE INDEX messages_sender ON messages (sender_id, accepted_ts);

CREATE TABLE deliveries (
    delivery_id TEXT PRIMARY KEY,        -- ULID
    message_id TEXT NOT NULL REFERENCES messages (message_id),
    recipient_id TEXT NOT NULL,
    state TEXT NOT NULL,                 -- see docs/delivery-states.md
    recall TEXT NOT NULL DEFAULT '',     -- '' | requested | accepted | refused
    priority INTEGER NOT NULL DEFAULT 0,
    created_ts INTEGER NOT NULL,
    fetched_ts INTEGER,
    acked_ts INTEGER,
    last_status_code TEXT,
    last_status_ts INTEGER,
    updated_ts INTEGER NOT NULL,
    UNIQUE (message_id, recipient_id)
);
CREATE INDEX deliveries_inbox ON deliveries (recipient_id, acked_ts, priority, created_ts);

CREATE TABLE delivery_events (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES deliveries (delivery_id),
    event TEXT NOT NULL,                 -- created, fetched, acknowledged, status
    status_code TEXT NOT NULL DEFAULT '',
    status_time TEXT NOT NULL DEFAULT '',-- the edXML Timestamp of a status packet
    actor_id TEXT NOT NULL,
    message_id TEXT,                     -- the status packet that carried it, if any
    note TEXT NOT NULL DEFAULT '',
    created_ts INTEGER NOT NULL,
    UNIQUE (delivery_id, event, status_code, status_time)
);

CREATE TABLE message_groups (
    message_id TEXT NOT NULL REFERENCES messages (message_id),
    group_id TEXT NOT NULL,
    members_json TEXT NOT NULL,
    PRIMARY KEY (message_id, group_id)
);

CREATE TABLE refusals (
    refusal_id TEXT PRIMARY KEY,
    sender_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_ts INTEGER NOT NULL
);

-- The append-only evidence log (RFC 9162 leaves) and its signed tree heads.
CREATE TABLE log_leaves (
    leaf_index INTEGER PRIMARY KEY,
    leaf_hash BLOB NOT NULL,
    data BLOB NOT NULL,                  -- canonical JSON of the event
    event TEXT NOT NULL,
    units TEXT NOT NULL DEFAULT '',      -- ',code,code,' units the event concerns (visibility)
    message_id TEXT,
    created_ts INTEGER NOT NULL
);
CREATE INDEX log_leaves_message ON log_leaves (message_id);

CREATE TABLE tree_heads (
    tree_size INTEGER PRIMARY KEY,
    root_hash TEXT NOT NULL,
    timestamp_ts INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
