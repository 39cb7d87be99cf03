//! The append-only audit log. The schema's triggers reject UPDATE and DELETE on
//! `audit_events`, and this module has no path that changes a stored event.

use crate::codec::Columns;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::audit_chain::ChainTip;
use portal_core::keyring::{Keyring, SealedField};
use portal_core::model::{
    AccessEvent, EMERGENCY_GRANT, NewAuditEvent, Outcome, Page, PageRequest, Role,
    is_emergency_action,
};
use portal_core::store::{AuditStore, StoreResult, StoredAuditEvent};
use sqlx::sqlite::Sqlite;
use sqlx::{SqliteExecutor, Transaction};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{self, encode_uuid};
use crate::error::database_error;
use crate::list::PageBounds;
use crate::sealed::RowSealer;
use crate::time::encode_instant;

fn access_event_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<AccessEvent> {
    let action = codec::text(row, "action")?;
    let seq = codec::integer(row, "seq")?;
    Ok(AccessEvent {
        id: seq,
        occurred_at: codec::instant(row, "occurred_at")?,
        actor_id: codec::optional_uuid(row, "actor_id")?,
        actor_name: codec::optional_text(row, "actor_name")?,
        actor_role: codec::optional_role(row, "actor_role")?,
        emergency: is_emergency_action(&action),
        action,
        outcome: codec::outcome(row, "outcome")?,
        reason: RowSealer::new(keyring, seq).optional_text(
            row,
            "detail",
            SealedField::AuditDetail,
        )?,
    })
}

/// Inserts one event exactly as given, with its sequence number and chain links. The detail
/// is encrypted with the newest key and never re-encrypted, because the table is append-only.
pub(crate) async fn insert_event_row(
    executor: impl SqliteExecutor<'_>,
    keyring: &Keyring,
    stored: &StoredAuditEvent,
) -> StoreResult<()> {
    let event = &stored.event;
    sqlx::query(
        "INSERT INTO audit_events (seq, occurred_at, actor_id, actor_role, action, \
         subject_id, outcome, request_id, client_addr, prev_hash, hash, detail) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(stored.seq)
    .bind(encode_instant(event.occurred_at))
    .bind(event.actor_id.map(encode_uuid))
    .bind(event.actor_role.map(Role::as_str))
    .bind(event.action.as_ref())
    .bind(event.subject_id.map(encode_uuid))
    .bind(event.outcome.as_str())
    .bind(&event.request_id)
    .bind(&event.client_addr)
    .bind(&stored.prev_hash)
    .bind(&stored.hash)
    .bind(
        RowSealer::new(keyring, stored.seq)
            .seal_optional(SealedField::AuditDetail, event.detail.as_deref()),
    )
    .execute(executor)
    .await
    .map_err(database_error)?;
    Ok(())
}

/// Appends events after the last stored one, linked into the hash chain. Must run inside a
/// write transaction, which keeps other writers from chaining onto the same event.
pub(crate) async fn append_events(
    transaction: &mut Transaction<'static, Sqlite>,
    keyring: &Keyring,
    events: &[NewAuditEvent],
) -> StoreResult<()> {
    let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **transaction)
        .await
        .map_err(database_error)?;
    let mut tip = match last {
        Some(row) => ChainTip::after(codec::integer(&row, "seq")?, &codec::text(&row, "hash")?),
        None => ChainTip::genesis(),
    };
    for event in events {
        insert_event_row(&mut **transaction, keyring, &tip.append(event.clone())).await?;
    }
    Ok(())
}

#[async_trait]
impl AuditStore for SqliteStore {
    /// Appends the events in one transaction, which is on disk when this returns because the
    /// pool runs with `synchronous=FULL`. Sequence numbers follow the order of `events`.
    async fn append_audit(&self, events: &[NewAuditEvent]) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }

        // An early return drops the transaction, which rolls it back.
        let mut transaction = self.begin_write().await?;
        append_events(&mut transaction, &self.keyring, events).await?;
        transaction.commit().await.map_err(database_error)
    }

    async fn emergency_grant_since(
        &self,
        provider_id: Uuid,
        patient_id: Uuid,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let row = sqlx::query(
            "SELECT MAX(occurred_at) AS granted_at FROM audit_events \
             WHERE subject_id = ? AND actor_id = ? AND action = ? AND outcome = ? \
             AND occurred_at >= ?",
        )
        .bind(encode_uuid(patient_id))
        .bind(encode_uuid(provider_id))
        .bind(EMERGENCY_GRANT)
        .bind(Outcome::Success.as_str())
        .bind(encode_instant(since))
        .fetch_one(&self.pool)
        .await
        .map_err(database_error)?;
        codec::optional_instant(&row, "granted_at")
    }

    async fn list_access_events(
        &self,
        patient_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Page<AccessEvent>> {
        let bounds = PageBounds::new(page)?;
        let patient_id = encode_uuid(patient_id);

        // One read transaction, so the items and the total come from the same snapshot.
        let mut snapshot = self.pool.begin().await.map_err(database_error)?;
        let rows = sqlx::query(
            "SELECT e.seq, e.occurred_at, e.actor_id, e.actor_role, e.action, e.outcome, e.detail, \
                 actor.first_name || ' ' || actor.last_name AS actor_name \
             FROM audit_events e \
             LEFT JOIN users actor ON actor.id = e.actor_id \
             WHERE e.subject_id = ? \
             ORDER BY e.seq DESC LIMIT ? OFFSET ?",
        )
        .bind(&patient_id)
        .bind(bounds.limit)
        .bind(bounds.offset)
        .fetch_all(&mut *snapshot)
        .await
        .map_err(database_error)?;
        let row = sqlx::query("SELECT COUNT(*) AS total FROM audit_events WHERE subject_id = ?")
            .bind(&patient_id)
            .fetch_one(&mut *snapshot)
            .await
            .map_err(database_error)?;
        snapshot.commit().await.map_err(database_error)?;

        let items = rows
            .iter()
            .map(|row| access_event_from_row(row, &self.keyring))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::new(items, page, codec::count(&row, "total")?))
    }
}
