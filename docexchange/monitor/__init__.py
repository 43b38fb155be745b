"""Connectivity and operations: who is connected, what is stuck or overdue, KPIs, alerts.

docs/operations.md defines every state, KPI, alert rule and metric computed here.
"""
