//! The append-only audit log. This module has no path that changes or deletes a stored event.
//! The only deletion of events anywhere is `import_records` removing the events it inserted
//! itself when the same call fails.
//!
//! # Sequence numbers
//!
//! An event's sequence number is its `_id` (and a copy in `seq`, which the access log's
//! index uses). To append, the store reads the largest stored
//! number and inserts the events, in order, as that number plus 1, 2, ... with an ordered
//! `insert_many`. When another writer (another server process, or another request in this one)
//! took a number first, the insert of that event fails with a duplicate key and stops; the
//! events before it are stored, and the rest are retried after reading the largest number
//! again.
//!
//! So a number exists only once its event's insert succeeded: numbers have no gaps and no
//! duplicates across any number of processes, and each batch keeps its order. A counter
//! document incremented with `$inc` would hand out numbers before the insert, so a failed
//! insert would leave a gap. The cost is one extra read per append and a retry per collision.
//!
//! Without a transaction, a batch is not all-or-nothing: when an insert fails for another
//! reason than a taken number, the events before it stay stored and the call fails.

use async_trait::async_trait;
use bson::{Bson, Document, doc};
use portal_core::StoreError;
use portal_core::model::{AccessEvent, NewAuditEvent, Page, PageRequest};
use portal_core::store::{AuditStore, StoreResult};
use uuid::Uuid;

use crate::MongoStore;
use crate::codec::{self, encode_instant, encode_optional_uuid, encode_uuid};
use crate::error::{DUPLICATE_KEY, store_error, stored_before_write_error};
use crate::list::{PageBounds, collect};

/// How many times one append re-reads the largest number after losing a race for it before it
/// gives up with `Unavailable`. Each retry stores at least one event of a competing writer, so
/// reaching this needs that many concurrent appends landing between two reads.
const MAX_SEQUENCE_ATTEMPTS: usize = 100;

pub(crate) fn audit_document(seq: i64, event: &NewAuditEvent) -> Document {
    doc! {
        "_id": seq,
        "seq": seq,
        "occurred_at": encode_instant(event.occurred_at),
        "actor_id": encode_optional_uuid(event.actor_id),
        "actor_role": event.actor_role.map_or(Bson::Null, |role| Bson::from(role.as_str())),
        "action": event.action.as_ref(),
        "subject_id": encode_optional_uuid(event.subject_id),
        "outcome": event.outcome.as_str(),
        "request_id": &event.request_id,
        "client_addr": &event.client_addr,
    }
}

pub(crate) fn audit_event_from_document(document: &Document) -> StoreResult<(i64, NewAuditEvent)> {
    let event = NewAuditEvent {
        occurred_at: codec::instant(document, "occurred_at")?,
        actor_id: codec::optional_uuid(document, "actor_id")?,
        actor_role: codec::optional_role(document, "actor_role")?,
        action: codec::text(document, "action")?.into(),
        subject_id: codec::optional_uuid(document, "subject_id")?,
        outcome: codec::outcome(document, "outcome")?,
        request_id: codec::text(document, "request_id")?,
        client_addr: codec::text(document, "client_addr")?,
    };
    Ok((codec::integer(document, "seq")?, event))
}

impl MongoStore {
    /// Returns the largest stored sequence number, or 0 for an empty log.
    async fn last_seq(&self) -> StoreResult<i64> {
        let last = self
            .audit_events
            .find_one(doc! {})
            .sort(doc! { "seq": -1 })
            .projection(doc! { "seq": 1 })
            .await
            .map_err(store_error)?;
        last.map_or(Ok(0), |document| codec::integer(&document, "seq"))
    }
}

#[async_trait]
impl AuditStore for MongoStore {
    /// Appends the events in order with the next free sequence numbers (see the module
    /// documentation), acknowledged under the store's write concern.
    async fn append_audit(&self, events: &[NewAuditEvent]) -> StoreResult<()> {
        let mut remaining = events;
        for _ in 0..MAX_SEQUENCE_ATTEMPTS {
            if remaining.is_empty() {
                return Ok(());
            }
            let last = self.last_seq().await?;
            let documents: Vec<Document> = (last + 1..)
                .zip(remaining)
                .map(|(seq, event)| audit_document(seq, event))
                .collect();
            match self.audit_events.insert_many(documents).ordered(true).await {
                Ok(_) => return Ok(()),
                Err(error) => match stored_before_write_error(&error) {
                    Some((stored, DUPLICATE_KEY)) => remaining = &remaining[stored..],
                    _ => return Err(store_error(error)),
                },
            }
        }
        Err(StoreError::Unavailable(format!(
            "could not take audit sequence numbers after {MAX_SEQUENCE_ATTEMPTS} attempts \
             because other writers kept taking them first"
        )))
    }

    /// Lists events about the patient, newest first. The items and the total are two reads,
    /// so an event appended in between can make them disagree by one.
    async fn list_access_events(
        &self,
        patient_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Page<AccessEvent>> {
        let bounds = PageBounds::new(page)?;
        let filter = doc! { "subject_id": encode_uuid(patient_id) };

        let events = if bounds.is_empty() {
            Vec::new()
        } else {
            let cursor = self
                .audit_events
                .find(filter.clone())
                .sort(doc! { "seq": -1 })
                .skip(bounds.skip)
                .limit(bounds.limit)
                .await
                .map_err(store_error)?;
            collect(cursor)
                .await?
                .iter()
                .map(audit_event_from_document)
                .collect::<StoreResult<Vec<_>>>()?
        };
        let total = self
            .audit_events
            .count_documents(filter)
            .await
            .map_err(store_error)?;

        let names = self
            .full_names(events.iter().filter_map(|(_, event)| event.actor_id))
            .await?;
        let items = events
            .into_iter()
            .map(|(seq, event)| AccessEvent {
                id: seq,
                occurred_at: event.occurred_at,
                actor_name: event.actor_id.and_then(|id| names.get(&id).cloned()),
                actor_id: event.actor_id,
                actor_role: event.actor_role,
                action: event.action.to_string(),
                outcome: event.outcome,
            })
            .collect();
        Ok(Page::new(items, page, total))
    }
}
