//! The append-only audit log. The schema's triggers reject UPDATE and DELETE on
//! `audit_events`, and this module has no path that changes a stored event.

use async_trait::async_trait;
use portal_core::model::{AccessEvent, NewAuditEvent, Page, PageRequest, Role};
use portal_core::store::{AuditStore, StoreResult};
use sqlx::SqliteExecutor;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{self, encode_uuid};
use crate::error::database_error;
use crate::list::PageBounds;
use crate::time::encode_instant;

fn access_event_from_row(row: &SqliteRow) -> StoreResult<AccessEvent> {
    Ok(AccessEvent {
        id: codec::integer(row, "seq")?,
        occurred_at: codec::instant(row, "occurred_at")?,
        actor_id: codec::optional_uuid(row, "actor_id")?,
        actor_name: codec::optional_text(row, "actor_name")?,
        actor_role: codec::optional_role(row, "actor_role")?,
        action: codec::text(row, "action")?,
        outcome: codec::outcome(row, "outcome")?,
    })
}

/// Appends one event. `seq` keeps a sequence number from another store; `None` lets SQLite
/// number the event after the highest number ever used.
pub(crate) async fn insert_event_row(
    executor: impl SqliteExecutor<'_>,
    seq: Option<i64>,
    event: &NewAuditEvent,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (seq, occurred_at, actor_id, actor_role, action, \
         subject_id, outcome, request_id, client_addr) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(encode_instant(event.occurred_at))
    .bind(event.actor_id.map(encode_uuid))
    .bind(event.actor_role.map(Role::as_str))
    .bind(event.action.as_ref())
    .bind(event.subject_id.map(encode_uuid))
    .bind(event.outcome.as_str())
    .bind(&event.request_id)
    .bind(&event.client_addr)
    .execute(executor)
    .await
    .map_err(database_error)?;
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
        for event in events {
            insert_event_row(&mut *transaction, None, event).await?;
        }
        transaction.commit().await.map_err(database_error)
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
            "SELECT e.seq, e.occurred_at, e.actor_id, e.actor_role, e.action, e.outcome, \
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
            .map(access_event_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::new(items, page, codec::count(&row, "total")?))
    }
}
