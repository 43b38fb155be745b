"""Deliveries: inboxes, acknowledgements, business statuses and their routing."""
