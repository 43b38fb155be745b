-- PostgreSQL port of ../0009_unit_contacts.sql: the same tables and columns; BIGINT for integers
-- (millisecond timestamps pass 2^31), BYTEA for blobs, identity columns for AUTOINCREMENT.
-- Whom operators call at a unit (issue 13): one contact person per unit, with a phone and an
-- e-mail address. Kept apart from `units` (which mirrors the directory CSV's edXML fields):
-- admins edit it on the dashboard, and a directory import that carries no contact columns
-- leaves it alone. Self-contained, so the file can be renumbered when migrations land.
CREATE TABLE unit_contacts (
    organ_id TEXT PRIMARY KEY,
    person TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    updated_ts BIGINT NOT NULL,
    updated_by TEXT NOT NULL             -- operator name, or 'import'
);

-- E-mail alerts ([alerts] smtp_url, email_to): when an alert was accepted by the SMTP server,
-- tracked apart from the webhook's notified_ts (either channel may be down alone).
ALTER TABLE alerts ADD COLUMN emailed_ts BIGINT;
