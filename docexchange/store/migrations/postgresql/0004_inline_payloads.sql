-- PostgreSQL port of ../0004_inline_payloads.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Small payloads live in the database: written in the same transaction as the message row,
-- they share the batch's single fsync instead of costing a file, an fsync and a rename each.
CREATE TABLE payloads (
    sha256 TEXT PRIMARY KEY,
    data BYTEA NOT NULL
);
