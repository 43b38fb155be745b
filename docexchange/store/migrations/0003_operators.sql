-- Operator accounts (province staff) for the ops API and the dashboard.

CREATE TABLE operators (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,                  -- viewer | admin
    password_hash TEXT NOT NULL,         -- argon2id
    created_ts INTEGER NOT NULL,
    disabled_ts INTEGER
);

CREATE TABLE operator_tokens (
    token_id TEXT PRIMARY KEY,           -- public prefix
    name TEXT NOT NULL REFERENCES operators (name),
    secret_hash TEXT NOT NULL,           -- hex SHA-256 of the whole token
    created_ts INTEGER NOT NULL,
    revoked_ts INTEGER
);

CREATE TABLE operator_sessions (
    session_hash TEXT PRIMARY KEY,       -- hex SHA-256 of the cookie value
    name TEXT NOT NULL REFERENCES operators (name),
    csrf_token TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    expires_ts INTEGER NOT NULL
);
