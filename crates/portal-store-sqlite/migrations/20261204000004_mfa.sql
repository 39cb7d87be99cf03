-- Two-step sign-in: one TOTP credential per user and its unused recovery codes.
-- `secret` is base32 text, stored in plain text until application-level encryption at rest
-- exists. `last_step` is the highest accepted time step (Unix seconds / 30), so a code is
-- accepted at most once. A recovery code row is deleted when the code is used.
CREATE TABLE mfa_totp (
    user_id      TEXT NOT NULL PRIMARY KEY REFERENCES users (id),
    secret       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE mfa_recovery_codes (
    user_id   TEXT NOT NULL REFERENCES mfa_totp (user_id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
) STRICT;
