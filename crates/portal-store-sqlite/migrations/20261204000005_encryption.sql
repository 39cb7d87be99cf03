-- Health data encrypted by the application. The date of birth, every health detail of
-- `patients` but the primary provider, `appointments.reason` and `audit_events.detail` now hold
-- text of the form `v1.<key id>.<base64url>` (see portal_core::keyring); rows written before
-- keep their plain text until `portal keys rotate` encrypts them.
--
-- Only the CHECK constraint of `sex_at_birth` rejects the new form. SQLite cannot drop a
-- constraint, but it can drop a column whose only constraint is its own CHECK, so the column is
-- copied into a new one without the constraint.
ALTER TABLE patients ADD COLUMN sex_at_birth_sealed TEXT;
UPDATE patients SET sex_at_birth_sealed = sex_at_birth;
ALTER TABLE patients DROP COLUMN sex_at_birth;
ALTER TABLE patients RENAME COLUMN sex_at_birth_sealed TO sex_at_birth;
