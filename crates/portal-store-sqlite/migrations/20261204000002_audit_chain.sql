-- Adds the reason of an emergency access grant, and links each audit event to the one before it (see portal_core::audit_chain). Events stored
-- before this migration keep empty hashes; the chain starts at the first event after it.
-- ALTER TABLE does not fire the append-only triggers, and no statement here changes a row.
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN detail TEXT;
