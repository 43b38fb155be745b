-- PostgreSQL port of ../0010_vdxp_credentials.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Credentials of the VDXP-compatible door (/vdxp, docs/vdxp.md). The SDK signs each request
-- with HMAC-SHA256 keyed by the secret itself, so the hub must be able to recover the secret:
-- it is stored sealed (AES-256-GCM, key in keys/vdxp-seal.key, the row's system id and unit as
-- associated data), never in plain text. One active secret per system id; re-issuing a unit's
-- credentials revokes its earlier ones.
CREATE TABLE vdxp_credentials (
    system_id TEXT PRIMARY KEY,
    organ_id TEXT NOT NULL REFERENCES units (organ_id),
    sealed_secret BYTEA NOT NULL,         -- 12-byte nonce || AES-GCM ciphertext and tag
    created_ts BIGINT NOT NULL,
    revoked_ts BIGINT
);
CREATE INDEX vdxp_credentials_unit ON vdxp_credentials (organ_id);
