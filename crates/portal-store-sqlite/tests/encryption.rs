//! Health data encrypted at rest in SQLite: the conformance rotation cases on one file reopened
//! with other keyrings, the raw file searched for seeded values, and rows written in plain
//! text before encryption existed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use portal_core::keyring::{Keyring, SealedRecordKind};
use portal_core::model::{
    Allergy, AppointmentStatus, Consent, EMERGENCY_GRANT, HealthDetails, Medication,
    NewAppointment, NewAuditEvent, Outcome, Role, Severity, UserRecord, VisitType,
};
use portal_core::store::{
    AppointmentStore, AuditStore, EncryptionStore, KeyUsage, MfaStore, NewPatient, ProfileStore,
    Store, UserStore,
};
use portal_store_conformance::test_keyring;
use portal_store_sqlite::SqliteStore;
use sqlx::{Connection, Row, SqliteConnection};
use tempfile::TempDir;
use uuid::Uuid;

const ALLERGY: &str = "Quillonex dust";
const MEDICATION: &str = "Zorbatrimex";
const PHONE: &str = "+1 555 013 7788";
const REASON: &str = "Vexillary knee swelling";
const GRANT_REASON: &str = "Unresponsive on arrival at triage";
const LAST_NAME: &str = "Wolstenholme";
const TOTP_SECRET: &str = "MZXW6YTBOI3DMNZQGEZTIMJYGM2DKNRX";

fn database_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instant is valid RFC 3339")
        .with_timezone(&Utc)
}

async fn open(path: &Path, keyring: Keyring) -> SqliteStore {
    SqliteStore::connect(&database_url(path), keyring)
        .await
        .expect("open the SQLite store")
}

/// Returns an opener of the file in `dir` for the conformance rotation cases.
fn opener(
    dir: &TempDir,
) -> impl Fn(Keyring) -> std::pin::Pin<Box<dyn Future<Output = Arc<dyn Store>>>> {
    let path = dir.path().join("portal.db");
    move |keyring| {
        let path = path.clone();
        Box::pin(async move { Arc::new(open(&path, keyring).await) as Arc<dyn Store> })
    }
}

#[tokio::test]
async fn rotation_conformance() {
    let dir = TempDir::new().expect("create a temporary folder");
    portal_store_conformance::encryption_rotation(opener(&dir)).await;
}

#[tokio::test]
async fn missing_key_conformance() {
    let dir = TempDir::new().expect("create a temporary folder");
    portal_store_conformance::encryption_missing_key(opener(&dir)).await;
}

/// The result of connecting, as a key-check conformance case's opener returns it.
type PendingOpen =
    std::pin::Pin<Box<dyn Future<Output = Result<Arc<dyn Store>, portal_core::StoreError>>>>;

/// Returns an opener of the file in `dir` that returns the result of connecting, for the
/// key-check conformance cases.
fn fallible_opener(dir: &TempDir) -> impl Fn(Keyring) -> PendingOpen {
    let path = dir.path().join("portal.db");
    move |keyring| {
        let path = path.clone();
        Box::pin(async move {
            SqliteStore::connect(&database_url(&path), keyring)
                .await
                .map(|store| Arc::new(store) as Arc<dyn Store>)
        })
    }
}

#[tokio::test]
async fn key_check_same_key_reopens() {
    let dir = TempDir::new().expect("create a temporary folder");
    portal_store_conformance::key_check_same_key_reopens(fallible_opener(&dir)).await;
}

#[tokio::test]
async fn key_check_other_key_rejected() {
    let dir = TempDir::new().expect("create a temporary folder");
    portal_store_conformance::key_check_other_key_rejected(fallible_opener(&dir)).await;
}

#[tokio::test]
async fn key_check_new_key_id_added() {
    let dir = TempDir::new().expect("create a temporary folder");
    portal_store_conformance::key_check_new_key_id_added(fallible_opener(&dir)).await;
}

fn seeded_patient() -> NewPatient {
    let id = Uuid::now_v7();
    let created_at = instant("2026-12-04T10:00:00Z");
    NewPatient {
        user: UserRecord {
            id,
            email: format!("{}@example.test", id.simple()),
            role: Role::Patient,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            first_name: "Ada".to_owned(),
            last_name: LAST_NAME.to_owned(),
            created_at,
            updated_at: created_at,
        },
        date_of_birth: NaiveDate::from_ymd_opt(1980, 5, 17).expect("valid date"),
        consent: Consent {
            policy_version: "2026-12-01".to_owned(),
            accepted_at: created_at,
        },
        health: HealthDetails {
            phone: Some(PHONE.to_owned()),
            allergies: vec![Allergy {
                substance: ALLERGY.to_owned(),
                reaction: "hives".to_owned(),
                severity: Severity::Severe,
            }],
            medications: vec![Medication {
                name: MEDICATION.to_owned(),
                dose: "10 mg".to_owned(),
                frequency: "daily".to_owned(),
            }],
            ..HealthDetails::default()
        },
    }
}

/// Writes a provider, a patient with seeded health details, an appointment and an emergency
/// grant with its reason; returns the patient.
async fn seed(store: &SqliteStore) -> NewPatient {
    let provider_id = Uuid::now_v7();
    let patient = seeded_patient();
    store
        .insert_patient(
            &patient,
            &portal_store_conformance::registration_event(&patient),
        )
        .await
        .expect("insert the patient");
    store
        .set_pending_totp(
            patient.user.id,
            TOTP_SECRET,
            instant("2026-12-04T10:00:00Z"),
        )
        .await
        .expect("store a TOTP secret");
    // An appointment needs a provider, which is inserted through a raw connection because
    // registering one through the store needs an invite.
    let mut raw = raw_connection(store.path()).await;
    for sql in [
        "INSERT INTO users (id, email, role, password_hash, first_name, last_name, \
         first_name_lower, last_name_lower, created_at, updated_at) \
         VALUES (?1, ?1 || '@example.test', 'provider', 'x', 'Dana', 'Reyes', 'dana', 'reyes', \
         '2026-12-04T10:00:00.000000Z', '2026-12-04T10:00:00.000000Z')",
        "INSERT INTO providers (user_id, npi, specialty) VALUES (?1, '1234567893', 'Family')",
    ] {
        sqlx::query(sql)
            .bind(provider_id.to_string())
            .execute(&mut raw)
            .await
            .expect("insert the provider");
    }
    raw.close().await.expect("close the raw connection");
    store
        .insert_appointment(&NewAppointment {
            id: Uuid::now_v7(),
            patient_id: patient.user.id,
            provider_id,
            preferred_start: instant("2026-12-10T09:00:00Z"),
            visit_type: VisitType::InPerson,
            reason: REASON.to_owned(),
            status: AppointmentStatus::Requested,
            created_at: instant("2026-12-04T10:00:00Z"),
        })
        .await
        .expect("insert the appointment");
    store
        .append_audit(&[NewAuditEvent {
            occurred_at: instant("2026-12-04T11:00:00Z"),
            actor_id: Some(provider_id),
            actor_role: Some(Role::Provider),
            action: EMERGENCY_GRANT.into(),
            subject_id: Some(patient.user.id),
            outcome: Outcome::Success,
            request_id: "request-1".to_owned(),
            client_addr: "192.0.2.10".to_owned(),
            detail: Some(GRANT_REASON.to_owned()),
        }])
        .await
        .expect("append the grant");
    patient
}

async fn raw_connection(path: &Path) -> SqliteConnection {
    SqliteConnection::connect(&database_url(path))
        .await
        .expect("open a raw connection")
}

/// Returns the bytes of the database file and of its WAL file, when there is one.
fn file_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("read the database file");
    let mut wal = PathBuf::from(path).into_os_string();
    wal.push("-wal");
    if let Ok(wal_bytes) = std::fs::read(&wal) {
        bytes.extend_from_slice(&wal_bytes);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn raw_file_has_no_health_values() {
    let dir = TempDir::new().expect("create a temporary folder");
    let path = dir.path().join("portal.db");
    let store = open(&path, test_keyring(&["k1"])).await;
    let patient = seed(&store).await;

    // Read the WAL while the store is open, then again after closing checkpoints it.
    let mut snapshots = vec![file_bytes(&path)];
    let profile = store
        .find_profile(patient.user.id)
        .await
        .expect("read the profile")
        .expect("the profile exists");
    assert_eq!(profile.phone.as_deref(), Some(PHONE), "the store decrypts");
    store.close().await;
    snapshots.push(file_bytes(&path));

    for bytes in &snapshots {
        for value in [
            ALLERGY,
            MEDICATION,
            PHONE,
            REASON,
            GRANT_REASON,
            TOTP_SECRET,
            "1980-05-17",
        ] {
            assert!(!contains(bytes, value), "{value:?} is in the raw file");
        }
        assert!(
            contains(bytes, LAST_NAME),
            "names stay in the clear for search"
        );
    }
}

/// Overwrites the encrypted columns of the patient and the appointment with plain text, as a
/// database from before encryption has them.
async fn write_legacy_plain_text(path: &Path, patient_id: Uuid) {
    let mut raw = raw_connection(path).await;
    sqlx::query(
        "UPDATE patients SET date_of_birth = '1980-05-17', sex_at_birth = 'female', \
         phone = ?2, allergies = ?3, medications = '[]', conditions = '[]' WHERE user_id = ?1",
    )
    .bind(patient_id.to_string())
    .bind(PHONE)
    .bind(format!(
        "[{{\"substance\":\"{ALLERGY}\",\"reaction\":\"\",\"severity\":\"mild\"}}]"
    ))
    .execute(&mut raw)
    .await
    .expect("write plain-text patient columns");
    sqlx::query("UPDATE appointments SET reason = ?1")
        .bind(REASON)
        .execute(&mut raw)
        .await
        .expect("write a plain-text reason");
    raw.close().await.expect("close the raw connection");
}

async fn column(path: &Path, sql: &str) -> String {
    let mut raw = raw_connection(path).await;
    let row = sqlx::query(sql)
        .fetch_one(&mut raw)
        .await
        .expect("read a raw column");
    let value: String = row.get(0);
    raw.close().await.expect("close the raw connection");
    value
}

#[tokio::test]
async fn legacy_plain_text_read_and_rotated() {
    let dir = TempDir::new().expect("create a temporary folder");
    let path = dir.path().join("portal.db");
    let store = open(&path, test_keyring(&["k1"])).await;
    let patient = seed(&store).await;
    store.close().await;
    write_legacy_plain_text(&path, patient.user.id).await;

    let store = open(&path, test_keyring(&["k1"])).await;
    let profile = store
        .find_profile(patient.user.id)
        .await
        .expect("read a plain-text profile")
        .expect("the profile exists");
    assert_eq!(profile.phone.as_deref(), Some(PHONE));
    assert_eq!(profile.allergies[0].substance, ALLERGY);
    assert_eq!(
        store
            .count_by_key(SealedRecordKind::Patient)
            .await
            .expect("count patients per key"),
        [KeyUsage {
            key_id: None,
            records: 1
        }]
    );

    let rewritten = store
        .reencrypt_batch(SealedRecordKind::Patient, 10)
        .await
        .expect("encrypt the patient");
    assert_eq!(rewritten, 1);
    let rewritten = store
        .reencrypt_batch(SealedRecordKind::Appointment, 10)
        .await
        .expect("encrypt the appointment");
    assert_eq!(rewritten, 1);
    let rotated = store
        .find_profile(patient.user.id)
        .await
        .expect("read the encrypted profile")
        .expect("the profile exists");
    assert_eq!(rotated, profile, "encrypting keeps the values");
    store.close().await;

    let phone = column(&path, "SELECT phone FROM patients").await;
    assert!(phone.starts_with("v1.k1."), "phone is encrypted: {phone}");
    let sex = column(&path, "SELECT sex_at_birth FROM patients").await;
    assert!(
        sex.starts_with("v1.k1."),
        "sex at birth is encrypted: {sex}"
    );
    let reason = column(&path, "SELECT reason FROM appointments").await;
    assert!(
        reason.starts_with("v1.k1."),
        "reason is encrypted: {reason}"
    );
    let bytes = file_bytes(&path);
    for value in [ALLERGY, PHONE, REASON] {
        assert!(
            !contains(&bytes, value),
            "{value:?} is left in the raw file"
        );
    }
}

#[tokio::test]
async fn rotation_after_profile_edit() {
    // A profile edit encrypts with the newest key, so rotation no longer selects the row.
    let dir = TempDir::new().expect("create a temporary folder");
    let path = dir.path().join("portal.db");
    let store = open(&path, test_keyring(&["a"])).await;
    let patient = seed(&store).await;
    store.close().await;

    let store = open(&path, test_keyring(&["a", "b"])).await;
    let changes = portal_core::model::ProfileChanges {
        first_name: "Ada".to_owned(),
        last_name: LAST_NAME.to_owned(),
        date_of_birth: patient.date_of_birth,
        health: HealthDetails {
            phone: Some("+1 555 013 9999".to_owned()),
            ..patient.health.clone()
        },
    };
    store
        .update_profile(patient.user.id, &changes, instant("2026-12-04T12:00:00Z"))
        .await
        .expect("edit the profile")
        .expect("the profile exists");
    let rewritten = store
        .reencrypt_batch(SealedRecordKind::Patient, 10)
        .await
        .expect("re-encrypt patients");
    assert_eq!(
        rewritten, 0,
        "the edit encrypted the row with the newest key"
    );
    let profile = store
        .find_profile(patient.user.id)
        .await
        .expect("read the profile")
        .expect("the profile exists");
    assert_eq!(profile.phone.as_deref(), Some("+1 555 013 9999"));
    store.close().await;
}
