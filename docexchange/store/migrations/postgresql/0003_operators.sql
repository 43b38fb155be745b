-- PostgreSQL port of ../0003_operators.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Operator accounts (province staff) for the ops API and the dashboard.

CREATE TABLE operators (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,                  -- viewer | admin
    password_hash TEXT NOT NULL,         -- argon2id
    created_ts BIGINT NOT NULL,
    disabled_ts BIGINT
);

CREATE TABLE operator_tokens (
    token_id TEXT PRIMARY KEY,           -- public prefix
    name TEXT NOT NULL REFERENCES operators (name),
    secret_hash TEXT NOT NULL,           -- hex SHA-256 of the whole token
    created_ts BIGINT NOT NULL,
    revoked_ts BIGINT
);

CREATE TABLE operator_sessions (
    session_hash TEXT PRIMARY KEY,       -- hex SHA-256 of the cookie value
    name TEXT NOT NULL REFERENCES operators (name),
    csrf_token TEXT NOT NULL,
    created_ts BIGINT NOT NULL,
    expires_ts BIGINT NOT NULL
);
