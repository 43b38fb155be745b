"""The native JSON API, mounted at /api/v1."""
