-- Initial schema of the patient portal.
--
-- Encodings, shared by every table:
-- * ids are UUIDs as lower-case hyphenated TEXT;
-- * instants are UTC TEXT in fixed-width RFC 3339 with microseconds
--   (2026-12-04T10:00:00.000000Z), so text order is time order;
-- * calendar dates are TEXT YYYY-MM-DD;
-- * enumerations are their snake_case names.

CREATE TABLE users (
    id               TEXT NOT NULL PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL CHECK (role IN ('patient', 'provider', 'admin')),
    password_hash    TEXT NOT NULL,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    -- Lower-cased by the application (Unicode rules) for prefix search and ordering. NOCASE
    -- changes nothing for lower-case text but lets SQLite use the indexes for LIKE 'prefix%'.
    first_name_lower TEXT NOT NULL COLLATE NOCASE,
    last_name_lower  TEXT NOT NULL COLLATE NOCASE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;

CREATE INDEX users_last_name_lower ON users (last_name_lower, first_name_lower);
CREATE INDEX users_first_name_lower ON users (first_name_lower);

CREATE TABLE providers (
    user_id   TEXT NOT NULL PRIMARY KEY REFERENCES users (id),
    npi       TEXT NOT NULL,
    specialty TEXT NOT NULL
) STRICT;

CREATE TABLE patients (
    user_id             TEXT NOT NULL PRIMARY KEY REFERENCES users (id),
    date_of_birth       TEXT NOT NULL,
    consent_version     TEXT NOT NULL,
    consent_accepted_at TEXT NOT NULL,
    sex_at_birth        TEXT CHECK (sex_at_birth IN ('female', 'male', 'intersex', 'unknown')),
    phone               TEXT,
    -- JSON object, or NULL when not given.
    address             TEXT,
    emergency_contact   TEXT,
    -- JSON arrays.
    allergies           TEXT NOT NULL,
    medications         TEXT NOT NULL,
    conditions          TEXT NOT NULL,
    primary_provider_id TEXT REFERENCES providers (user_id),
    updated_at          TEXT NOT NULL
) STRICT;

CREATE INDEX patients_primary_provider_id ON patients (primary_provider_id);

-- Provider invitations; only the SHA-256 hash of the code is stored.
CREATE TABLE invites (
    code_hash  TEXT NOT NULL PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;

CREATE TABLE appointments (
    id              TEXT NOT NULL PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (user_id),
    provider_id     TEXT NOT NULL REFERENCES providers (user_id),
    preferred_start TEXT NOT NULL,
    visit_type      TEXT NOT NULL CHECK (visit_type IN ('in_person', 'telehealth')),
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL
        CHECK (status IN ('requested', 'confirmed', 'declined', 'cancelled', 'completed')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

-- A patient's list, upcoming appointments and last visit.
CREATE INDEX appointments_patient_start ON appointments (patient_id, preferred_start);
-- A provider's list without and with a status filter.
CREATE INDEX appointments_provider_start ON appointments (provider_id, preferred_start);
CREATE INDEX appointments_provider_status_start
    ON appointments (provider_id, status, preferred_start);
-- Care membership and each care patient's next appointment with the provider.
CREATE INDEX appointments_provider_patient
    ON appointments (provider_id, patient_id, preferred_start);

CREATE TABLE sessions (
    id           TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    -- SHA-256 hash of the refresh token; the token itself is never stored.
    refresh_hash TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;

CREATE INDEX sessions_user_id ON sessions (user_id);

-- Append-only audit log. Actor and subject are not foreign keys, because an event must be
-- stored even when it names an account that does not exist (a failed sign-in, for example).
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL,
    actor_id    TEXT,
    actor_role  TEXT CHECK (actor_role IN ('patient', 'provider', 'admin')),
    action      TEXT NOT NULL,
    subject_id  TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'failed')),
    request_id  TEXT NOT NULL,
    client_addr TEXT NOT NULL
) STRICT;

CREATE INDEX audit_events_subject_seq ON audit_events (subject_id, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
