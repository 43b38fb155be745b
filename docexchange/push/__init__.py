"""Push delivery: the hub POSTs each document and status to a unit's approved HTTPS endpoint
(docs/push-and-relay.md). Pull (the inbox) always keeps working beside it."""
