-- Small payloads live in the database: written in the same transaction as the message row,
-- they share the batch's single fsync instead of costing a file, an fsync and a rename each.
CREATE TABLE payloads (
    sha256 TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
