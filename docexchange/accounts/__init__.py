"""Operator accounts: the province staff who watch the hub (ops API, dashboard, CLI)."""
