-- PostgreSQL port of ../0007_operator_tokens.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Operator tokens expire and are revoked one by one; unit client certificates (mTLS); the
-- lookup that lets a refused large packet's blob be removed when nothing refers to it.

ALTER TABLE operator_tokens ADD COLUMN expires_ts BIGINT;  -- NULL: issued before expiry existed

CREATE TABLE unit_client_certs (
    fingerprint TEXT PRIMARY KEY,        -- hex SHA-256 of the certificate's DER
    organ_id TEXT NOT NULL REFERENCES units (organ_id),
    subject TEXT NOT NULL,
    not_after_ts BIGINT NOT NULL,
    created_ts BIGINT NOT NULL,
    revoked_ts BIGINT
);

CREATE INDEX messages_sha256 ON messages (sha256);
