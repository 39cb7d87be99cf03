//! Writes whose callers give up midway, as request handlers do when their client disconnects,
//! must not leave the write lock taken for the writes that follow.

use std::time::Duration;

use chrono::Utc;
use portal_core::model::{NewAuditEvent, Outcome};
use portal_core::store::AuditStore;
use portal_store_conformance::{CONFORMANCE_KEY_ID, test_keyring};
use portal_store_sqlite::SqliteStore;
use tempfile::TempDir;

fn event(number: usize) -> NewAuditEvent {
    NewAuditEvent {
        occurred_at: Utc::now(),
        actor_id: None,
        actor_role: None,
        action: "test.cancel".into(),
        subject_id: None,
        outcome: Outcome::Success,
        request_id: format!("cancel-{number}"),
        client_addr: "127.0.0.1".into(),
        detail: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_writes_release_the_write_lock() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("portal.db").display());
    let store = SqliteStore::connect(&url, test_keyring(&[CONFORMANCE_KEY_ID]))
        .await
        .unwrap();

    // Drops writes at many points between starting the transaction and committing it, while
    // other writes wait for the lock.
    for round in 0..100 {
        let mut writes = tokio::task::JoinSet::new();
        for slot in 0..8 {
            let store = store.clone();
            let number = round * 8 + slot;
            let delay = Duration::from_micros((number % 37) as u64 * 50);
            writes.spawn(async move {
                let _ = tokio::time::timeout(delay, store.append_audit(&[event(number)])).await;
            });
        }
        writes.join_all().await;
    }

    // With a transaction left open on a pooled connection, these writes wait for the busy
    // timeout and fail with "database is locked".
    for number in 0..20 {
        let write = tokio::time::timeout(
            Duration::from_secs(4),
            store.append_audit(&[event(1000 + number)]),
        )
        .await;
        assert!(
            matches!(write, Ok(Ok(()))),
            "write {number} after the cancelled ones: {write:?}"
        );
    }
}
