-- PostgreSQL port of ../0006_signature_status.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- The sender's signature as the hub judged it when it accepted a message (FIELD-PACKETS.md §2):
-- 'verified' (registered certificate, trusted chain, bytes match), 'absent' (no signature
-- element) or 'unverified' (present but not checkable: the field's placeholders, SHA-1, a
-- certificate not registered to the sender). Before this, only verified signatures were
-- accepted without being required, and they are exactly the rows with a signer key.
ALTER TABLE messages ADD COLUMN signature TEXT NOT NULL DEFAULT 'absent';
UPDATE messages SET signature = 'verified' WHERE signer_key_id IS NOT NULL;
