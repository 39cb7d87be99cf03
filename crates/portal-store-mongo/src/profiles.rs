//! Patient profiles, embedded in the patient's account document.

use async_trait::async_trait;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use mongodb::options::ReturnDocument;
use portal_core::keyring::Keyring;
use portal_core::model::{Profile, ProfileChanges, Role};
use portal_core::store::{ProfileStore, StoreResult};
use uuid::Uuid;

use crate::MongoStore;
use crate::codec::{self, encode_date, encode_instant, encode_uuid};
use crate::error::store_error;
use crate::health::{decode_health, encode_health};
use crate::sealed::{open_patient, seal_patient_fields};

fn profile_from_document(keyring: &Keyring, document: &Document) -> StoreResult<Profile> {
    let id = codec::uuid(document, "_id")?;
    let patient = open_patient(
        keyring,
        &encode_uuid(id),
        codec::subdocument(document, "patient")?,
    )?;
    let patient = &patient;
    let health = decode_health(patient)?;
    Ok(Profile {
        id,
        email: codec::text(document, "email")?,
        first_name: codec::text(document, "first_name")?,
        last_name: codec::text(document, "last_name")?,
        date_of_birth: codec::date(patient, "date_of_birth")?,
        sex_at_birth: health.sex_at_birth,
        phone: health.phone,
        address: health.address,
        emergency_contact: health.emergency_contact,
        allergies: health.allergies,
        medications: health.medications,
        conditions: health.conditions,
        primary_provider_id: health.primary_provider_id,
        updated_at: codec::instant(patient, "updated_at")?,
    })
}

/// Matches the patient's account; providers and administrators have no profile.
fn patient_filter(patient_id: Uuid) -> Document {
    doc! { "_id": encode_uuid(patient_id), "role": Role::Patient.as_str() }
}

#[async_trait]
impl ProfileStore for MongoStore {
    async fn find_profile(&self, patient_id: Uuid) -> StoreResult<Option<Profile>> {
        let patient = self
            .users
            .find_one(patient_filter(patient_id))
            .await
            .map_err(store_error)?;
        patient
            .as_ref()
            .map(|document| profile_from_document(&self.keyring, document))
            .transpose()
    }

    /// Replaces the names, date of birth and health details in one update of the account
    /// document, so a reader sees the whole change or none of it.
    async fn update_profile(
        &self,
        patient_id: Uuid,
        changes: &ProfileChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Profile>> {
        let now = encode_instant(now);
        let mut set = doc! {
            "first_name": &changes.first_name,
            "last_name": &changes.last_name,
            "first_name_lower": changes.first_name.to_lowercase(),
            "last_name_lower": changes.last_name.to_lowercase(),
            "updated_at": now,
            "patient.date_of_birth": encode_date(changes.date_of_birth),
            "patient.updated_at": now,
        };
        set.extend(encode_health(&changes.health, "patient."));
        seal_patient_fields(
            &self.keyring,
            &encode_uuid(patient_id),
            &mut set,
            "patient.",
        )?;

        let updated = self
            .users
            .find_one_and_update(patient_filter(patient_id), doc! { "$set": set })
            .return_document(ReturnDocument::After)
            .await
            .map_err(store_error)?;
        updated
            .as_ref()
            .map(|document| profile_from_document(&self.keyring, document))
            .transpose()
    }
}
