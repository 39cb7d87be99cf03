-- One key check per data key id: the fixed key-check text encrypted with that key (see
-- portal_core::keyring::Keyring::seal_key_check). Opening the store with a different key of the
-- same id fails at start, because its check does not decrypt. Checks are written at connect
-- and are not user records, so `portal migrate-data` does not copy them.
CREATE TABLE key_checks (
    key_id TEXT PRIMARY KEY,
    sealed TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
