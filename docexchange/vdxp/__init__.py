"""The national-axis-compatible door (`/vdxp`): what VNPT's SDK (SDKVXP 2.0.x) sends, answered
the way it expects, so that a DMS connects by changing only its endpoint.

`wire` holds the protocol's byte-level rules (shared by both sides), `client` is an SDK-like
client (tests, and the upstream relay), `credentials` seals and checks the units' secrets,
`auth` authenticates a request, `operations` answers each operation, `urls` builds the sub-app.
"""
