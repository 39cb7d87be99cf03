//! Re-encryption under the newest data key, for `portal keys rotate`, and the key checks that
//! stop a store from opening with a wrong data key.

use std::collections::BTreeMap;

use async_trait::async_trait;
use bson::{Bson, Document, doc};
use futures::TryStreamExt;
use mongodb::Collection;
use portal_core::keyring::{SealedField, SealedRecordKind, sealed_key_id};
use portal_core::model::Role;
use portal_core::store::{EncryptionStore, KeyUsage, StoreResult};

use crate::MongoStore;
use crate::codec;
use crate::error::store_error;
use crate::sealed::{KEY_ID_FIELD, PATIENT_FIELDS, open_value, seal_value};

/// The documents of a kind of record and their encrypted fields, as dotted paths. The first
/// field is the one [`EncryptionStore::count_by_key`] counts by.
struct SealedDocuments<'a> {
    collection: &'a Collection<Document>,
    filter: Document,
    fields: Vec<(String, SealedField)>,
    /// The path of the field that records the key id (see the `sealed` module).
    key_id_path: String,
}

impl MongoStore {
    fn sealed_documents(&self, kind: SealedRecordKind) -> SealedDocuments<'_> {
        match kind {
            SealedRecordKind::Patient => SealedDocuments {
                collection: &self.users,
                filter: doc! { "role": Role::Patient.as_str() },
                fields: PATIENT_FIELDS
                    .iter()
                    .map(|(name, field)| (format!("patient.{name}"), *field))
                    .collect(),
                key_id_path: format!("patient.{KEY_ID_FIELD}"),
            },
            SealedRecordKind::Appointment => SealedDocuments {
                collection: &self.appointments,
                filter: Document::new(),
                fields: vec![("reason".to_owned(), SealedField::AppointmentReason)],
                key_id_path: KEY_ID_FIELD.to_owned(),
            },
            SealedRecordKind::Mfa => SealedDocuments {
                collection: &self.mfa,
                filter: Document::new(),
                fields: vec![("secret".to_owned(), SealedField::TotpSecret)],
                key_id_path: KEY_ID_FIELD.to_owned(),
            },
            SealedRecordKind::AuditEvent => SealedDocuments {
                collection: &self.audit_events,
                filter: Document::new(),
                fields: vec![("detail".to_owned(), SealedField::AuditDetail)],
                key_id_path: String::new(),
            },
        }
    }
}

/// Returns the value at a dotted path such as `patient.phone`, or `None` when it is missing.
fn value_at<'a>(document: &'a Document, path: &str) -> Option<&'a Bson> {
    let mut parts = path.split('.');
    let mut value = document.get(parts.next()?)?;
    for part in parts {
        value = value.as_document()?.get(part)?;
    }
    Some(value)
}

/// Returns the id that binds a document's ciphertexts to it: the `_id` as text.
fn record_id(document: &Document) -> StoreResult<String> {
    match document.get("_id") {
        Some(Bson::Int64(seq)) => Ok(seq.to_string()),
        Some(Bson::Int32(seq)) => Ok(seq.to_string()),
        _ => codec::text(document, "_id"),
    }
}

#[async_trait]
impl EncryptionStore for MongoStore {
    async fn count_by_key(&self, kind: SealedRecordKind) -> StoreResult<Vec<KeyUsage>> {
        let documents = self.sealed_documents(kind);
        let (path, _) = &documents.fields[0];
        let top_level = path.split('.').next().unwrap_or(path);
        let mut cursor = documents
            .collection
            .find(documents.filter.clone())
            .projection(doc! { top_level: 1 })
            .await
            .map_err(store_error)?;
        let mut counts: BTreeMap<Option<String>, u64> = BTreeMap::new();
        while let Some(document) = cursor.try_next().await.map_err(store_error)? {
            let key_id = match value_at(&document, path) {
                None | Some(Bson::Null) => continue,
                Some(Bson::String(text)) => sealed_key_id(text).map(str::to_owned),
                Some(_) => None,
            };
            *counts.entry(key_id).or_default() += 1;
        }
        Ok(counts
            .into_iter()
            .map(|(key_id, records)| KeyUsage { key_id, records })
            .collect())
    }

    /// Rewrites each document with one update conditioned on its first encrypted field (the
    /// date of birth or the reason) being unchanged. Every write of a record encrypts that
    /// field again under a fresh nonce, so an unchanged value means no other write changed the
    /// record since it was read.
    async fn reencrypt_batch(&self, kind: SealedRecordKind, limit: u32) -> StoreResult<u64> {
        if kind == SealedRecordKind::AuditEvent {
            return Ok(0);
        }
        let documents = self.sealed_documents(kind);
        let mut filter = documents.filter.clone();
        // The key id is missing in legacy documents, which `$ne` matches too.
        filter.insert(
            documents.key_id_path.as_str(),
            doc! { "$ne": self.keyring.newest_id() },
        );
        let candidates = documents
            .collection
            .find(filter)
            .sort(doc! { "_id": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?;
        let candidates: Vec<Document> = candidates.try_collect().await.map_err(store_error)?;

        let mut rewritten = 0;
        for document in &candidates {
            let id = record_id(document)?;
            let mut set = Document::new();
            for (path, field) in &documents.fields {
                let Some(stored) = value_at(document, path) else {
                    continue;
                };
                let plain = open_value(&self.keyring, *field, &id, stored)?;
                set.insert(
                    path.as_str(),
                    seal_value(&self.keyring, *field, &id, &plain)?,
                );
            }
            set.insert(documents.key_id_path.as_str(), self.keyring.newest_id());
            let (guard_path, _) = &documents.fields[0];
            let mut unchanged = doc! { "_id": document.get("_id").cloned().unwrap_or(Bson::Null) };
            unchanged.insert(
                guard_path.as_str(),
                value_at(document, guard_path)
                    .cloned()
                    .unwrap_or(Bson::Null),
            );
            let result = documents
                .collection
                .update_one(unchanged, doc! { "$set": set })
                .await
                .map_err(store_error)?;
            rewritten += result.modified_count;
        }
        Ok(rewritten)
    }
}

/// The collection of key checks, one document per data key id with `_id` = key id, `sealed` =
/// the fixed key-check text encrypted with that key and `created_at`. Checks are not user
/// records, so `portal migrate-data` does not copy them.
const KEY_CHECKS: &str = "key_checks";

impl MongoStore {
    /// Checks every key of the keyring against its document in `key_checks`, first inserting a
    /// check for each key id that has none. Fails with [`portal_core::StoreError::Other`]
    /// naming `PORTAL_DATA_KEY` when a key differs from the key of the same id that wrote the
    /// check.
    pub(crate) async fn check_data_keys(&self) -> StoreResult<()> {
        let checks: Collection<Document> = self.database.collection(KEY_CHECKS);
        for key_id in self.keyring.key_ids() {
            let stored = match find_key_check(&checks, key_id).await? {
                Some(stored) => stored,
                None => {
                    let sealed = self
                        .keyring
                        .seal_key_check(key_id)
                        .expect("the keyring contains its own key ids");
                    let inserted = checks
                        .insert_one(doc! {
                            "_id": key_id,
                            "sealed": &sealed,
                            "created_at": codec::encode_instant(chrono::Utc::now()),
                        })
                        .await
                        .map_err(store_error);
                    match inserted {
                        Ok(_) => sealed,
                        // Another instance inserted the check first; its check is the one to
                        // verify.
                        Err(portal_core::StoreError::Duplicate(_)) => {
                            find_key_check(&checks, key_id).await?.ok_or_else(|| {
                                portal_core::StoreError::Other(format!(
                                    "the key check of data key `{key_id}` disappeared while \
                                     the store was opening"
                                ))
                            })?
                        }
                        Err(error) => return Err(error),
                    }
                }
            };
            self.keyring.verify_key_check(key_id, &stored)?;
        }
        Ok(())
    }
}

/// Returns the stored check of `key_id`, or `None` when there is none.
async fn find_key_check(
    checks: &Collection<Document>,
    key_id: &str,
) -> StoreResult<Option<String>> {
    let document = checks
        .find_one(doc! { "_id": key_id })
        .await
        .map_err(store_error)?;
    document
        .map(|document| codec::text(&document, "sealed"))
        .transpose()
}
