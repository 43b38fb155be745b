-- The latest leaf of one kind (the recorded configuration, read at every start) and the audit
-- page's filter by kind, without scanning the whole log.
CREATE INDEX log_leaves_event ON log_leaves (event, leaf_index);
