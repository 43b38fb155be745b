-- PostgreSQL port of ../0002_merkle_nodes.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Hashes of the perfect subtrees of the evidence log, keyed by leaf range [lo, hi): a subtree
-- of an append-only log never changes once complete, so proofs read O(log n) rows here instead
-- of rehashing every leaf. Filled when a batch seals its tree head; a database from before this
-- migration is filled on the hub's first write batch.
CREATE TABLE merkle_nodes (
    lo BIGINT NOT NULL,
    hi BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (lo, hi)
);

-- Exports and the tree-heads listing select by time.
CREATE INDEX log_leaves_time ON log_leaves (created_ts);
CREATE INDEX tree_heads_time ON tree_heads (timestamp_ts);
