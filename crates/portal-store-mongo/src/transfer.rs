//! Whole-database export and import for `portal migrate-data`.
//!
//! Every kind is exported in key order: user id, invite code hash, appointment id, session id
//! or audit sequence number. A cursor is the key of the last record returned, which is a string,
//! or the sequence number in decimal for audit events.
//!
//! Import inserts the records in the order given with ordered `insert_many` calls, one per run
//! of records that go to the same collection, and stops at the first failure. Without a
//! transaction (see the crate documentation), a failed import undoes itself: it deletes, by
//! `_id`, the documents it inserted before the failure, so the database is as it was. When the
//! outcome of an insert is unknown (the connection failed during it), nothing is deleted,
//! because a document that was not inserted may have an `_id` that already existed, and the
//! error states that the database may contain part of the batch.

use async_trait::async_trait;
use bson::{Bson, Document, doc};
use mongodb::Collection;
use portal_core::StoreError;
use portal_core::keyring::Keyring;
use portal_core::model::Role;
use portal_core::store::{
    RecordKind, StoreResult, StoredAppointment, StoredInvite, TransferRecord, TransferStore,
};

use crate::MongoStore;
use crate::appointments::{appointment_document, new_appointment_from_document};
use crate::audit::{audit_document, audit_event_from_document};
use crate::codec;
use crate::error::{invalid_field, store_error, stored_before_write_error};
use crate::list::collect;
use crate::mfa::{mfa_document, mfa_from_document};
use crate::sessions::{session_document, session_from_document};
use crate::users::{
    invite_document, new_patient_from_document, new_provider_from_document, patient_document,
    provider_document,
};

impl MongoStore {
    /// Returns the collection that stores records of `kind` and the filter that selects them.
    fn source(&self, kind: RecordKind) -> (&Collection<Document>, Document) {
        match kind {
            RecordKind::Provider => (&self.users, doc! { "role": Role::Provider.as_str() }),
            RecordKind::Patient => (&self.users, doc! { "role": Role::Patient.as_str() }),
            RecordKind::Invite => (&self.invites, Document::new()),
            RecordKind::Appointment => (&self.appointments, Document::new()),
            RecordKind::Session => (&self.sessions, Document::new()),
            RecordKind::AuditEvent => (&self.audit_events, Document::new()),
            RecordKind::Mfa => (&self.mfa, Document::new()),
        }
    }

    /// Returns the collection a record goes to.
    fn destination(&self, record: &TransferRecord) -> &Collection<Document> {
        match record {
            TransferRecord::Provider(_) | TransferRecord::Patient { .. } => &self.users,
            TransferRecord::Invite(_) => &self.invites,
            TransferRecord::Appointment(_) => &self.appointments,
            TransferRecord::Session(_) => &self.sessions,
            TransferRecord::AuditEvent(_) => &self.audit_events,
            TransferRecord::Mfa(_) => &self.mfa,
        }
    }
}

/// Builds the document that stores a record, with its health data encrypted under the newest
/// key of `keyring`.
fn record_document(keyring: &Keyring, record: &TransferRecord) -> StoreResult<Document> {
    Ok(match record {
        TransferRecord::Provider(provider) => provider_document(provider),
        TransferRecord::Patient {
            patient,
            profile_updated_at,
        } => patient_document(keyring, patient, *profile_updated_at)?,
        TransferRecord::Invite(stored) => invite_document(&stored.invite, stored.used_at),
        TransferRecord::Appointment(stored) => {
            appointment_document(keyring, &stored.appointment, stored.updated_at)?
        }
        TransferRecord::Session(session) => session_document(session),
        TransferRecord::AuditEvent(stored) => audit_document(keyring, stored)?,
        TransferRecord::Mfa(record) => mfa_document(keyring, record)?,
    })
}

fn record_from_document(
    keyring: &Keyring,
    kind: RecordKind,
    document: &Document,
) -> StoreResult<TransferRecord> {
    Ok(match kind {
        RecordKind::Provider => TransferRecord::Provider(new_provider_from_document(document)?),
        RecordKind::Patient => {
            let (patient, profile_updated_at) = new_patient_from_document(keyring, document)?;
            TransferRecord::Patient {
                patient,
                profile_updated_at,
            }
        }
        RecordKind::Invite => TransferRecord::Invite(StoredInvite {
            invite: portal_core::model::Invite {
                code_hash: codec::text(document, "_id")?,
                created_at: codec::instant(document, "created_at")?,
                expires_at: codec::instant(document, "expires_at")?,
            },
            used_at: codec::optional_instant(document, "used_at")?,
        }),
        RecordKind::Appointment => {
            let (appointment, updated_at) = new_appointment_from_document(keyring, document)?;
            TransferRecord::Appointment(StoredAppointment {
                appointment,
                updated_at,
            })
        }
        RecordKind::Session => TransferRecord::Session(session_from_document(document)?),
        RecordKind::AuditEvent => {
            TransferRecord::AuditEvent(audit_event_from_document(keyring, document)?)
        }
        RecordKind::Mfa => TransferRecord::Mfa(mfa_from_document(keyring, document)?),
    })
}

/// Converts an export cursor back into the `_id` it names.
fn cursor_key(kind: RecordKind, cursor: &str) -> StoreResult<Bson> {
    match kind {
        RecordKind::AuditEvent => cursor.parse::<i64>().map(Bson::Int64).map_err(|_| {
            StoreError::Other("invalid audit event cursor: expected a sequence number".into())
        }),
        _ => Ok(Bson::String(cursor.to_owned())),
    }
}

/// Returns the field export orders and pages by: `_id`, or `seq` for audit events (the same
/// number as their `_id`, in a field the server sorts as a number on every deployment).
fn key_field(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::AuditEvent => "seq",
        _ => "_id",
    }
}

/// Formats the key of the last exported document as the next cursor.
fn cursor_of(kind: RecordKind, document: &Document) -> StoreResult<String> {
    let field = key_field(kind);
    match document.get(field) {
        Some(Bson::String(id)) => Ok(id.clone()),
        Some(Bson::Int64(seq)) => Ok(seq.to_string()),
        Some(Bson::Int32(seq)) => Ok(seq.to_string()),
        _ => Err(invalid_field(field)),
    }
}

#[async_trait]
impl TransferStore for MongoStore {
    async fn count_records(&self, kind: RecordKind) -> StoreResult<u64> {
        let (collection, filter) = self.source(kind);
        collection
            .count_documents(filter)
            .await
            .map_err(store_error)
    }

    /// Returns the page and the cursor of its last record, or no cursor for an empty page.
    /// An audit event cursor that is not a sequence number is rejected with `Other`.
    async fn export_records(
        &self,
        kind: RecordKind,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<(Vec<TransferRecord>, Option<String>)> {
        // MongoDB reads a limit of 0 as "no limit".
        if limit == 0 {
            return Ok((Vec::new(), None));
        }
        let (collection, mut filter) = self.source(kind);
        let key = key_field(kind);
        if let Some(after) = after {
            filter.insert(key, doc! { "$gt": cursor_key(kind, after)? });
        }
        let cursor = collection
            .find(filter)
            .sort(doc! { key: 1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?;
        let documents = collect(cursor).await?;

        let records = documents
            .iter()
            .map(|document| record_from_document(&self.keyring, kind, document))
            .collect::<StoreResult<Vec<_>>>()?;
        let next = documents
            .last()
            .map(|document| cursor_of(kind, document))
            .transpose()?;
        Ok((records, next))
    }

    /// Inserts the records in the order given. On failure, deletes what this call inserted
    /// when the driver reports exactly which documents those are (see the module
    /// documentation).
    async fn import_records(&self, records: &[TransferRecord]) -> StoreResult<()> {
        let mut inserted: Vec<(&Collection<Document>, Bson)> = Vec::new();
        let mut remaining = records;
        while let Some(first) = remaining.first() {
            let collection = self.destination(first);
            let run_length = remaining
                .iter()
                .take_while(|record| self.destination(record).name() == collection.name())
                .count();
            let (run, rest) = remaining.split_at(run_length);
            remaining = rest;

            let documents: Vec<Document> = run
                .iter()
                .map(|record| record_document(&self.keyring, record))
                .collect::<StoreResult<_>>()?;
            let ids = documents
                .iter()
                .map(|document| {
                    document
                        .get("_id")
                        .cloned()
                        .ok_or_else(|| invalid_field("_id"))
                })
                .collect::<StoreResult<Vec<Bson>>>()?;
            let Err(error) = collection.insert_many(documents).ordered(true).await else {
                inserted.extend(ids.into_iter().map(|id| (collection, id)));
                continue;
            };

            let Some((stored, _)) = stored_before_write_error(&error) else {
                return Err(match store_error(error) {
                    StoreError::Unavailable(message) => StoreError::Unavailable(format!(
                        "{message}. The import stopped, and the database may hold part of it"
                    )),
                    StoreError::Other(message) => StoreError::Other(format!(
                        "{message}. The import stopped, and the database may hold part of it"
                    )),
                    duplicate => duplicate,
                });
            };
            inserted.extend(ids.into_iter().take(stored).map(|id| (collection, id)));
            self.undo_import(&inserted).await?;
            return Err(store_error(error));
        }
        Ok(())
    }
}

impl MongoStore {
    /// Deletes the documents a failed import inserted, by collection and `_id`.
    async fn undo_import(&self, inserted: &[(&Collection<Document>, Bson)]) -> StoreResult<()> {
        let mut collections: Vec<&Collection<Document>> = Vec::new();
        for (collection, _) in inserted {
            if !collections
                .iter()
                .any(|known| known.name() == collection.name())
            {
                collections.push(collection);
            }
        }
        for collection in collections {
            let ids: Vec<Bson> = inserted
                .iter()
                .filter(|(owner, _)| owner.name() == collection.name())
                .map(|(_, id)| id.clone())
                .collect();
            collection
                .delete_many(doc! { "_id": { "$in": ids } })
                .await
                .map_err(|error| match store_error(error) {
                    StoreError::Unavailable(message) => StoreError::Unavailable(format!(
                        "the import failed and removing the records it had inserted failed \
                         too ({message}), so the database holds part of the import"
                    )),
                    other => StoreError::Other(format!(
                        "the import failed and removing the records it had inserted failed \
                         too ({other}), so the database holds part of the import"
                    )),
                })?;
        }
        Ok(())
    }
}
