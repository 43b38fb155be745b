"""The unit directory: who may send and receive, their hierarchy, aliases and groups."""
