-- PostgreSQL port of ../0013_drop_log_leaves_message.sql: the same index dropped.
-- No query reads the log by message id (leaves are read by index, kind, time or unit), yet
-- every leaf (several per document: accepted, fetched, acknowledged) updated this index inside
-- the writer lock. EXPLAIN QUERY PLAN of every statement the test suite runs never used it.
DROP INDEX IF EXISTS log_leaves_message;
