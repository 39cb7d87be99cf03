//! Conformance cases of the key checks that a store writes and verifies when it opens.
//!
//! Each case reopens one database with several keyrings, so each backend's runner calls it
//! with an opener of its own that returns the result of connecting.

use std::future::Future;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use portal_core::StoreError;
use portal_core::keyring::Keyring;
use portal_core::store::Store;

use crate::encryption::test_keyring;

/// Returns a keyring whose key `id` differs from the key of `id` in [`test_keyring`].
fn other_keyring(ids: &[&str], other_id: &str) -> Keyring {
    let entries: Vec<String> = ids
        .iter()
        .map(|id| {
            let fill = if *id == other_id { b'%' } else { b'#' };
            let mut key = [fill; 32];
            key[..id.len()].copy_from_slice(id.as_bytes());
            format!("{id}:{}", STANDARD.encode(key))
        })
        .collect();
    Keyring::parse(&entries.join(",")).expect("test key ids are valid")
}

async fn open_ok<F, Fut>(open: &F, keyring: Keyring, case: &str) -> Arc<dyn Store>
where
    F: Fn(Keyring) -> Fut,
    Fut: Future<Output = Result<Arc<dyn Store>, StoreError>>,
{
    match open(keyring).await {
        Ok(store) => store,
        Err(error) => panic!("{case}: opening failed: {error}"),
    }
}

fn assert_key_mismatch(result: Result<Arc<dyn Store>, StoreError>, key_id: &str) {
    let error = match result {
        Ok(_) => panic!("the store opened with a different key `{key_id}`"),
        Err(error) => error,
    };
    let StoreError::Other(message) = &error else {
        panic!("expected StoreError::Other, got {error:?}");
    };
    assert!(
        message.contains("PORTAL_DATA_KEY"),
        "names the variable: {message}"
    );
    assert!(
        message.contains(&format!("`{key_id}`")),
        "names the key id: {message}"
    );
}

/// Checks that opening a database twice with the same keyring succeeds both times.
pub async fn key_check_same_key_reopens<F, Fut>(open: F)
where
    F: Fn(Keyring) -> Fut,
    Fut: Future<Output = Result<Arc<dyn Store>, StoreError>>,
{
    for round in ["first open", "second open"] {
        let store = open_ok(&open, test_keyring(&["a"]), round).await;
        store.ping().await.expect("ping the reopened store");
        store.close().await;
    }
}

/// Checks that opening with a different key of the same id fails and leaves the database
/// usable with the original key.
pub async fn key_check_other_key_rejected<F, Fut>(open: F)
where
    F: Fn(Keyring) -> Fut,
    Fut: Future<Output = Result<Arc<dyn Store>, StoreError>>,
{
    open_ok(&open, test_keyring(&["a"]), "first open")
        .await
        .close()
        .await;
    assert_key_mismatch(open(other_keyring(&["a"], "a")).await, "a");
    open_ok(&open, test_keyring(&["a"]), "open after the rejection")
        .await
        .close()
        .await;
}

/// Checks that a key id new to the database gets a check of its own, which later opens verify.
pub async fn key_check_new_key_id_added<F, Fut>(open: F)
where
    F: Fn(Keyring) -> Fut,
    Fut: Future<Output = Result<Arc<dyn Store>, StoreError>>,
{
    open_ok(&open, test_keyring(&["a"]), "open with key a")
        .await
        .close()
        .await;
    open_ok(&open, test_keyring(&["a", "b"]), "open with keys a and b")
        .await
        .close()
        .await;
    assert_key_mismatch(open(other_keyring(&["a", "b"], "b")).await, "b");
    // A keyring without `b` still opens: a check only applies to a configured key.
    open_ok(&open, test_keyring(&["a"]), "open with key a again")
        .await
        .close()
        .await;
}
