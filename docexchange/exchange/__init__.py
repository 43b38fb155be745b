"""The accept pipeline: the one place where a document or status enters the hub."""
