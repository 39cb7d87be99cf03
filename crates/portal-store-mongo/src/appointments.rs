//! Appointment requests and their status changes.

use async_trait::async_trait;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use mongodb::options::ReturnDocument;
use portal_core::StoreError;
use portal_core::keyring::{Keyring, SealedField};
use portal_core::model::{Appointment, AppointmentStatus, NewAppointment, Page, PageRequest, Role};
use portal_core::store::{AppointmentStore, StoreResult};
use uuid::Uuid;

use crate::MongoStore;
use crate::codec::{self, encode_instant, encode_uuid};
use crate::error::{invalid_field, store_error};
use crate::list::{PageBounds, collect};
use crate::sealed::{KEY_ID_FIELD, open_optional_text, seal_value};

/// Statuses of an appointment that is still going to happen.
pub(crate) const OPEN_STATUSES: [AppointmentStatus; 2] =
    [AppointmentStatus::Requested, AppointmentStatus::Confirmed];

/// Statuses of an appointment that counts as a visit once its start has passed.
const VISIT_STATUSES: [AppointmentStatus; 2] =
    [AppointmentStatus::Completed, AppointmentStatus::Confirmed];

pub(crate) fn status_names(statuses: &[AppointmentStatus]) -> Vec<&'static str> {
    statuses.iter().map(|status| status.as_str()).collect()
}

/// The party whose appointments a list shows.
#[derive(Debug, Clone, Copy)]
enum Party {
    Patient,
    Provider,
}

impl Party {
    fn field(self) -> &'static str {
        match self {
            Party::Patient => "patient_id",
            Party::Provider => "provider_id",
        }
    }
}

pub(crate) fn appointment_document(
    keyring: &Keyring,
    appointment: &NewAppointment,
    updated_at: DateTime<Utc>,
) -> StoreResult<Document> {
    let id = encode_uuid(appointment.id);
    let reason = seal_value(
        keyring,
        SealedField::AppointmentReason,
        &id,
        &Bson::from(&appointment.reason),
    )?;
    Ok(doc! {
        "_id": id,
        "patient_id": encode_uuid(appointment.patient_id),
        "provider_id": encode_uuid(appointment.provider_id),
        "preferred_start": encode_instant(appointment.preferred_start),
        "visit_type": appointment.visit_type.as_str(),
        "reason": reason,
        KEY_ID_FIELD: keyring.newest_id(),
        "status": appointment.status.as_str(),
        "created_at": encode_instant(appointment.created_at),
        "updated_at": encode_instant(updated_at),
    })
}

/// Reads an appointment as stored, with its `updated_at`.
pub(crate) fn new_appointment_from_document(
    keyring: &Keyring,
    document: &Document,
) -> StoreResult<(NewAppointment, DateTime<Utc>)> {
    let id = codec::uuid(document, "_id")?;
    let reason = open_optional_text(
        keyring,
        SealedField::AppointmentReason,
        &encode_uuid(id),
        document,
        "reason",
    )?
    .ok_or_else(|| invalid_field("reason"))?;
    let appointment = NewAppointment {
        id,
        patient_id: codec::uuid(document, "patient_id")?,
        provider_id: codec::uuid(document, "provider_id")?,
        preferred_start: codec::instant(document, "preferred_start")?,
        visit_type: codec::visit_type(document, "visit_type")?,
        reason,
        status: codec::appointment_status(document, "status")?,
        created_at: codec::instant(document, "created_at")?,
    };
    Ok((appointment, codec::instant(document, "updated_at")?))
}

impl MongoStore {
    /// Adds the patient's and the provider's current names ("First Last") to stored
    /// appointments. An appointment whose patient or provider account is missing is an error,
    /// because the store never writes one.
    async fn with_names(&self, documents: &[Document]) -> StoreResult<Vec<Appointment>> {
        let stored = documents
            .iter()
            .map(|document| new_appointment_from_document(&self.keyring, document))
            .collect::<StoreResult<Vec<_>>>()?;
        let names = self
            .full_names(
                stored
                    .iter()
                    .flat_map(|(appointment, _)| [appointment.patient_id, appointment.provider_id]),
            )
            .await?;
        let name = |id: &Uuid| {
            names.get(id).cloned().ok_or_else(|| {
                StoreError::Other("an appointment names an account that does not exist".into())
            })
        };

        stored
            .into_iter()
            .map(|(appointment, updated_at)| {
                Ok(Appointment {
                    patient_name: name(&appointment.patient_id)?,
                    provider_name: name(&appointment.provider_id)?,
                    id: appointment.id,
                    patient_id: appointment.patient_id,
                    provider_id: appointment.provider_id,
                    preferred_start: appointment.preferred_start,
                    visit_type: appointment.visit_type,
                    reason: appointment.reason,
                    status: appointment.status,
                    created_at: appointment.created_at,
                    updated_at,
                })
            })
            .collect()
    }

    async fn with_name(&self, document: Option<Document>) -> StoreResult<Option<Appointment>> {
        let Some(document) = document else {
            return Ok(None);
        };
        Ok(self.with_names(&[document]).await?.pop())
    }

    /// Fails with `Other` unless the patient and the provider exist with those roles, as the
    /// SQLite store's foreign keys do.
    pub(crate) async fn check_parties(&self, appointment: &NewAppointment) -> StoreResult<()> {
        let found = self
            .users
            .count_documents(doc! { "$or": [
                { "_id": encode_uuid(appointment.patient_id), "role": Role::Patient.as_str() },
                { "_id": encode_uuid(appointment.provider_id), "role": Role::Provider.as_str() },
            ] })
            .await
            .map_err(store_error)?;
        if found == 2 {
            Ok(())
        } else {
            Err(StoreError::Other(
                "an appointment must name an existing patient and provider".into(),
            ))
        }
    }

    /// Lists the appointments of a patient or provider, latest start first. The items and the
    /// total are two reads, so a concurrent change can make them disagree.
    async fn list_appointments(
        &self,
        party: Party,
        party_id: Uuid,
        status: Option<AppointmentStatus>,
        page: PageRequest,
    ) -> StoreResult<Page<Appointment>> {
        let bounds = PageBounds::new(page)?;
        let mut filter = doc! { party.field(): encode_uuid(party_id) };
        if let Some(status) = status {
            filter.insert("status", status.as_str());
        }

        let items = if bounds.is_empty() {
            Vec::new()
        } else {
            let cursor = self
                .appointments
                .find(filter.clone())
                .sort(doc! { "preferred_start": -1, "_id": -1 })
                .skip(bounds.skip)
                .limit(bounds.limit)
                .await
                .map_err(store_error)?;
            self.with_names(&collect(cursor).await?).await?
        };
        let total = self
            .appointments
            .count_documents(filter)
            .await
            .map_err(store_error)?;
        Ok(Page::new(items, page, total))
    }
}

#[async_trait]
impl AppointmentStore for MongoStore {
    async fn insert_appointment(&self, appointment: &NewAppointment) -> StoreResult<Appointment> {
        self.check_parties(appointment).await?;
        let document = appointment_document(&self.keyring, appointment, appointment.created_at)?;
        self.appointments
            .insert_one(&document)
            .await
            .map_err(store_error)?;
        self.with_name(Some(document))
            .await?
            .ok_or_else(|| StoreError::Other("inserted appointment not found".into()))
    }

    async fn find_appointment(&self, id: Uuid) -> StoreResult<Option<Appointment>> {
        let document = self
            .appointments
            .find_one(doc! { "_id": encode_uuid(id) })
            .await
            .map_err(store_error)?;
        self.with_name(document).await
    }

    async fn list_patient_appointments(
        &self,
        patient_id: Uuid,
        status: Option<AppointmentStatus>,
        page: PageRequest,
    ) -> StoreResult<Page<Appointment>> {
        self.list_appointments(Party::Patient, patient_id, status, page)
            .await
    }

    async fn list_provider_appointments(
        &self,
        provider_id: Uuid,
        status: Option<AppointmentStatus>,
        page: PageRequest,
    ) -> StoreResult<Page<Appointment>> {
        self.list_appointments(Party::Provider, provider_id, status, page)
            .await
    }

    async fn upcoming_appointments(
        &self,
        patient_id: Uuid,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Appointment>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let cursor = self
            .appointments
            .find(doc! {
                "patient_id": encode_uuid(patient_id),
                "preferred_start": { "$gt": encode_instant(now) },
                "status": { "$in": status_names(&OPEN_STATUSES) },
            })
            .sort(doc! { "preferred_start": 1, "_id": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?;
        self.with_names(&collect(cursor).await?).await
    }

    async fn last_visit(
        &self,
        patient_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let latest = self
            .appointments
            .find_one(doc! {
                "patient_id": encode_uuid(patient_id),
                "preferred_start": { "$lt": encode_instant(now) },
                "status": { "$in": status_names(&VISIT_STATUSES) },
            })
            .sort(doc! { "preferred_start": -1 })
            .projection(doc! { "preferred_start": 1 })
            .await
            .map_err(store_error)?;
        latest
            .map(|document| codec::instant(&document, "preferred_start"))
            .transpose()
    }

    /// Changes the status with one conditional update, so of two concurrent transitions from
    /// the same status exactly one matches the document.
    async fn transition_appointment(
        &self,
        id: Uuid,
        from: &[AppointmentStatus],
        to: AppointmentStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Appointment>> {
        if from.is_empty() {
            return Ok(None);
        }
        let updated = self
            .appointments
            .find_one_and_update(
                doc! { "_id": encode_uuid(id), "status": { "$in": status_names(from) } },
                doc! { "$set": { "status": to.as_str(), "updated_at": encode_instant(now) } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(store_error)?;
        self.with_name(updated).await
    }
}
