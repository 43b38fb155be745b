-- PostgreSQL port of ../0011_push_and_relay.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Push delivery to units' registered endpoints, and relay to upstream hubs
-- (docs/push-and-relay.md). Queues are rows: they survive restarts and SIGKILL.

CREATE TABLE push_endpoints (
    organ_id TEXT PRIMARY KEY REFERENCES units (organ_id),
    url TEXT NOT NULL,
    state TEXT NOT NULL,                 -- pending | approved | disabled
    allow_http BIGINT NOT NULL DEFAULT 0,  -- an operator allowed a plain http:// URL
    registered_ts BIGINT NOT NULL,
    approved_ts BIGINT,
    approved_by TEXT,
    updated_ts BIGINT NOT NULL
);

CREATE TABLE push_queue (
    delivery_id TEXT PRIMARY KEY REFERENCES deliveries (delivery_id),
    organ_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    state TEXT NOT NULL,                 -- queued | delivered | expired | dropped
    attempts BIGINT NOT NULL DEFAULT 0,
    next_ts BIGINT NOT NULL,
    first_ts BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    done_ts BIGINT
);
CREATE INDEX push_queue_due ON push_queue (state, organ_id, next_ts);

CREATE TABLE relay_out (
    delivery_id TEXT PRIMARY KEY REFERENCES deliveries (delivery_id),
    upstream TEXT NOT NULL,              -- [[upstream]] name
    message_id TEXT NOT NULL,
    state TEXT NOT NULL,                 -- queued | relayed | refused
    attempts BIGINT NOT NULL DEFAULT 0,
    next_ts BIGINT NOT NULL,
    remote_id TEXT,                      -- the upstream's id of the document (its DocId)
    last_error TEXT NOT NULL DEFAULT '',
    created_ts BIGINT NOT NULL,
    done_ts BIGINT
);
CREATE INDEX relay_out_due ON relay_out (state, upstream, next_ts);
