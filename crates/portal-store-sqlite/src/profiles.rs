//! Patient profiles: the patient row beside the account, with health details as JSON columns.
//! The date of birth and every health detail but the primary provider are encrypted.

use crate::codec::Columns;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use portal_core::keyring::{Keyring, SealedField};
use portal_core::model::{HealthDetails, Profile, ProfileChanges};
use portal_core::store::{NewPatient, ProfileStore, StoreResult};
use sqlx::SqliteExecutor;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{self, encode_json, encode_sex_at_birth, encode_uuid};
use crate::error::database_error;
use crate::sealed::RowSealer;
use crate::time::{encode_date, encode_instant};

const SELECT_PROFILE: &str = "SELECT u.id, u.email, u.first_name, u.last_name, \
     p.date_of_birth, p.sex_at_birth, p.phone, p.address, p.emergency_contact, p.allergies, \
     p.medications, p.conditions, p.primary_provider_id, p.updated_at \
     FROM patients p JOIN users u ON u.id = p.user_id WHERE p.user_id = ?";

/// Health details encoded as values of the patient columns, each encrypted.
struct HealthValues {
    sex_at_birth: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    emergency_contact: Option<String>,
    allergies: String,
    medications: String,
    conditions: String,
    primary_provider_id: Option<String>,
}

impl HealthValues {
    fn new(health: &HealthDetails, sealer: &RowSealer<'_>) -> StoreResult<Self> {
        let address = health
            .address
            .as_ref()
            .map(|address| encode_json(address, "address"))
            .transpose()?;
        let emergency_contact = health
            .emergency_contact
            .as_ref()
            .map(|contact| encode_json(contact, "emergency_contact"))
            .transpose()?;
        Ok(Self {
            sex_at_birth: sealer.seal_optional(
                SealedField::SexAtBirth,
                health.sex_at_birth.map(encode_sex_at_birth),
            ),
            phone: sealer.seal_optional(SealedField::Phone, health.phone.as_deref()),
            address: sealer.seal_optional(SealedField::Address, address.as_deref()),
            emergency_contact: sealer
                .seal_optional(SealedField::EmergencyContact, emergency_contact.as_deref()),
            allergies: sealer.seal(
                SealedField::Allergies,
                &encode_json(&health.allergies, "allergies")?,
            ),
            medications: sealer.seal(
                SealedField::Medications,
                &encode_json(&health.medications, "medications")?,
            ),
            conditions: sealer.seal(
                SealedField::Conditions,
                &encode_json(&health.conditions, "conditions")?,
            ),
            primary_provider_id: health.primary_provider_id.map(encode_uuid),
        })
    }
}

fn profile_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<Profile> {
    let id = codec::uuid(row, "id")?;
    let sealer = RowSealer::new(keyring, encode_uuid(id));
    let health = health_from_row(row, keyring)?;
    Ok(Profile {
        id,
        email: codec::text(row, "email")?,
        first_name: codec::text(row, "first_name")?,
        last_name: codec::text(row, "last_name")?,
        date_of_birth: sealer.date(row, "date_of_birth", SealedField::DateOfBirth)?,
        sex_at_birth: health.sex_at_birth,
        phone: health.phone,
        address: health.address,
        emergency_contact: health.emergency_contact,
        allergies: health.allergies,
        medications: health.medications,
        conditions: health.conditions,
        primary_provider_id: health.primary_provider_id,
        updated_at: codec::instant(row, "updated_at")?,
    })
}

/// Reads and decrypts the health columns of a patient row whose user id is column `id`.
pub(crate) fn health_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<HealthDetails> {
    let sealer = RowSealer::new(keyring, encode_uuid(codec::uuid(row, "id")?));
    Ok(HealthDetails {
        sex_at_birth: sealer.optional_sex_at_birth(row, "sex_at_birth", SealedField::SexAtBirth)?,
        phone: sealer.optional_text(row, "phone", SealedField::Phone)?,
        address: sealer.json(row, "address", SealedField::Address)?,
        emergency_contact: sealer.json(row, "emergency_contact", SealedField::EmergencyContact)?,
        allergies: sealer.json(row, "allergies", SealedField::Allergies)?,
        medications: sealer.json(row, "medications", SealedField::Medications)?,
        conditions: sealer.json(row, "conditions", SealedField::Conditions)?,
        primary_provider_id: codec::optional_uuid(row, "primary_provider_id")?,
    })
}

/// Reads and decrypts the date of birth of a patient row whose user id is column `id`.
pub(crate) fn date_of_birth_from_row(
    row: &impl Columns,
    keyring: &Keyring,
) -> StoreResult<NaiveDate> {
    let sealer = RowSealer::new(keyring, encode_uuid(codec::uuid(row, "id")?));
    sealer.date(row, "date_of_birth", SealedField::DateOfBirth)
}

async fn fetch_profile(
    executor: impl SqliteExecutor<'_>,
    keyring: &Keyring,
    patient_id: Uuid,
) -> StoreResult<Option<Profile>> {
    let row = sqlx::query(SELECT_PROFILE)
        .bind(encode_uuid(patient_id))
        .fetch_optional(executor)
        .await
        .map_err(database_error)?;
    row.as_ref()
        .map(|row| profile_from_row(row, keyring))
        .transpose()
}

/// Inserts the patient row of a new patient whose account row exists in the same transaction,
/// with `updated_at` as the profile's last change.
pub(crate) async fn insert_patient_row(
    executor: impl SqliteExecutor<'_>,
    keyring: &Keyring,
    patient: &NewPatient,
    updated_at: DateTime<Utc>,
) -> StoreResult<()> {
    let sealer = RowSealer::new(keyring, encode_uuid(patient.user.id));
    let health = HealthValues::new(&patient.health, &sealer)?;
    sqlx::query(
        "INSERT INTO patients (user_id, date_of_birth, consent_version, consent_accepted_at, \
         sex_at_birth, phone, address, emergency_contact, allergies, medications, conditions, \
         primary_provider_id, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(encode_uuid(patient.user.id))
    .bind(sealer.seal(
        SealedField::DateOfBirth,
        &encode_date(patient.date_of_birth),
    ))
    .bind(&patient.consent.policy_version)
    .bind(encode_instant(patient.consent.accepted_at))
    .bind(health.sex_at_birth)
    .bind(health.phone)
    .bind(health.address)
    .bind(health.emergency_contact)
    .bind(health.allergies)
    .bind(health.medications)
    .bind(health.conditions)
    .bind(health.primary_provider_id)
    .bind(encode_instant(updated_at))
    .execute(executor)
    .await
    .map_err(database_error)?;
    Ok(())
}

#[async_trait]
impl ProfileStore for SqliteStore {
    async fn find_profile(&self, patient_id: Uuid) -> StoreResult<Option<Profile>> {
        self.readers
            .optional(SELECT_PROFILE, [encode_uuid(patient_id)], |row| {
                profile_from_row(row, &self.keyring)
            })
    }

    async fn update_profile(
        &self,
        patient_id: Uuid,
        changes: &ProfileChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Profile>> {
        let id = encode_uuid(patient_id);
        let sealer = RowSealer::new(&self.keyring, &id);
        let health = HealthValues::new(&changes.health, &sealer)?;
        let now = encode_instant(now);

        // An early return drops the transaction, which rolls it back.
        let mut transaction = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE patients SET date_of_birth = ?, sex_at_birth = ?, phone = ?, address = ?, \
             emergency_contact = ?, allergies = ?, medications = ?, conditions = ?, \
             primary_provider_id = ?, updated_at = ? \
             WHERE user_id = ?",
        )
        .bind(sealer.seal(
            SealedField::DateOfBirth,
            &encode_date(changes.date_of_birth),
        ))
        .bind(health.sex_at_birth)
        .bind(health.phone)
        .bind(health.address)
        .bind(health.emergency_contact)
        .bind(health.allergies)
        .bind(health.medications)
        .bind(health.conditions)
        .bind(health.primary_provider_id)
        .bind(&now)
        .bind(&id)
        .execute(&mut *transaction)
        .await
        .map_err(database_error)?;
        if updated.rows_affected() == 0 {
            transaction.rollback().await.map_err(database_error)?;
            return Ok(None);
        }

        sqlx::query(
            "UPDATE users SET first_name = ?, last_name = ?, first_name_lower = ?, \
             last_name_lower = ?, updated_at = ? \
             WHERE id = ?",
        )
        .bind(&changes.first_name)
        .bind(&changes.last_name)
        .bind(changes.first_name.to_lowercase())
        .bind(changes.last_name.to_lowercase())
        .bind(&now)
        .bind(&id)
        .execute(&mut *transaction)
        .await
        .map_err(database_error)?;

        let profile = fetch_profile(&mut *transaction, &self.keyring, patient_id).await?;
        transaction.commit().await.map_err(database_error)?;
        Ok(profile)
    }
}
