-- PostgreSQL port of ../0005_monitor.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Connectivity and operations (docs/operations.md).

-- Per unit: when it first and last authenticated, sent, polled its inbox and acknowledged.
-- Written in batches by the activity tracker (one transaction every few seconds), never per
-- request; several hub processes merge by keeping the earliest first and the latest last times.
CREATE TABLE unit_activity (
    organ_id TEXT PRIMARY KEY,
    first_contact_ts BIGINT,
    last_contact_ts BIGINT,
    last_send_ts BIGINT,
    last_poll_ts BIGINT,
    last_ack_ts BIGINT
);

-- The KPIs of one local day (yyyy-mm-dd), per scope: 'overall', 'kind:<kind>',
-- 'parent:<organ_id>'. Upserted: the day's last snapshot wins.
CREATE TABLE kpi_snapshots (
    day TEXT NOT NULL,
    scope TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    taken_ts BIGINT NOT NULL,
    PRIMARY KEY (day, scope)
);

-- Alerts raised by the rules of [alerts]. One open alert per (rule, subject) at a time; it is
-- closed when its condition clears, and a later occurrence opens a new one.
CREATE TABLE alerts (
    alert_id TEXT PRIMARY KEY,           -- ULID
    rule TEXT NOT NULL,                  -- disconnected | backlog | credential_expiring | classified_refused
    subject TEXT NOT NULL,               -- what it is about: an OrganId, a key id, a refusal id
    organ_id TEXT,                       -- the unit concerned, if any
    message_vi TEXT NOT NULL,
    message_en TEXT NOT NULL,
    details_json TEXT NOT NULL,
    raised_ts BIGINT NOT NULL,
    closed_ts BIGINT,
    notified_ts BIGINT,                 -- webhook accepted it
    notify_attempts BIGINT NOT NULL DEFAULT 0,
    log_index BIGINT
);
CREATE UNIQUE INDEX alerts_open ON alerts (rule, subject) WHERE closed_ts IS NULL;
CREATE INDEX alerts_subject ON alerts (rule, subject);
CREATE INDEX alerts_raised ON alerts (raised_ts);

-- Queries of the operations views: unacknowledged deliveries by age, deliveries by day,
-- deliveries by state (metrics), documents with a due date.
CREATE INDEX deliveries_unacked ON deliveries (acked_ts, created_ts);
CREATE INDEX deliveries_created ON deliveries (created_ts);
CREATE INDEX deliveries_state ON deliveries (state);
CREATE INDEX messages_due ON messages (due_date) WHERE due_date IS NOT NULL;
CREATE INDEX refusals_code ON refusals (code, created_ts);
