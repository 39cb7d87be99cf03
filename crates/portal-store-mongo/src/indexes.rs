//! The indexes the store's queries need, created at start.
//!
//! `createIndexes` does nothing for an index that exists with the same keys and options, so
//! creating them at every start is safe. Changing an existing index's options fails with an
//! `IndexOptionsConflict` error instead; such a change needs a migration that drops the old
//! index first.

use std::time::Duration;

use bson::{Document, doc};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use portal_core::store::StoreResult;

use crate::MongoStore;
use crate::error::store_error;

fn index(name: &str, keys: Document) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(IndexOptions::builder().name(name.to_owned()).build())
        .build()
}

fn unique_index(name: &str, keys: Document) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(
            IndexOptions::builder()
                .name(name.to_owned())
                .unique(true)
                .build(),
        )
        .build()
}

/// Builds a TTL index, with which the server deletes a document once the date in `field` has
/// passed. Its background task runs about once a minute, so deletion is late by up to that much.
fn sparse_unique_index(name: &str, keys: Document) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(
            IndexOptions::builder()
                .name(name.to_owned())
                .unique(true)
                .sparse(true)
                .build(),
        )
        .build()
}

fn expiry_index(name: &str, field: &str) -> IndexModel {
    IndexModel::builder()
        .keys(doc! { field: 1 })
        .options(
            IndexOptions::builder()
                .name(name.to_owned())
                .expire_after(Duration::ZERO)
                .build(),
        )
        .build()
}

async fn create(collection: &Collection<Document>, indexes: Vec<IndexModel>) -> StoreResult<()> {
    collection
        .create_indexes(indexes)
        .await
        .map_err(store_error)?;
    Ok(())
}

pub(crate) async fn create_indexes(store: &MongoStore) -> StoreResult<()> {
    create(
        &store.users,
        vec![
            // Emails are normalised by the service, so equal addresses are equal strings.
            unique_index("email_unique", doc! { "email": 1 }),
            // Provider and patient lists: prefix search and order by last, then first name.
            // NOTE: `_id`, the last sort key, is not in the index because nx-27017 (the test
            // stand-in) rejects every insert into a collection with `_id` in a compound index.
            // So the server sorts a list's matches in memory, which is cheap for the hundreds
            // of providers or care patients a list holds.
            index(
                "role_last_first",
                doc! { "role": 1, "last_name_lower": 1, "first_name_lower": 1 },
            ),
            index("role_first", doc! { "role": 1, "first_name_lower": 1 }),
            // One account per NPI. Sparse, because only provider documents have the field.
            sparse_unique_index("provider_npi_unique", doc! { "provider.npi": 1 }),
            // A provider's care patients by primary provider.
            index(
                "primary_provider",
                doc! { "patient.primary_provider_id": 1 },
            ),
        ],
    )
    .await?;

    create(
        &store.sessions,
        vec![
            index("user", doc! { "user_id": 1 }),
            unique_index("refresh_hash_unique", doc! { "refresh_hash": 1 }),
            expiry_index("purge_at_ttl", "purge_at"),
        ],
    )
    .await?;

    create(
        &store.appointments,
        vec![
            // A patient's list, upcoming appointments and last visit.
            index(
                "patient_start",
                doc! { "patient_id": 1, "preferred_start": 1 },
            ),
            // A provider's list without and with a status filter.
            index(
                "provider_start",
                doc! { "provider_id": 1, "preferred_start": 1 },
            ),
            index(
                "provider_status_start",
                doc! { "provider_id": 1, "status": 1, "preferred_start": 1 },
            ),
            // Care membership and each care patient's next appointment with the provider.
            index(
                "provider_patient_start",
                doc! { "provider_id": 1, "patient_id": 1, "preferred_start": 1 },
            ),
        ],
    )
    .await?;

    // The sequence number is both `_id` and `seq`: the access log's index needs a field other
    // than `_id` (see the note on the users' index above).
    create(
        &store.audit_events,
        vec![
            unique_index("seq_unique", doc! { "seq": 1 }),
            index("subject_seq", doc! { "subject_id": 1, "seq": 1 }),
        ],
    )
    .await
}
