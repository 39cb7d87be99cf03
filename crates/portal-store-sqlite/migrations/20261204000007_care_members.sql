-- Care membership with the patient's lower-cased names, so a provider's patient list and its
-- name-prefix search read two index ranges instead of joining every patient in the
-- provider's care. The busiest provider of the 100,000-patient benchmark data has 41,281
-- patients in care, and the join took tens of milliseconds per search.
--
-- A patient is in a provider's care while the patient names the provider as primary
-- provider or has any appointment with the provider. The triggers below keep this table in
-- step with patients, appointments and users. The store never deletes appointments or
-- patients, so only a change of primary provider removes a row.
CREATE TABLE care_members (
    provider_id      TEXT NOT NULL REFERENCES providers (user_id),
    patient_id       TEXT NOT NULL REFERENCES patients (user_id),
    first_name_lower TEXT NOT NULL COLLATE NOCASE,
    last_name_lower  TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (provider_id, patient_id)
) STRICT, WITHOUT ROWID;

-- The list in name order, and prefix ranges on either name; both cover the columns the
-- search reads, so it touches no table rows until it joins the page's 25 patients.
CREATE INDEX care_members_last_name
    ON care_members (provider_id, last_name_lower, first_name_lower, patient_id);
CREATE INDEX care_members_first_name
    ON care_members (provider_id, first_name_lower, last_name_lower, patient_id);
-- Name changes, which update every row of the patient.
CREATE INDEX care_members_patient ON care_members (patient_id);

INSERT OR IGNORE INTO care_members (provider_id, patient_id, first_name_lower, last_name_lower)
    SELECT p.primary_provider_id, p.user_id, u.first_name_lower, u.last_name_lower
    FROM patients p JOIN users u ON u.id = p.user_id
    WHERE p.primary_provider_id IS NOT NULL;

INSERT OR IGNORE INTO care_members (provider_id, patient_id, first_name_lower, last_name_lower)
    SELECT DISTINCT a.provider_id, a.patient_id, u.first_name_lower, u.last_name_lower
    FROM appointments a JOIN users u ON u.id = a.patient_id;

CREATE TRIGGER care_members_after_patient_insert AFTER INSERT ON patients
WHEN NEW.primary_provider_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO care_members (provider_id, patient_id, first_name_lower, last_name_lower)
        SELECT NEW.primary_provider_id, NEW.user_id, u.first_name_lower, u.last_name_lower
        FROM users u WHERE u.id = NEW.user_id;
END;

-- The old primary provider keeps the patient while an appointment links them.
CREATE TRIGGER care_members_after_primary_provider_update
AFTER UPDATE OF primary_provider_id ON patients
WHEN NEW.primary_provider_id IS NOT OLD.primary_provider_id
BEGIN
    DELETE FROM care_members
        WHERE provider_id = OLD.primary_provider_id AND patient_id = OLD.user_id
        AND NOT EXISTS (
            SELECT 1 FROM appointments a
            WHERE a.provider_id = OLD.primary_provider_id AND a.patient_id = OLD.user_id);
    INSERT OR IGNORE INTO care_members (provider_id, patient_id, first_name_lower, last_name_lower)
        SELECT NEW.primary_provider_id, NEW.user_id, u.first_name_lower, u.last_name_lower
        FROM users u WHERE u.id = NEW.user_id AND NEW.primary_provider_id IS NOT NULL;
END;

CREATE TRIGGER care_members_after_appointment_insert AFTER INSERT ON appointments
BEGIN
    INSERT OR IGNORE INTO care_members (provider_id, patient_id, first_name_lower, last_name_lower)
        SELECT NEW.provider_id, NEW.patient_id, u.first_name_lower, u.last_name_lower
        FROM users u WHERE u.id = NEW.patient_id;
END;

CREATE TRIGGER care_members_after_name_update
AFTER UPDATE OF first_name_lower, last_name_lower ON users
BEGIN
    UPDATE care_members
        SET first_name_lower = NEW.first_name_lower, last_name_lower = NEW.last_name_lower
        WHERE patient_id = NEW.id;
END;
