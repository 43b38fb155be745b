-- PostgreSQL port of ../0008_reorganisation.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Reorganisation of units with effective dates (docs/reorganisation.md). Renumbered as needed
-- when other migrations land first: self-contained, it only adds tables and columns.

-- A retired unit's successors (several after a split). units.successor_id keeps the first one
-- for older readers; this table is the whole truth.
CREATE TABLE unit_successors (
    organ_id TEXT NOT NULL,
    successor_id TEXT NOT NULL,
    plan_id TEXT,
    PRIMARY KEY (organ_id, successor_id)
);
CREATE INDEX unit_successors_successor ON unit_successors (successor_id);

-- What a unit was called, its kind and parent, before a change made by a plan: history shows
-- the name, code and parent a unit had at the time of each event.
CREATE TABLE unit_versions (
    organ_id TEXT NOT NULL,
    valid_from TEXT NOT NULL,            -- yyyy-mm-dd
    valid_to TEXT NOT NULL,              -- last day of this version
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT,
    plan_id TEXT,
    PRIMARY KEY (organ_id, valid_from)
);

-- Applied plans. followed_ts: when its open deliveries were moved (at or after the date).
CREATE TABLE reorg_plans (
    plan_id TEXT PRIMARY KEY,            -- ULID
    sha256 TEXT NOT NULL UNIQUE,         -- of the plan file: the same file is applied once
    source TEXT NOT NULL,                -- file name as given
    first_date TEXT NOT NULL,
    last_date TEXT NOT NULL,
    operations_json TEXT NOT NULL,
    applied_ts BIGINT NOT NULL,
    log_index BIGINT,
    followed_ts BIGINT
);

-- 1 when the OrganId is the hub's placeholder (no official code known yet).
ALTER TABLE units ADD COLUMN placeholder BIGINT NOT NULL DEFAULT 0;
-- The unit a delivery was addressed to before routing followed a reorganisation.
ALTER TABLE deliveries ADD COLUMN routed_from TEXT;
