//! Care membership. A patient is in a provider's care when the patient names the provider as
//! primary provider or has any appointment with the provider.

use std::collections::HashMap;

use async_trait::async_trait;
use bson::{Bson, doc};
use chrono::{DateTime, Utc};
use portal_core::keyring::SealedField;
use portal_core::model::{CarePatient, Page, PageRequest, Role};
use portal_core::store::{CareStore, StoreResult};
use uuid::Uuid;

use crate::MongoStore;
use crate::appointments::{OPEN_STATUSES, status_names};
use crate::codec::{self, encode_instant, encode_uuid};
use crate::error::{invalid_field, store_error};
use crate::list::{PageBounds, all_of, collect, name_prefix_filter};
use crate::sealed::open_value;
use crate::users::name_order;

#[async_trait]
impl CareStore for MongoStore {
    async fn is_in_care(&self, provider_id: Uuid, patient_id: Uuid) -> StoreResult<bool> {
        let provider_id = encode_uuid(provider_id);
        let patient_id = encode_uuid(patient_id);
        let primary = self
            .users
            .find_one(doc! {
                "_id": &patient_id,
                "role": Role::Patient.as_str(),
                "patient.primary_provider_id": &provider_id,
            })
            .projection(doc! { "_id": 1 })
            .await
            .map_err(store_error)?;
        if primary.is_some() {
            return Ok(true);
        }
        let appointment = self
            .appointments
            .find_one(doc! { "provider_id": &provider_id, "patient_id": &patient_id })
            .projection(doc! { "_id": 1 })
            .await
            .map_err(store_error)?;
        Ok(appointment.is_some())
    }

    /// Lists the provider's care patients in three reads: the ids of patients with an
    /// appointment, the page of patients, and the page's upcoming appointments. A concurrent
    /// change can make the page and its total disagree.
    async fn list_care_patients(
        &self,
        provider_id: Uuid,
        prefix: Option<&str>,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Page<CarePatient>> {
        let bounds = PageBounds::new(page)?;
        let provider_id = encode_uuid(provider_id);

        // NOTE: `distinct` returns one reply document, so this fails once a provider's
        // patient ids exceed 16 MB (about 350,000 patients).
        let with_appointments: Vec<Bson> = self
            .appointments
            .distinct("patient_id", doc! { "provider_id": &provider_id })
            .await
            .map_err(store_error)?;
        let filter = all_of([
            Some(doc! { "role": Role::Patient.as_str() }),
            Some(doc! { "$or": [
                { "patient.primary_provider_id": &provider_id },
                { "_id": { "$in": with_appointments } },
            ] }),
            name_prefix_filter(prefix),
        ]);

        let patients = if bounds.is_empty() {
            Vec::new()
        } else {
            let cursor = self
                .users
                .find(filter.clone())
                .sort(name_order())
                .skip(bounds.skip)
                .limit(bounds.limit)
                // NOTE: the whole `patient` document is read because nx-27017 (the test
                // stand-in) returns a dotted projection such as `patient.date_of_birth` as a
                // flat field instead of a nested one.
                .projection(doc! { "first_name": 1, "last_name": 1, "patient": 1 })
                .await
                .map_err(store_error)?;
            collect(cursor).await?
        };
        let total = self
            .users
            .count_documents(filter)
            .await
            .map_err(store_error)?;

        let page_ids: Vec<Bson> = patients
            .iter()
            .map(|patient| {
                patient
                    .get("_id")
                    .cloned()
                    .ok_or_else(|| invalid_field("_id"))
            })
            .collect::<StoreResult<_>>()?;
        let next = self.next_appointments(&provider_id, page_ids, now).await?;

        let items = patients
            .iter()
            .map(|document| {
                let id = codec::uuid(document, "_id")?;
                let patient = codec::subdocument(document, "patient")?;
                let date_of_birth = open_value(
                    &self.keyring,
                    SealedField::DateOfBirth,
                    &encode_uuid(id),
                    patient.get("date_of_birth").unwrap_or(&Bson::Null),
                )?;
                Ok(CarePatient {
                    id,
                    first_name: codec::text(document, "first_name")?,
                    last_name: codec::text(document, "last_name")?,
                    date_of_birth: codec::date(
                        &doc! { "date_of_birth": date_of_birth },
                        "date_of_birth",
                    )?,
                    next_appointment: next.get(&id).copied(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::new(items, page, total))
    }
}

impl MongoStore {
    /// Returns, for each of the patients, the start of the soonest requested or confirmed
    /// appointment with the provider after `now`.
    async fn next_appointments(
        &self,
        provider_id: &str,
        patient_ids: Vec<Bson>,
        now: DateTime<Utc>,
    ) -> StoreResult<HashMap<Uuid, DateTime<Utc>>> {
        let mut next = HashMap::new();
        if patient_ids.is_empty() {
            return Ok(next);
        }
        let cursor = self
            .appointments
            .find(doc! {
                "provider_id": provider_id,
                "patient_id": { "$in": patient_ids },
                "status": { "$in": status_names(&OPEN_STATUSES) },
                "preferred_start": { "$gt": encode_instant(now) },
            })
            .projection(doc! { "patient_id": 1, "preferred_start": 1 })
            .await
            .map_err(store_error)?;
        for appointment in collect(cursor).await? {
            let patient_id = codec::uuid(&appointment, "patient_id")?;
            let start = codec::instant(&appointment, "preferred_start")?;
            next.entry(patient_id)
                .and_modify(|soonest: &mut DateTime<Utc>| *soonest = (*soonest).min(start))
                .or_insert(start);
        }
        Ok(next)
    }
}
