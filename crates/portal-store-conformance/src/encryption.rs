//! Conformance cases of `EncryptionStore` and of health data encrypted at rest.
//!
//! The cases in [`conformance_tests!`](crate::conformance_tests) run on a store opened with
//! [`test_keyring`]`(&[CONFORMANCE_KEY_ID])`. The rotation cases need to reopen one database
//! with other keyrings, so each backend's runner calls them with an opener of its own.

use std::future::Future;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use portal_core::StoreError;
use portal_core::keyring::{Keyring, SealedRecordKind};
use portal_core::model::{EMERGENCY_GRANT, Outcome, Role};
use portal_core::store::{KeyUsage, Store};
use uuid::Uuid;

use super::{
    AppointmentStatus, Duration, add_appointment, add_patient, add_provider, audit_event,
    first_page, full_health, new_patient, now, registration_event,
};

/// The key id of the keyring that conformance stores are opened with.
pub const CONFORMANCE_KEY_ID: &str = "conformance";

/// The reason of an emergency access grant that the cases store as an audit detail.
const GRANT_REASON: &str = "Unconscious in the emergency department";

/// The TOTP secret (base32) of the patient's two-step sign-in credential.
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Returns a keyring with one fixed test key per id, oldest first. The same id always gives
/// the same key, so a database written with one keyring can be reopened with another.
pub fn test_keyring(ids: &[&str]) -> Keyring {
    let entries: Vec<String> = ids
        .iter()
        .map(|id| {
            let mut key = [b'#'; 32];
            key[..id.len()].copy_from_slice(id.as_bytes());
            format!("{id}:{}", STANDARD.encode(key))
        })
        .collect();
    Keyring::parse(&entries.join(",")).expect("test key ids are valid")
}

fn usage(key_id: &str, records: u64) -> KeyUsage {
    KeyUsage {
        key_id: Some(key_id.to_owned()),
        records,
    }
}

async fn count(store: &dyn Store, kind: SealedRecordKind) -> Vec<KeyUsage> {
    store
        .count_by_key(kind)
        .await
        .expect("count records per data key")
}

/// Adds a patient with every health detail and a confirmed two-step sign-in credential. Also
/// adds an appointment and an emergency grant with its reason, and returns the patient id.
async fn add_sealed_records(store: &dyn Store) -> Uuid {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let mut patient = new_patient("Ada", "Byron");
    patient.health = full_health(provider_id);
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient with health details");
    let patient_id = patient.user.id;
    let pending = store
        .set_pending_totp(patient_id, TOTP_SECRET, now())
        .await
        .expect("store a pending TOTP secret");
    assert!(pending, "a first setup is stored");
    let confirmed = store
        .confirm_totp(patient_id, TOTP_SECRET, 1000, &[], now())
        .await
        .expect("confirm the TOTP setup");
    assert!(confirmed, "the encrypted pending secret matches");
    add_appointment(
        store,
        patient_id,
        provider_id,
        now() + Duration::days(3),
        AppointmentStatus::Requested,
    )
    .await;
    let mut grant = audit_event(
        EMERGENCY_GRANT,
        Some((provider_id, Role::Provider)),
        Some(patient_id),
        Outcome::Success,
    );
    grant.detail = Some(GRANT_REASON.to_owned());
    store
        .append_audit(&[grant])
        .await
        .expect("append an emergency grant");
    patient_id
}

/// Re-encrypts `kind` in batches of `limit` until a batch rewrites nothing; returns the number
/// of batches that rewrote something.
async fn rotate_all(store: &dyn Store, kind: SealedRecordKind, limit: u32) -> u32 {
    let mut batches = 0;
    loop {
        let rewritten = store
            .reencrypt_batch(kind, limit)
            .await
            .expect("re-encrypt a batch");
        if rewritten == 0 {
            return batches;
        }
        assert!(
            u64::from(limit) >= rewritten,
            "a batch stays within its limit"
        );
        batches += 1;
    }
}

pub async fn encryption_counts_by_key(store: &dyn Store) {
    add_sealed_records(store).await;
    add_patient(store, "Grace", "Hopper").await;

    assert_eq!(
        count(store, SealedRecordKind::Patient).await,
        [usage(CONFORMANCE_KEY_ID, 2)]
    );
    assert_eq!(
        count(store, SealedRecordKind::Appointment).await,
        [usage(CONFORMANCE_KEY_ID, 1)]
    );
    assert_eq!(
        count(store, SealedRecordKind::Mfa).await,
        [usage(CONFORMANCE_KEY_ID, 1)]
    );
    assert_eq!(
        count(store, SealedRecordKind::AuditEvent).await,
        [usage(CONFORMANCE_KEY_ID, 1)],
        "only the event with a detail counts"
    );
}

pub async fn encryption_totp_confirm_other_secret(store: &dyn Store) {
    let patient_id = add_patient(store, "Ada", "Byron").await;
    store
        .set_pending_totp(patient_id, TOTP_SECRET, now())
        .await
        .expect("store a pending TOTP secret");
    let confirmed = store
        .confirm_totp(
            patient_id,
            "KRUGS4ZANFZSAYJAONSWG4TFOQQGC3DE",
            1000,
            &[],
            now(),
        )
        .await
        .expect("try to confirm another secret");
    assert!(!confirmed, "a different secret does not confirm the setup");
    let record = store
        .find_totp(patient_id)
        .await
        .expect("find the credential")
        .expect("the credential exists");
    assert_eq!(record.secret, TOTP_SECRET, "the secret decrypts");
    assert_eq!(record.confirmed_at, None, "the setup is still pending");
}

pub async fn encryption_current_not_rewritten(store: &dyn Store) {
    add_sealed_records(store).await;
    for kind in SealedRecordKind::ALL {
        let rewritten = store
            .reencrypt_batch(kind, 100)
            .await
            .expect("re-encrypt a batch");
        assert_eq!(rewritten, 0, "{kind:?} is under the newest key already");
    }
}

pub async fn encryption_empty_store(store: &dyn Store) {
    for kind in SealedRecordKind::ALL {
        assert_eq!(count(store, kind).await, [], "{kind:?}");
    }
}

/// Data written under key `a` is rotated to `b` in interrupted batches, after which a store
/// without `a` reads everything but the audit detail. `open` opens the same database with the
/// given keyring.
pub async fn encryption_rotation<F, Fut>(open: F)
where
    F: Fn(Keyring) -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    let old = open(test_keyring(&["a"])).await;
    let patient_id = add_sealed_records(&*old).await;
    let second_patient = add_patient(&*old, "Grace", "Hopper").await;
    let third_patient = add_patient(&*old, "Alan", "Turing").await;
    let profile = old
        .find_profile(patient_id)
        .await
        .expect("read the profile")
        .expect("the profile exists");
    let appointments = old
        .list_patient_appointments(patient_id, None, first_page(10))
        .await
        .expect("list appointments")
        .items;
    old.close().await;

    let rotating = open(test_keyring(&["a", "b"])).await;
    assert_eq!(
        count(&*rotating, SealedRecordKind::Patient).await,
        [usage("a", 3)]
    );

    // One batch, as if the command stopped after it; then resume.
    let rewritten = rotating
        .reencrypt_batch(SealedRecordKind::Patient, 2)
        .await
        .expect("re-encrypt one batch");
    assert_eq!(rewritten, 2);
    assert_eq!(
        count(&*rotating, SealedRecordKind::Patient).await,
        [usage("a", 1), usage("b", 2)]
    );
    assert_eq!(
        rotate_all(&*rotating, SealedRecordKind::Patient, 2).await,
        1
    );
    assert_eq!(
        rotate_all(&*rotating, SealedRecordKind::Appointment, 10).await,
        1
    );
    assert_eq!(rotate_all(&*rotating, SealedRecordKind::Mfa, 10).await, 1);
    assert_eq!(
        rotate_all(&*rotating, SealedRecordKind::AuditEvent, 10).await,
        0,
        "audit events are never rewritten"
    );
    assert_eq!(
        count(&*rotating, SealedRecordKind::Patient).await,
        [usage("b", 3)]
    );
    assert_eq!(
        count(&*rotating, SealedRecordKind::Appointment).await,
        [usage("b", 1)]
    );
    assert_eq!(
        count(&*rotating, SealedRecordKind::Mfa).await,
        [usage("b", 1)]
    );
    assert_eq!(
        count(&*rotating, SealedRecordKind::AuditEvent).await,
        [usage("a", 1)]
    );
    rotating.close().await;

    let new = open(test_keyring(&["b"])).await;
    let rotated = new
        .find_profile(patient_id)
        .await
        .expect("read the profile with only the new key")
        .expect("the profile exists");
    assert_eq!(rotated, profile, "rotation keeps every value");
    for id in [second_patient, third_patient] {
        assert!(
            new.find_profile(id)
                .await
                .expect("read a profile")
                .is_some(),
            "{id} is readable with the new key"
        );
    }
    let rotated_appointments = new
        .list_patient_appointments(patient_id, None, first_page(10))
        .await
        .expect("list appointments with only the new key")
        .items;
    assert_eq!(rotated_appointments, appointments);
    let credential = new
        .find_totp(patient_id)
        .await
        .expect("read the credential with only the new key")
        .expect("the credential exists");
    assert_eq!(credential.secret, TOTP_SECRET);
    assert!(
        credential.confirmed_at.is_some(),
        "rotation keeps the confirmation"
    );
    let error = new
        .list_access_events(patient_id, first_page(10))
        .await
        .expect_err("the audit detail still needs the old key");
    assert_missing_key(&error, "audit_events.detail", "a");
    new.close().await;

    let both = open(test_keyring(&["a", "b"])).await;
    let events = both
        .list_access_events(patient_id, first_page(10))
        .await
        .expect("list access events with both keys")
        .items;
    let reasons: Vec<Option<&str>> = events.iter().map(|event| event.reason.as_deref()).collect();
    assert!(
        reasons.contains(&Some(GRANT_REASON)),
        "the grant reason decrypts: {reasons:?}"
    );
    both.close().await;
}

/// Checks that a store without the key that encrypted a record fails to read it, with an error
/// that names the field and the key id and contains no health data.
pub async fn encryption_missing_key<F, Fut>(open: F)
where
    F: Fn(Keyring) -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    let writer = open(test_keyring(&["a"])).await;
    let patient_id = add_sealed_records(&*writer).await;
    writer.close().await;

    let reader = open(test_keyring(&["other"])).await;
    let error = reader
        .find_profile(patient_id)
        .await
        .expect_err("the profile needs key a");
    assert_missing_key(&error, "patients.", "a");
    let error = reader
        .list_patient_appointments(patient_id, None, first_page(10))
        .await
        .expect_err("the appointment needs key a");
    assert_missing_key(&error, "appointments.reason", "a");
    reader.close().await;
}

fn assert_missing_key(error: &StoreError, field: &str, key_id: &str) {
    let StoreError::Other(message) = error else {
        panic!("expected StoreError::Other, got {error:?}");
    };
    assert!(message.contains(field), "names the field: {message}");
    assert!(
        message.contains(&format!("`{key_id}`")),
        "names the key id: {message}"
    );
    // Whole values, because a short fragment such as a phone number's area code can occur in
    // the record id that the message names.
    for value in [
        "(555) 010-0199",
        "555 010 0142",
        "Penicillin",
        "Harbour",
        "blood pressure",
        "Unconscious",
    ] {
        assert!(!message.contains(value), "shows a value: {message}");
    }
}
