-- Hashes of the perfect subtrees of the evidence log, keyed by leaf range [lo, hi): a subtree
-- of an append-only log never changes once complete, so proofs read O(log n) rows here instead
-- of rehashing every leaf. Filled when a batch seals its tree head; a database from before this
-- migration is filled on the hub's first write batch.
CREATE TABLE merkle_nodes (
    lo INTEGER NOT NULL,
    hi INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (lo, hi)
);

-- Exports and the tree-heads listing select by time.
CREATE INDEX log_leaves_time ON log_leaves (created_ts);
CREATE INDEX tree_heads_time ON tree_heads (timestamp_ts);
