"""Relay to other hubs: [[upstream]] hubs we relay to and poll, [[downstream]] hubs that
relay through us (docs/push-and-relay.md). A small core calls a protocol adapter
(protocol.py), aiosmtpd-style: `native` speaks this hub's API, `vdxp` the national axis."""
