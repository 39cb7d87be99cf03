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
//! duplicates across any number of processes, and each batch keeps its order. The same read
//! returns the last event's hash, which the first new event links to (see
//! `portal_core::audit_chain`). A retry links the remaining events onto the new tip. A counter
//! document incremented with `$inc` would hand out numbers before the insert, so a failed
//! insert would leave a gap. The cost is one extra read per append and a retry per collision.
//!
//! Without a transaction, a batch is not all-or-nothing: when an insert fails for another
//! reason than a taken number, the events before it stay stored and the call fails.

use async_trait::async_trait;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use mongodb::ClientSession;
use portal_core::StoreError;
use portal_core::audit_chain::ChainTip;
use portal_core::keyring::{Keyring, SealedField};
use portal_core::model::{
    AccessEvent, EMERGENCY_GRANT, NewAuditEvent, Outcome, Page, PageRequest, is_emergency_action,
};
use portal_core::store::{AuditStore, StoreResult, StoredAuditEvent};
use uuid::Uuid;

use crate::MongoStore;
use crate::codec::{self, encode_instant, encode_optional_uuid, encode_uuid};
use crate::error::{DUPLICATE_KEY, store_error, stored_before_write_error};
use crate::list::{PageBounds, collect};
use crate::sealed::{open_optional_text, seal_value};

/// How many times one append re-reads the largest number after losing a race for it before it
/// gives up with `Unavailable`. Each retry stores at least one event of a competing writer, so
/// reaching this needs that many concurrent appends landing between two reads.
const MAX_SEQUENCE_ATTEMPTS: usize = 100;

/// Builds the document of an event; the detail is encrypted with the newest key and never
/// re-encrypted, because the log is append-only.
pub(crate) fn audit_document(
    keyring: &Keyring,
    stored: &StoredAuditEvent,
) -> StoreResult<Document> {
    let event = &stored.event;
    let detail = seal_value(
        keyring,
        SealedField::AuditDetail,
        &stored.seq.to_string(),
        &event.detail.as_deref().map_or(Bson::Null, Bson::from),
    )?;
    Ok(doc! {
        "_id": stored.seq,
        "seq": stored.seq,
        "occurred_at": encode_instant(event.occurred_at),
        "actor_id": encode_optional_uuid(event.actor_id),
        "actor_role": event.actor_role.map_or(Bson::Null, |role| Bson::from(role.as_str())),
        "action": event.action.as_ref(),
        "subject_id": encode_optional_uuid(event.subject_id),
        "outcome": event.outcome.as_str(),
        "request_id": &event.request_id,
        "client_addr": &event.client_addr,
        "prev_hash": &stored.prev_hash,
        "hash": &stored.hash,
        "detail": detail,
    })
}

pub(crate) fn audit_event_from_document(
    keyring: &Keyring,
    document: &Document,
) -> StoreResult<StoredAuditEvent> {
    let seq = codec::integer(document, "seq")?;
    let event = NewAuditEvent {
        occurred_at: codec::instant(document, "occurred_at")?,
        actor_id: codec::optional_uuid(document, "actor_id")?,
        actor_role: codec::optional_role(document, "actor_role")?,
        action: codec::text(document, "action")?.into(),
        subject_id: codec::optional_uuid(document, "subject_id")?,
        outcome: codec::outcome(document, "outcome")?,
        request_id: codec::text(document, "request_id")?,
        client_addr: codec::text(document, "client_addr")?,
        detail: open_optional_text(
            keyring,
            SealedField::AuditDetail,
            &seq.to_string(),
            document,
            "detail",
        )?,
    };
    Ok(StoredAuditEvent {
        seq,
        prev_hash: codec::text(document, "prev_hash")?,
        hash: codec::text(document, "hash")?,
        event,
    })
}

/// Returns the chain tip described by the last stored event, if any.
pub(crate) fn tip_of(last: Option<Document>) -> StoreResult<ChainTip> {
    match last {
        Some(document) => Ok(ChainTip::after(
            codec::integer(&document, "seq")?,
            &codec::text(&document, "hash")?,
        )),
        None => Ok(ChainTip::genesis()),
    }
}

/// Returns the sort and projection that find the last stored event and its hash.
fn last_event_options() -> (Document, Document) {
    (doc! { "seq": -1 }, doc! { "seq": 1, "hash": 1 })
}

impl MongoStore {
    /// Returns the tip of the chain: the largest stored sequence number and its hash.
    async fn chain_tip(&self) -> StoreResult<ChainTip> {
        let (sort, projection) = last_event_options();
        let last = self
            .audit_events
            .find_one(doc! {})
            .sort(sort)
            .projection(projection)
            .await
            .map_err(store_error)?;
        tip_of(last)
    }

    /// Reads the last stored event (sequence number and hash) inside the session's
    /// transaction; [`tip_of`] turns it into the chain tip.
    pub(crate) async fn last_event_in(
        &self,
        session: &mut ClientSession,
    ) -> mongodb::error::Result<Option<Document>> {
        let (sort, projection) = last_event_options();
        self.audit_events
            .find_one(doc! {})
            .sort(sort)
            .projection(projection)
            .session(session)
            .await
    }
}

#[async_trait]
impl AuditStore for MongoStore {
    /// Appends the events in order with the next free sequence numbers, linked into the hash
    /// chain (see the module documentation), acknowledged under the store's write concern.
    async fn append_audit(&self, events: &[NewAuditEvent]) -> StoreResult<()> {
        let mut remaining = events;
        for _ in 0..MAX_SEQUENCE_ATTEMPTS {
            if remaining.is_empty() {
                return Ok(());
            }
            let mut tip = self.chain_tip().await?;
            let documents: Vec<Document> = remaining
                .iter()
                .map(|event| audit_document(&self.keyring, &tip.append(event.clone())))
                .collect::<StoreResult<_>>()?;
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

    async fn emergency_grant_since(
        &self,
        provider_id: Uuid,
        patient_id: Uuid,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let latest = self
            .audit_events
            .find_one(doc! {
                "subject_id": encode_uuid(patient_id),
                "actor_id": encode_uuid(provider_id),
                "action": EMERGENCY_GRANT,
                "outcome": Outcome::Success.as_str(),
                "occurred_at": { "$gte": encode_instant(since) },
            })
            .sort(doc! { "occurred_at": -1 })
            .projection(doc! { "occurred_at": 1 })
            .await
            .map_err(store_error)?;
        latest
            .map(|document| codec::instant(&document, "occurred_at"))
            .transpose()
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
                .map(|document| {
                    audit_event_from_document(&self.keyring, document)
                        .map(|stored| (stored.seq, stored.event))
                })
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
                emergency: is_emergency_action(&event.action),
                action: event.action.to_string(),
                outcome: event.outcome,
                reason: event.detail,
            })
            .collect();
        Ok(Page::new(items, page, total))
    }
}
