//! Appointment requests and their status changes.

use crate::codec::Columns;
use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::StoreError;
use portal_core::keyring::{Keyring, SealedField};
use portal_core::model::{
    Appointment, AppointmentStatus, NewAppointment, NewAuditEvent, Page, PageRequest,
};
use portal_core::store::{AppointmentStore, StoreResult};
use sqlx::SqliteExecutor;
use uuid::Uuid;

use crate::SqliteStore;
use crate::audit::append_events;
use crate::codec::{self, encode_uuid};
use crate::error::database_error;
use crate::list::PageBounds;
use crate::sealed::RowSealer;
use crate::time::encode_instant;

/// Appointment columns with the patient's and the provider's names as "First Last".
const SELECT_APPOINTMENT: &str = "SELECT a.id, a.patient_id, \
     patient.first_name || ' ' || patient.last_name AS patient_name, \
     a.provider_id, provider.first_name || ' ' || provider.last_name AS provider_name, \
     a.preferred_start, a.visit_type, a.reason, a.status, a.created_at, a.updated_at \
     FROM appointments a \
     JOIN users patient ON patient.id = a.patient_id \
     JOIN users provider ON provider.id = a.provider_id";

/// The party whose appointments a list shows.
#[derive(Debug, Clone, Copy)]
enum Party {
    Patient,
    Provider,
}

impl Party {
    fn column(self) -> &'static str {
        match self {
            Party::Patient => "patient_id",
            Party::Provider => "provider_id",
        }
    }
}

fn appointment_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<Appointment> {
    let id = codec::uuid(row, "id")?;
    let sealer = RowSealer::new(keyring, encode_uuid(id));
    Ok(Appointment {
        id,
        patient_id: codec::uuid(row, "patient_id")?,
        patient_name: codec::text(row, "patient_name")?,
        provider_id: codec::uuid(row, "provider_id")?,
        provider_name: codec::text(row, "provider_name")?,
        preferred_start: codec::instant(row, "preferred_start")?,
        visit_type: codec::visit_type(row, "visit_type")?,
        reason: sealer.text(row, "reason", SealedField::AppointmentReason)?,
        status: codec::appointment_status(row, "status")?,
        created_at: codec::instant(row, "created_at")?,
        updated_at: codec::instant(row, "updated_at")?,
    })
}

async fn fetch_appointment(
    executor: impl SqliteExecutor<'_>,
    keyring: &Keyring,
    id: Uuid,
) -> StoreResult<Option<Appointment>> {
    let sql = format!("{SELECT_APPOINTMENT} WHERE a.id = ?");
    let row = sqlx::query(&sql)
        .bind(encode_uuid(id))
        .fetch_optional(executor)
        .await
        .map_err(database_error)?;
    row.as_ref()
        .map(|row| appointment_from_row(row, keyring))
        .transpose()
}

/// Inserts an appointment with `updated_at` as its last change.
pub(crate) async fn insert_appointment_row(
    executor: impl SqliteExecutor<'_>,
    keyring: &Keyring,
    appointment: &NewAppointment,
    updated_at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO appointments (id, patient_id, provider_id, preferred_start, visit_type, \
         reason, status, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(encode_uuid(appointment.id))
    .bind(encode_uuid(appointment.patient_id))
    .bind(encode_uuid(appointment.provider_id))
    .bind(encode_instant(appointment.preferred_start))
    .bind(appointment.visit_type.as_str())
    .bind(keyring.seal(
        SealedField::AppointmentReason,
        &encode_uuid(appointment.id),
        &appointment.reason,
    ))
    .bind(appointment.status.as_str())
    .bind(encode_instant(appointment.created_at))
    .bind(encode_instant(updated_at))
    .execute(executor)
    .await
    .map_err(database_error)?;
    Ok(())
}

impl SqliteStore {
    /// Inserts the appointments and then their audit events in one transaction, and returns
    /// the stored appointments in the order of `items`, read inside the same transaction.
    pub(crate) async fn insert_appointment_batch(
        &self,
        items: &[(NewAppointment, NewAuditEvent)],
    ) -> StoreResult<Vec<Appointment>> {
        // An early return drops the transaction, which rolls it back.
        let mut transaction = self.begin_write().await?;
        for (appointment, _) in items {
            insert_appointment_row(
                &mut *transaction,
                &self.keyring,
                appointment,
                appointment.created_at,
            )
            .await?;
        }
        let events: Vec<NewAuditEvent> = items.iter().map(|(_, event)| event.clone()).collect();
        append_events(&mut transaction, &self.keyring, &events).await?;

        // One statement for the whole batch: the ids travel as one JSON array, so the
        // statement text, and so sqlx's cached statement, is the same for every batch size.
        let ids: Vec<String> = items
            .iter()
            .map(|(appointment, _)| encode_uuid(appointment.id))
            .collect();
        let ids = codec::encode_json(&ids, "id")?;
        let sql = format!("{SELECT_APPOINTMENT} WHERE a.id IN (SELECT value FROM json_each(?))");
        let rows = sqlx::query(&sql)
            .bind(ids)
            .fetch_all(&mut *transaction)
            .await
            .map_err(database_error)?;
        let mut stored: HashMap<Uuid, Appointment> = rows
            .iter()
            .map(|row| appointment_from_row(row, &self.keyring).map(|a| (a.id, a)))
            .collect::<StoreResult<_>>()?;
        let ordered = items
            .iter()
            .map(|(appointment, _)| {
                stored.remove(&appointment.id).ok_or_else(|| {
                    StoreError::Other("an inserted appointment was not found".into())
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        transaction.commit().await.map_err(database_error)?;
        Ok(ordered)
    }

    /// Lists the appointments of a patient or provider, latest start first.
    async fn list_appointments(
        &self,
        party: Party,
        party_id: Uuid,
        status: Option<AppointmentStatus>,
        page: PageRequest,
    ) -> StoreResult<Page<Appointment>> {
        let bounds = PageBounds::new(page)?;
        let column = party.column();
        // Without a status, `?2` is bound but unused, so the placeholders keep their numbers.
        let filter = if status.is_some() {
            format!("a.{column} = ?1 AND a.status = ?2")
        } else {
            format!("a.{column} = ?1 AND ?2 IS NULL")
        };
        let items_sql = format!(
            "{SELECT_APPOINTMENT} WHERE {filter} \
             ORDER BY a.preferred_start DESC, a.id DESC LIMIT ?3 OFFSET ?4"
        );
        let count_sql = format!("SELECT COUNT(*) AS total FROM appointments a WHERE {filter}");
        let party_id = encode_uuid(party_id);
        let status = status.map(AppointmentStatus::as_str);

        // One read transaction, so the items and the total come from the same snapshot.
        let mut snapshot = self.pool.begin().await.map_err(database_error)?;
        let rows = sqlx::query(&items_sql)
            .bind(&party_id)
            .bind(status)
            .bind(bounds.limit)
            .bind(bounds.offset)
            .fetch_all(&mut *snapshot)
            .await
            .map_err(database_error)?;
        let row = sqlx::query(&count_sql)
            .bind(&party_id)
            .bind(status)
            .fetch_one(&mut *snapshot)
            .await
            .map_err(database_error)?;
        snapshot.commit().await.map_err(database_error)?;

        let items = rows
            .iter()
            .map(|row| appointment_from_row(row, &self.keyring))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::new(items, page, codec::count(&row, "total")?))
    }
}

#[async_trait]
impl AppointmentStore for SqliteStore {
    async fn insert_appointment(&self, appointment: &NewAppointment) -> StoreResult<Appointment> {
        // An early return drops the transaction, which rolls it back.
        let mut transaction = self.begin_write().await?;
        insert_appointment_row(
            &mut *transaction,
            &self.keyring,
            appointment,
            appointment.created_at,
        )
        .await?;

        let stored = fetch_appointment(&mut *transaction, &self.keyring, appointment.id)
            .await?
            .ok_or_else(|| {
                portal_core::StoreError::Other("inserted appointment not found".into())
            })?;
        transaction.commit().await.map_err(database_error)?;
        Ok(stored)
    }

    async fn find_appointment(&self, id: Uuid) -> StoreResult<Option<Appointment>> {
        let sql = format!("{SELECT_APPOINTMENT} WHERE a.id = ?");
        self.readers.optional(&sql, [encode_uuid(id)], |row| {
            appointment_from_row(row, &self.keyring)
        })
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
        let sql = format!(
            "{SELECT_APPOINTMENT} \
             WHERE a.patient_id = ? AND a.preferred_start > ? \
               AND a.status IN ('requested', 'confirmed') \
             ORDER BY a.preferred_start, a.id LIMIT ?"
        );
        let params = (
            encode_uuid(patient_id),
            encode_instant(now),
            i64::from(limit),
        );
        self.readers
            .all(&sql, params, |row| appointment_from_row(row, &self.keyring))
    }

    async fn last_visit(
        &self,
        patient_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let last_start = self.readers.optional(
            "SELECT MAX(preferred_start) AS last_start FROM appointments \
             WHERE patient_id = ? AND preferred_start < ? \
               AND status IN ('completed', 'confirmed')",
            (encode_uuid(patient_id), encode_instant(now)),
            |row| codec::optional_instant(row, "last_start"),
        )?;
        Ok(last_start.flatten())
    }

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
        // One conditional UPDATE, so of two concurrent transitions from the same status only
        // the first to take the write lock matches a row.
        let placeholders = vec!["?"; from.len()].join(", ");
        let sql = format!(
            "UPDATE appointments SET status = ?, updated_at = ? \
             WHERE id = ? AND status IN ({placeholders})"
        );
        let mut update = sqlx::query(&sql)
            .bind(to.as_str())
            .bind(encode_instant(now))
            .bind(encode_uuid(id));
        for status in from {
            update = update.bind(status.as_str());
        }

        // An early return drops the transaction, which rolls it back.
        let mut transaction = self.begin_write().await?;
        let updated = update
            .execute(&mut *transaction)
            .await
            .map_err(database_error)?;
        if updated.rows_affected() == 0 {
            transaction.rollback().await.map_err(database_error)?;
            return Ok(None);
        }
        let appointment = fetch_appointment(&mut *transaction, &self.keyring, id).await?;
        transaction.commit().await.map_err(database_error)?;
        Ok(appointment)
    }
}
